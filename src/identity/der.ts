/**
 * The handful of DER (ITU-T X.690) encodings a self-signed X.509 certificate needs: lengths,
 * SEQUENCE/SET, INTEGER, OBJECT IDENTIFIER, NULL, BOOLEAN, BIT/OCTET STRING, UTF8String, times
 * and explicit context tags. Written here because node:crypto can parse certificates
 * (X509Certificate) but not build them, and the issuer wants GitHub's certificate thumbprint
 * as its key id.
 *
 * Only what `certificate.ts` uses: no decoding, no SET OF sorting (every SET here holds one
 * element, which is trivially in DER order).
 */

/** Encodes a DER length: short form below 128, otherwise 0x80|n followed by n big-endian bytes. */
function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A tag-length-value triple with the given (single-byte) tag. */
export function tlv(tag: number, ...content: readonly Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

/** SEQUENCE of the already-encoded items. */
export function sequence(...items: readonly Buffer[]): Buffer {
  return tlv(0x30, ...items);
}

/** SET holding exactly one already-encoded item (no sorting needed). */
export function setOf(item: Buffer): Buffer {
  return tlv(0x31, item);
}

/**
 * A non-negative INTEGER from a small number or big-endian magnitude bytes. Leading zero bytes
 * are dropped and one is added back when the top bit is set, so the value stays positive.
 */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER integer out of range: ${value}`);
    const digits: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) digits.unshift(n & 0xff);
    bytes = Buffer.from(digits);
  } else {
    let start = 0;
    while (start < value.length && value[start] === 0) start++;
    bytes = value.subarray(start);
  }
  if (bytes.length === 0) bytes = Buffer.from([0]);
  else if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** OBJECT IDENTIFIER from dotted form, e.g. `1.2.840.113549.1.1.11`. */
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => Number(arc));
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new RangeError(`not an object identifier: ${dotted}`);
  }
  const [first, second, ...rest] = arcs as [number, number, ...number[]];
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    // Base-128, most significant group first, continuation bit on all but the last.
    const groups: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** NULL. */
export function nullValue(): Buffer {
  return Buffer.from([0x05, 0x00]);
}

/** BOOLEAN (DER: true is 0xFF). */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** BIT STRING whose last byte has `unusedBits` padding bits. */
export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.from([unusedBits]), bytes);
}

/** OCTET STRING. */
export function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

/** UTF8String. */
export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/**
 * A certificate validity time as RFC 5280 §4.1.2.5 requires: UTCTime (YYMMDDHHMMSSZ) for the
 * years 1950–2049, GeneralizedTime (YYYYMMDDHHMMSSZ) otherwise. Milliseconds are dropped.
 */
export function time(date: Date): Buffer {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const year = date.getUTCFullYear();
  const rest =
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  if (year >= 1950 && year <= 2049) return tlv(0x17, Buffer.from(pad(year % 100) + rest, 'ascii'));
  return tlv(0x18, Buffer.from(pad(year, 4) + rest, 'ascii'));
}

/** `[n] EXPLICIT` context-specific constructed tag around one encoded value. */
export function explicit(tagNumber: number, content: Buffer): Buffer {
  if (tagNumber < 0 || tagNumber > 30) throw new RangeError(`unsupported context tag [${tagNumber}]`);
  return tlv(0xa0 | tagNumber, content);
}
