/**
 * Issues dockyard's X.509 certificates: a certificate authority (one per data directory) and
 * the server certificates it signs. Keys are ECDSA P-256 (fast to make, accepted by Go's
 * crypto/tls, OpenSSL and Node alike), made and used through Node's WebCrypto; the
 * certificates are built by @peculiar/x509 (MIT), which needs a Reflect metadata polyfill
 * (reflect-metadata, Apache-2.0) for its dependency injection.
 *
 * Both are loaded only when something is issued (a first start, a renewal): together they
 * take ~100 ms to import, which `dockyard up` must not pay on every start. Checking what is
 * on disk needs only node:crypto (cloud-certificates.ts).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { NAME_CONSTRAINTS_OID, nameConstraintsDer, type PermittedNames } from './name-constraints.js';

/** A private key (PKCS#8 PEM) and its certificate (PEM). */
export interface KeyAndCertificate {
  keyPem: string;
  certPem: string;
}

/** The names a server certificate is valid for: its subjectAltName entries. */
export interface SubjectNames {
  /** DNS names; a leading `*.` is a wildcard for one label, as TLS clients read it. */
  dns: readonly string[];
  /** IPv4 and IPv6 addresses. */
  ip: readonly string[];
}

/** When a certificate is valid. */
export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

type X509Module = typeof import('@peculiar/x509');
let library: Promise<X509Module> | undefined;

/** @peculiar/x509, loaded on first use (see the header). */
function x509(): Promise<X509Module> {
  library ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return library;
}

/**
 * A positive serial number of 16 random bytes (RFC 5280 §4.1.2.2: unique per CA, at most 20
 * octets; CA/Browser rules ask for 64 bits of randomness), as the hex the library takes.
 */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01; // positive, and no leading zero octet to strip
  return bytes.toString('hex');
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

async function importKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

/**
 * A new certificate authority: self-signed, `CA:TRUE` with path length 0 (it signs server
 * certificates, never another CA), key usage keyCertSign and cRLSign only, and, given
 * `permitted`, critical name constraints limiting it to those names (./name-constraints.ts).
 */
export async function createCertificateAuthority(options: {
  commonName: string;
  validity: Validity;
  permitted?: PermittedNames;
}): Promise<KeyAndCertificate> {
  const lib = await x509();
  const keys = await newKeyPair();
  const cert = await lib.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: [{ O: ['dockyard'] }, { CN: [options.commonName] }],
      notBefore: options.validity.notBefore,
      notAfter: options.validity.notAfter,
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new lib.BasicConstraintsExtension(true, 0, true),
        new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
        await lib.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        ...(options.permitted === undefined
          ? []
          : [new lib.Extension(NAME_CONSTRAINTS_OID, true, nameConstraintsDer(options.permitted))]),
      ],
    },
    webcrypto,
  );
  return { keyPem: await exportKeyPem(keys.privateKey), certPem: cert.toString('pem') + '\n' };
}

/**
 * A server certificate signed by `ca` for `names` (at least one): a fresh key, `CA:FALSE`,
 * key usage digitalSignature, extended key usage serverAuth, the names as subjectAltName
 * (TLS clients ignore the subject's CN when a SAN is present; the CN is the first name, for
 * people reading it).
 */
export async function issueServerCertificate(
  ca: KeyAndCertificate,
  options: { names: SubjectNames; validity: Validity },
): Promise<KeyAndCertificate> {
  const { dns, ip } = options.names;
  const first = dns[0] ?? ip[0];
  if (first === undefined) throw new Error('a server certificate needs at least one name');
  const lib = await x509();
  const caCert = new lib.X509Certificate(ca.certPem);
  const keys = await newKeyPair();
  const cert = await lib.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: [{ CN: [first] }],
      issuer: caCert.subjectName,
      notBefore: options.validity.notBefore,
      notAfter: options.validity.notAfter,
      publicKey: keys.publicKey,
      signingKey: await importKeyPem(ca.keyPem),
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new lib.BasicConstraintsExtension(false, undefined, true),
        new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
        new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
        new lib.SubjectAlternativeNameExtension([
          ...dns.map((value) => ({ type: 'dns' as const, value })),
          ...ip.map((value) => ({ type: 'ip' as const, value })),
        ]),
        await lib.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        await lib.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { keyPem: await exportKeyPem(keys.privateKey), certPem: cert.toString('pem') + '\n' };
}
