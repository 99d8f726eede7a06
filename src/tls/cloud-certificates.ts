/**
 * A cloud's TLS material, in `<data>/tls/`: its certificate authority (`ca-key.pem`, never
 * copied anywhere; `ca.crt`, what clients trust) and the server certificate the CA signs for
 * the names the cloud answers to (`server-key.pem`, `server.pem`), every file 0600 as all in a
 * data directory (the engine trusts a copy of `ca.crt` in its certs.d, engine-trust.ts). Only
 * the CA certificate ends in `.crt` and no file in `.key`, so the directory itself works as
 * a containers/image certificate directory (`skopeo --cert-dir <data>/tls`), which reads
 * every `*.crt` as a CA and wants a `*.cert` beside every `*.key`.
 *
 * Start-up reads what is there with node:crypto alone (`current`, well under a millisecond)
 * and uses it while it is good: signed by the CA, for exactly the wanted names, and not in its
 * last stretch. Otherwise `ensure` issues what is missing (certificate-issuer.ts): a new
 * server certificate, and a new CA too when the CA is missing, broken or about to end. Server
 * certificates are short-lived (30 days, renewed with 10 left); the running cloud calls
 * `ensure` on its housekeeping schedule, so it renews without a restart.
 *
 * Certificates are checked against the wall clock, never an injected one: real TLS clients
 * verify them against real time.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/files.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';
import {
  createCertificateAuthority,
  issueServerCertificate,
  type KeyAndCertificate,
  type SubjectNames,
} from './certificate-issuer.js';
import { hasNameConstraints, type PermittedNames } from './name-constraints.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long certificates live and when they are replaced. */
export const CERTIFICATE_LIFETIMES = {
  caDays: 365,
  /** A CA with fewer days left is replaced (with a new server certificate). */
  caRenewWithinDays: 30,
  serverDays: 30,
  serverRenewWithinDays: 10,
  /** notBefore is set this far back, for clients whose clock is slightly behind. */
  backdateMs: 60 * 60 * 1000,
} as const;

/** What a TLS server needs, and the CA that clients trust. */
export interface ServerCredentials {
  key: string;
  cert: string;
  caCert: string;
}

/** The names every cloud's certificate carries: how local clients reach it. */
export const LOOPBACK_NAMES: SubjectNames = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] };

/** The files of a data directory's TLS material. */
export function tlsFiles(dataDir: string) {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    caKey: join(dir, 'ca-key.pem'),
    caCert: join(dir, 'ca.crt'),
    serverKey: join(dir, 'server-key.pem'),
    serverCert: join(dir, 'server.pem'),
  };
}

export class CloudCertificates {
  private readonly files: ReturnType<typeof tlsFiles>;
  private readonly wanted: string[];
  /** One issuance at a time (start-up and housekeeping may both ask). */
  private issuing: Promise<ServerCredentials> | undefined;

  /**
   * `now`: the wall clock by default (see the header); tests pass another instant. `permitted`:
   * the CA's name constraints; a CA without exactly these is replaced.
   */
  constructor(
    dataDir: string,
    private readonly names: SubjectNames,
    private readonly now: () => Date = () => new Date(),
    private readonly permitted?: PermittedNames,
  ) {
    this.files = tlsFiles(dataDir);
    this.wanted = canonicalNames(names);
  }

  /** The CA certificate's path (PEM): what a client is told to trust. */
  get caCertPath(): string {
    return this.files.caCert;
  }

  /** The material on disk if it is good (see the header), else undefined. Reads only. */
  current(): ServerCredentials | undefined {
    const ca = this.readCa();
    return ca ? this.readServer(ca) : undefined;
  }

  /** The current material, or newly issued material when it is not good. */
  ensure(): Promise<ServerCredentials> {
    const good = this.current();
    if (good) return Promise.resolve(good);
    this.issuing ??= this.issue().finally(() => (this.issuing = undefined));
    return this.issuing;
  }

  private async issue(): Promise<ServerCredentials> {
    makePrivateDir(this.files.dir);
    const now = this.now();
    let ca = this.readCa();
    if (!ca) {
      const created = await createCertificateAuthority({
        commonName: `dockyard local CA ${randomBytes(4).toString('hex')}`,
        validity: this.validity(now, CERTIFICATE_LIFETIMES.caDays),
        ...(this.permitted === undefined ? {} : { permitted: this.permitted }),
      });
      // Key first: a crash between the two writes leaves a pair that does not match, which
      // the next start replaces.
      writeFileAtomic(this.files.caKey, created.keyPem, PRIVATE_FILE_MODE);
      writeFileAtomic(this.files.caCert, created.certPem, PRIVATE_FILE_MODE);
      ca = created;
    }
    const server = await issueServerCertificate(ca, {
      names: this.names,
      validity: this.validity(now, CERTIFICATE_LIFETIMES.serverDays),
    });
    writeFileAtomic(this.files.serverKey, server.keyPem, PRIVATE_FILE_MODE);
    writeFileAtomic(this.files.serverCert, server.certPem, PRIVATE_FILE_MODE);
    return { key: server.keyPem, cert: server.certPem, caCert: ca.certPem };
  }

  private validity(now: Date, days: number) {
    return {
      notBefore: new Date(now.getTime() - CERTIFICATE_LIFETIMES.backdateMs),
      notAfter: new Date(now.getTime() + days * DAY_MS),
    };
  }

  /** The CA on disk, if it is a CA, its key matches, it has the wanted constraints and more than the renewal margin left. */
  private readCa(): KeyAndCertificate | undefined {
    const pair = readPair(this.files.caKey, this.files.caCert);
    if (!pair || !pair.cert.ca || !this.lastsBeyond(pair.cert, CERTIFICATE_LIFETIMES.caRenewWithinDays))
      return undefined;
    if (this.permitted !== undefined && !hasNameConstraints(pair.cert.raw, this.permitted)) return undefined;
    return { keyPem: pair.keyPem, certPem: pair.certPem };
  }

  /** The server certificate on disk, if `ca` signed it for exactly the wanted names and it lasts. */
  private readServer(ca: KeyAndCertificate): ServerCredentials | undefined {
    const pair = readPair(this.files.serverKey, this.files.serverCert);
    if (!pair || pair.cert.ca) return undefined;
    const caCert = new X509Certificate(ca.certPem);
    if (!pair.cert.checkIssued(caCert) || !pair.cert.verify(caCert.publicKey)) return undefined;
    if (!this.lastsBeyond(pair.cert, CERTIFICATE_LIFETIMES.serverRenewWithinDays)) return undefined;
    if (!sameNames(subjectAltNames(pair.cert), this.wanted)) return undefined;
    return { key: pair.keyPem, cert: pair.certPem, caCert: ca.certPem };
  }

  private lastsBeyond(cert: X509Certificate, days: number): boolean {
    const now = this.now().getTime();
    return Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) - now > days * DAY_MS;
  }
}

/** A key and certificate read from disk, if both parse and belong together. */
function readPair(
  keyPath: string,
  certPath: string,
): { keyPem: string; certPem: string; cert: X509Certificate } | undefined {
  try {
    const keyPem = readFileSync(keyPath, 'utf8');
    const certPem = readFileSync(certPath, 'utf8');
    const cert = new X509Certificate(certPem);
    return cert.checkPrivateKey(createPrivateKey(keyPem)) ? { keyPem, certPem, cert } : undefined;
  } catch {
    return undefined; // missing or unreadable: issue anew
  }
}

/**
 * The subjectAltName entries as `dns:NAME` / `ip:ADDRESS` strings. Node renders them as
 * `DNS:localhost, IP Address:0:0:0:0:0:0:0:1` (IPv6 uncompressed).
 */
export function subjectAltNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry !== '')
    .map((entry) =>
      entry.startsWith('DNS:')
        ? `dns:${entry.slice(4).toLowerCase()}`
        : entry.startsWith('IP Address:')
          ? `ip:${canonicalIp(entry.slice(11))}`
          : entry,
    );
}

function canonicalNames(names: SubjectNames): string[] {
  return [...names.dns.map((d) => `dns:${d.toLowerCase()}`), ...names.ip.map((ip) => `ip:${canonicalIp(ip)}`)];
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sorted = (x: readonly string[]) => [...new Set(x)].sort().join('\n');
  return sorted(a) === sorted(b);
}

/** IPv6 in one spelling (eight groups, no leading zeros, lower case); IPv4 as it is. */
function canonicalIp(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16)).join(':');
}
