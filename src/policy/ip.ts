/**
 * IP addresses and CIDR ranges for IpAddress / NotIpAddress: IPv4 and IPv6, a plain address
 * meaning /32 or /128. A request address in IPv4-mapped IPv6 form (::ffff:192.0.2.1, which is
 * how Node reports IPv4 clients on a dual-stack socket) is compared as the IPv4 address it
 * carries, as AWS sees the client's IPv4 address.
 */

interface Address {
  v6: boolean;
  value: bigint;
}

interface Range extends Address {
  prefix: number;
}

const CACHE_LIMIT = 1024;
const ranges = new Map<string, Range | null>();
// Request addresses repeat across the statements of one request and across requests.
const addresses = new Map<string, Address | null>();

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
const MAPPED_PREFIX = 0xffffn << 32n;

/** Whether `address` lies in `cidr`. False when either does not parse. */
export function ipInRange(cidr: string, address: string): boolean {
  const range = parseRange(cidr);
  const ip = cached(addresses, address, (text) => parseAddress(text.trim()));
  if (range === undefined || ip === undefined) return false;
  const candidate = ip.v6 && !range.v6 ? unmapV4(ip) : ip;
  if (candidate === undefined || candidate.v6 !== range.v6) return false;
  const shift = BigInt((range.v6 ? 128 : 32) - range.prefix);
  return candidate.value >> shift === range.value >> shift;
}

function parseRange(text: string): Range | undefined {
  return cached(ranges, text, (t) => parseRangeUncached(t.trim()));
}

/** A bounded memo; `null` records "does not parse" so failures are cached too. */
function cached<T>(cache: Map<string, T | null>, text: string, parse: (text: string) => T | undefined): T | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const value = parse(text) ?? null;
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(text, value);
  return value ?? undefined;
}

function parseRangeUncached(text: string): Range | undefined {
  const slash = text.indexOf('/');
  const ip = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const width = ip.v6 ? 128 : 32;
  if (slash < 0) return { ...ip, prefix: width };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > width) return undefined;
  return { ...ip, prefix };
}

function parseAddress(text: string): Address | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = parseV6(text);
  return v6 === undefined ? undefined : { v6: true, value: v6 };
}

function parseV4(text: string): bigint | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let value = 0n;
  for (const group of all) value = (value << 16n) | BigInt(group);
  return value;
}

/** The 16-bit groups of one side of `::`; a trailing dotted IPv4 counts as two groups. */
function groups(side: string): number[] | undefined {
  if (side === '') return [];
  const parts = side.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === undefined) return undefined;
      out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (HEXTET.test(part)) {
      out.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

function unmapV4(ip: Address): Address | undefined {
  return ip.value >> 32n === 0xffffn ? { v6: false, value: ip.value - MAPPED_PREFIX } : undefined;
}
