/**
 * A minimal self-signed X.509 v3 certificate around an RSA signing key, and its thumbprint.
 *
 * Why a certificate at all: GitHub's `kid` is the uppercase hex SHA-1 thumbprint of the
 * certificate that carries its signing key, `x5t` is the same 20 bytes in base64url, and its
 * JWKS lists the certificate in `x5c`. Producing a real certificate lets dockyard reproduce all
 * three exactly rather than approximating the kid from the bare public key.
 *
 * The certificate is never used for TLS or chain building; it only has to be well-formed (node's
 * X509Certificate parses it and its self-signature verifies) and stable once stored, because the
 * thumbprint covers every byte, serial number and validity included.
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  time,
  utf8String,
} from './der.js';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const KEY_USAGE = '2.5.29.15';
const BASIC_CONSTRAINTS = '2.5.29.19';

/** What goes into a signing key's certificate. */
export interface CertificateOptions {
  /** The RSA private key that signs the certificate (it is self-signed). */
  privateKey: KeyObject;
  /** Its public half, embedded as the SubjectPublicKeyInfo. */
  publicKey: KeyObject;
  /** Subject and issuer common name. */
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Positive serial number bytes; 16 random bytes when omitted. */
  serialNumber?: Buffer;
}

/** Builds a DER-encoded, self-signed (sha256WithRSAEncryption) X.509 v3 certificate. */
export function createSelfSignedCertificate(options: CertificateOptions): Buffer {
  if (options.privateKey.asymmetricKeyType !== 'rsa' || options.publicKey.asymmetricKeyType !== 'rsa') {
    // The signature algorithm identifier below is fixed to RSA PKCS#1 v1.5 with SHA-256.
    throw new TypeError('createSelfSignedCertificate needs an RSA key pair');
  }
  const serial = options.serialNumber ?? randomSerial();
  const algorithm = sequence(objectIdentifier(SHA256_WITH_RSA), nullValue());
  const name = sequence(setOf(sequence(objectIdentifier(COMMON_NAME), utf8String(options.commonName))));
  const spki = options.publicKey.export({ type: 'spki', format: 'der' });
  const extensions = sequence(
    // keyUsage (critical): digitalSignature only, bit 0 → one byte 0x80 with 7 unused bits.
    sequence(objectIdentifier(KEY_USAGE), boolean(true), octetString(bitString(Buffer.from([0x80]), 7))),
    // basicConstraints: cA defaults to FALSE, so DER leaves the SEQUENCE empty.
    sequence(objectIdentifier(BASIC_CONSTRAINTS), octetString(sequence())),
  );
  const tbs = sequence(
    explicit(0, integer(2)), // version v3
    integer(serial),
    algorithm,
    name, // issuer
    sequence(time(options.notBefore), time(options.notAfter)),
    name, // subject
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, options.privateKey);
  return sequence(tbs, algorithm, bitString(signature));
}

/** The SHA-1 thumbprint of a DER certificate: the 20 bytes behind GitHub's `kid` and `x5t`. */
export function certificateThumbprint(der: Buffer): Buffer {
  return createHash('sha1').update(der).digest();
}

function randomSerial(): Buffer {
  const serial = randomBytes(16);
  // Clear the sign bit and set the next one: positive, and always exactly 16 bytes long.
  serial[0] = ((serial[0] as number) & 0x7f) | 0x40;
  return serial;
}
