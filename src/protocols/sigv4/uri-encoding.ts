/**
 * RFC 3986 percent-encoding as SigV4 defines it: every byte outside the unreserved set
 * (A-Z a-z 0-9 - _ . ~) becomes %XX with upper-case hex, strings are encoded as UTF-8. Decoding
 * is byte-wise and total: a '%' not followed by two hex digits stays a literal '%', invalid UTF-8
 * never throws (decodeURIComponent would). Both run on every request, so the common case (nothing
 * to encode) returns the input untouched.
 */
import { Buffer } from 'node:buffer';

const HEX = '0123456789ABCDEF';
/** '%XX' for every byte value, precomputed. */
const PERCENT: readonly string[] = Array.from({ length: 256 }, (_, byte) => `%${HEX[byte >> 4]}${HEX[byte & 15]}`);
const SLASH = 0x2f;
const PERCENT_SIGN = 0x25;

const PLAIN = /^[A-Za-z0-9\-._~]*$/;
const PLAIN_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

function encodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (const byte of bytes) {
    out += isUnreserved(byte) || (keepSlash && byte === SLASH) ? String.fromCharCode(byte) : PERCENT[byte];
  }
  return out;
}

/**
 * Encodes `text` (as UTF-8) per RFC 3986, keeping '/' when `keepSlash`. A '%' is data here and
 * becomes %25: this is the "second" encoding SigV4 applies to an already-encoded path.
 */
export function uriEncode(text: string, keepSlash: boolean): string {
  if ((keepSlash ? PLAIN_OR_SLASH : PLAIN).test(text)) return text;
  return encodeBytes(Buffer.from(text, 'utf8'), keepSlash);
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

/** Percent-decodes `text` to bytes. Never throws; malformed escapes are kept literally. */
export function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === PERCENT_SIGN) {
      const high = hexValue(bytes[i + 1]);
      const low = hexValue(bytes[i + 2]);
      if (high >= 0 && low >= 0) {
        out[length++] = (high << 4) | low;
        i += 2;
        continue;
      }
    }
    out[length++] = byte;
  }
  return out.subarray(0, length);
}

/** Percent-decodes a query name or value to text ('+' stays '+': SigV4 is not form encoding). */
export function decodeComponent(raw: string): string {
  return raw.includes('%') ? percentDecode(raw).toString('utf8') : raw;
}

/**
 * The canonical form of one raw query name or value: decoded once, then encoded per RFC 3986, so
 * `%7e`, `~` and `%7E` all become `~`, and `+` or `%2b` become `%2B`.
 */
export function canonicalComponent(raw: string): string {
  if (PLAIN.test(raw)) return raw;
  return raw.includes('%') ? encodeBytes(percentDecode(raw), false) : uriEncode(raw, false);
}
