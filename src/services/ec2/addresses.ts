/**
 * IPv4/IPv6 address arithmetic for security group checks and subnet sizes: CIDR parsing,
 * containment, and the ids and MAC addresses EC2 hands out.
 */
import { randomBytes } from 'node:crypto';

/** An EC2 resource id: the type prefix and 17 lowercase hex digits (vpc-0a1b…). */
export function ec2Id(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** A locally administered unicast MAC address, as EC2's interfaces have (02:…). */
export function macAddress(): string {
  const bytes = randomBytes(5);
  return ['02', ...Array.from(bytes, (b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** The 32-bit value of a dotted IPv4 address, or undefined. Accepts IPv4-mapped IPv6 (::ffff:a.b.c.d). */
export function ipv4Value(address: string): number | undefined {
  const text = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** A parsed IPv4 CIDR block: network address and prefix length. */
export function parseCidr4(cidr: string): { network: number; prefix: number } | undefined {
  const [address, bits, extra] = cidr.split('/');
  if (address === undefined || bits === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  const value = ipv4Value(address);
  if (value === undefined || prefix > 32 || address.includes(':')) return undefined;
  return { network: value, prefix };
}

/** True when the IPv4 `address` lies in `cidr` (host bits of the block are ignored). */
export function cidr4Contains(cidr: string, address: string): boolean {
  const block = parseCidr4(cidr);
  const value = ipv4Value(address);
  if (!block || value === undefined) return false;
  const size = 2 ** (32 - block.prefix);
  const start = Math.floor(block.network / size) * size;
  return value >= start && value < start + size;
}

/** The number of addresses in an IPv4 block. */
export function cidr4Size(cidr: string): number {
  const block = parseCidr4(cidr);
  return block ? 2 ** (32 - block.prefix) : 0;
}

/** A syntactically valid IPv6 CIDR (loose: hex groups, colons, one prefix length ≤ 128). */
export function isCidr6(cidr: string): boolean {
  const [address, bits, extra] = cidr.split('/');
  if (
    address === undefined ||
    bits === undefined ||
    extra !== undefined ||
    !/^\d{1,3}$/.test(bits) ||
    Number(bits) > 128
  )
    return false;
  return /^[0-9a-fA-F:]+$/.test(address) && address.includes(':');
}

/** True when the IPv6 `address` lies in `cidr`; only the any-address block ::/0 and exact /128s are evaluated. */
export function cidr6Contains(cidr: string, address: string): boolean {
  if (!address.includes(':') || address.toLowerCase().startsWith('::ffff:')) return false;
  if (cidr.endsWith('/0')) return true;
  return cidr.toLowerCase() === `${address.toLowerCase()}/128`;
}
