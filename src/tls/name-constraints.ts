/**
 * X.509 name constraints for the cloud's CA (RFC 5280 §4.2.1.10): the CA may only vouch for the
 * names a cloud answers to (localhost, amazonaws.com and its subdomains, a specific listening
 * name) and addresses (loopback, a specific listening address). A client that trusts the CA
 * (the engine, a job's tools) can then never be fooled by it about any other site, even if its
 * key leaked. Encoded here as DER by hand (two tags of GeneralName), so checking whether a CA on
 * disk carries exactly these constraints needs nothing but its bytes.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The NameConstraints extension's OID. */
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** Names and address ranges a CA is limited to. */
export interface PermittedNames {
  /** DNS names; each permits itself and every name below it. */
  dns: readonly string[];
  /** Address ranges in CIDR form (`127.0.0.0/8`, `::1/128`). */
  ipRanges: readonly string[];
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

/** An address and its mask as the iPAddress GeneralName of a constraint wants them. */
function addressAndMask(cidr: string): Buffer {
  const [address = '', bitsText] = cidr.split('/');
  if (isIPv4(address)) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    return Buffer.concat([Buffer.from(address.split('.').map(Number)), mask(bits, 4)]);
  }
  if (isIPv6(address)) {
    const bits = bitsText === undefined ? 128 : Number(bitsText);
    return Buffer.concat([ipv6Bytes(address), mask(bits, 16)]);
  }
  throw new Error(`not an address range: ${cidr}`);
}

function mask(bits: number, bytes: number): Buffer {
  if (!Number.isInteger(bits) || bits < 0 || bits > bytes * 8) throw new Error(`bad prefix length /${bits}`);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bits; i++) out[i >> 3] = (out[i >> 3] ?? 0) | (0x80 >> (i & 7));
  return out;
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}

/** The DER value of a NameConstraints extension permitting `names` (no excluded subtrees). */
export function nameConstraintsDer(names: PermittedNames): Buffer {
  const subtrees = [
    // GeneralSubtree ::= SEQUENCE { base GeneralName } with dNSName [2] / iPAddress [7], implicit.
    ...names.dns.map((dns) => tlv(0x30, tlv(0x82, Buffer.from(dns.toLowerCase(), 'ascii')))),
    ...names.ipRanges.map((range) => tlv(0x30, tlv(0x87, addressAndMask(range)))),
  ];
  // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees }
  return tlv(0x30, tlv(0xa0, Buffer.concat(subtrees)));
}

/** True when the certificate's DER carries a critical NameConstraints extension with exactly this value. */
export function hasNameConstraints(certificateDer: Buffer, names: PermittedNames): boolean {
  const value = nameConstraintsDer(names);
  // Extension ::= SEQUENCE { extnID 2.5.29.30, critical TRUE, extnValue OCTET STRING (value) }
  const extension = tlv(
    0x30,
    Buffer.concat([Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1e]), Buffer.from([0x01, 0x01, 0xff]), tlv(0x04, value)]),
  );
  return certificateDer.includes(extension);
}
