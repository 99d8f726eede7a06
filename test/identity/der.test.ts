/** The DER encoder behind the signing keys' certificates, against known encodings. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bitString,
  explicit,
  integer,
  objectIdentifier,
  sequence,
  time,
  tlv,
  utf8String,
} from '../../src/identity/der.js';

const hex = (buffer: Buffer): string => buffer.toString('hex');

describe('DER encoding', () => {
  it('encodes object identifiers in base 128', () => {
    assert.equal(hex(objectIdentifier('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
    assert.equal(hex(objectIdentifier('2.5.4.3')), '0603550403');
    assert.throws(() => objectIdentifier('1'), RangeError);
  });

  it('encodes integers as positive, minimal two-complement', () => {
    assert.equal(hex(integer(0)), '020100');
    assert.equal(hex(integer(2)), '020102');
    assert.equal(hex(integer(127)), '02017f');
    assert.equal(hex(integer(128)), '02020080');
    assert.equal(hex(integer(65537)), '0203010001');
    assert.equal(hex(integer(Buffer.from([0, 0, 0xff]))), '020200ff');
    assert.throws(() => integer(-1), RangeError);
  });

  it('uses the long length form from 128 bytes on', () => {
    assert.equal(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4), '047f');
    assert.equal(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6), '048180');
    assert.equal(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8), '0482012c');
  });

  it('encodes strings, bit strings, sequences and explicit tags', () => {
    assert.equal(hex(utf8String('hé')), '0c0368c3a9');
    assert.equal(hex(bitString(Buffer.from([0x80]), 7)), '03020780');
    assert.equal(hex(sequence()), '3000');
    assert.equal(hex(explicit(3, sequence())), 'a3023000');
  });

  it('switches from UTCTime to GeneralizedTime outside 1950–2049', () => {
    assert.equal(time(new Date('2026-03-01T12:34:56.789Z')).toString('latin1'), '\x17\x0d260301123456Z');
    assert.equal(time(new Date('2050-01-01T00:00:00Z')).toString('latin1'), '\x18\x0f20500101000000Z');
    assert.equal(time(new Date('1949-12-31T23:59:59Z')).toString('latin1'), '\x18\x0f19491231235959Z');
  });
});
