/**
 * The OIDC issuer's signing keys: RS256, RSA-2048, persisted in SQLite so tokens minted before a
 * restart still verify after it.
 *
 * Lifecycle: exactly one key is *active* (it signs); `rotate()` creates a new active key and
 * *retires* the previous one, which keeps verifying (it stays in the JWKS) until `remove(kid)`.
 * A partial unique index makes "exactly one active" a database invariant, not just a habit.
 *
 * Key ids follow GitHub: every key carries a self-signed X.509 certificate (certificate.ts), the
 * `kid` is the uppercase hex SHA-1 thumbprint of its DER and `x5t` the same 20 bytes in
 * base64url; the certificate is published as `x5c`.
 *
 * Secrets: the private key is stored as a PKCS#8 PEM in the database (the data directory and
 * database file permissions are the integrator's job). In memory, the active private key is
 * imported once, on first use, and the KeyObject is cached, so signing costs one RSA operation.
 *
 * Node's own crypto does the key work (not jose): loading the keys is part of every start, and
 * jose is loaded only when a token is first signed or verified.
 *
 * One SigningKeys instance owns a database's keys; a second instance on the same file would not
 * see the first one's rotations until its next `ensureActive()`.
 */
import { X509Certificate, createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { systemClock, type Clock } from '../core/clock.js';
import { migrate, type Db } from '../store/database.js';
import { certificateThumbprint, createSelfSignedCertificate } from './certificate.js';

/** The JWS algorithm every dockyard OIDC key signs with (GitHub's only one). */
export const SIGNING_ALGORITHM = 'RS256';

const MODULUS_LENGTH = 2048;
const CERTIFICATE_SUBJECT = 'dockyard Actions OIDC token signing';
const CERTIFICATE_LIFETIME_MS = 10 * 365 * 24 * 60 * 60 * 1000;

const MIGRATIONS = [
  `CREATE TABLE identity_signing_keys (
     kid TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
     private_key_pkcs8 TEXT NOT NULL,
     certificate BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     retired_at INTEGER
   ) STRICT;
   CREATE UNIQUE INDEX identity_signing_keys_one_active ON identity_signing_keys (status) WHERE status = 'active';`,
];

/** Whether a key signs new tokens (`active`) or only verifies old ones (`retired`). */
export type SigningKeyStatus = 'active' | 'retired';

/**
 * A key's public JWK as GitHub publishes it. A type alias rather than an interface so it is
 * assignable where an index-signature type is expected (node's JsonWebKey, jose's JWK).
 */
export type RsaPublicJwk = {
  kty: 'RSA';
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
  n: string;
  e: string;
  /** The certificate's SHA-1 thumbprint, base64url. */
  x5t: string;
  /** The self-signed certificate, base64 DER (a chain of one). */
  x5c: string[];
};

/** One signing key as the rest of the module sees it (never the private half). */
export interface SigningKey {
  /** Uppercase hex SHA-1 thumbprint of `certificate` (40 characters), GitHub's kid form. */
  readonly kid: string;
  /** The same thumbprint, base64url. */
  readonly x5t: string;
  readonly status: SigningKeyStatus;
  readonly createdAt: Date;
  readonly retiredAt: Date | undefined;
  /** DER of the key's self-signed X.509 certificate. */
  readonly certificate: Buffer;
  /** For verifying signatures; accepted by jose's `jwtVerify`. */
  readonly publicKey: KeyObject;
  /** The public JWK (do not mutate; `OidcIssuer.jwks()` hands out copies). */
  readonly jwk: Readonly<RsaPublicJwk>;
}

/** What `OidcIssuer` needs to sign: the active key's ids and its imported private key. */
export interface ActiveSigningKey {
  readonly kid: string;
  readonly x5t: string;
  readonly privateKey: KeyObject;
}

interface KeyRow {
  kid: string;
  status: SigningKeyStatus;
  certificate: Buffer;
  created_at: number;
  retired_at: number | null;
}

/** RS256 signing keys stored in the `identity` tables of a dockyard database. */
export class SigningKeys {
  private readonly keys = new Map<string, SigningKey>();
  /** Imported private keys by kid; a promise so concurrent first signers share one import. */
  private readonly privateKeys = new Map<string, Promise<KeyObject>>();
  private activeKid: string | undefined;
  private loaded = false;
  /** Serialises ensureActive/rotate so two callers never both generate a key. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Applies the `identity` migrations; call `ensureActive()` (or use `open`) before signing.
   * The clock stamps creation/retirement times and certificate validity.
   */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {
    migrate(db, 'identity', MIGRATIONS);
  }

  /** Constructs and runs `ensureActive()`: the usual way to start. */
  static async open(db: Db, clock: Clock = systemClock): Promise<SigningKeys> {
    const keys = new SigningKeys(db, clock);
    await keys.ensureActive();
    return keys;
  }

  /** Loads every stored key and generates an active one if there is none. Returns the active key. */
  ensureActive(): Promise<SigningKey> {
    return this.exclusive(async () => {
      await this.load();
      const active = this.activeKid === undefined ? undefined : this.keys.get(this.activeKid);
      return active ?? this.generate();
    });
  }

  /**
   * Re-reads the stored keys: another process on the same data directory (`dockyard token`,
   * a second tool) may have generated or rotated keys since this one loaded them.
   */
  refresh(): Promise<void> {
    return this.exclusive(() => this.load());
  }

  /**
   * Re-reads the keys only when another connection has committed to the database since the
   * last look (SQLite's data_version: about a microsecond to ask). Called before signing and
   * verifying, so a rotation or removal by `dockyard keys` takes effect in a running cloud.
   */
  async syncIfChanged(): Promise<void> {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    if (this.loaded) await this.refresh();
  }

  private dataVersion = -1;

  /** Makes a new active key; the previous one is retired but still verifies until `remove`. */
  rotate(): Promise<SigningKey> {
    return this.exclusive(async () => {
      await this.load();
      return this.generate();
    });
  }

  /**
   * Deletes a retired key: tokens it signed stop verifying. Returns false if no such key exists.
   * Removing the active key is refused (rotate first), so there is always a key to sign with.
   */
  remove(kid: string): boolean {
    const row = this.db.prepare('SELECT status FROM identity_signing_keys WHERE kid = ?').get(kid) as
      { status: SigningKeyStatus } | undefined;
    if (row === undefined) return false;
    if (row.status === 'active') throw new Error(`signing key ${kid} is active; rotate() before removing it`);
    this.db.prepare("DELETE FROM identity_signing_keys WHERE kid = ? AND status = 'retired'").run(kid);
    this.keys.delete(kid);
    this.privateKeys.delete(kid);
    return true;
  }

  /** The active key. */
  active(): SigningKey {
    this.assertLoaded();
    const key = this.activeKid === undefined ? undefined : this.keys.get(this.activeKid);
    if (key === undefined) throw new Error('no active signing key; ensureActive() has not completed');
    return key;
  }

  /** Every key that verifies: the active one first, then retired keys, newest first. */
  list(): SigningKey[] {
    this.assertLoaded();
    return [...this.keys.values()].sort((a, b) => rank(a) - rank(b) || b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** The key with this kid, if it still verifies. */
  get(kid: string): SigningKey | undefined {
    this.assertLoaded();
    return this.keys.get(kid);
  }

  /** The active key ready to sign; its private key is imported on first use and then cached. */
  async signingKey(): Promise<ActiveSigningKey> {
    const { kid, x5t } = this.active();
    let privateKey = this.privateKeys.get(kid);
    if (privateKey === undefined) {
      privateKey = this.importPrivateKey(kid);
      this.privateKeys.set(kid, privateKey);
      // A failed import must not be cached forever.
      privateKey.catch(() => this.privateKeys.delete(kid));
    }
    return { kid, x5t, privateKey: await privateKey };
  }

  private async importPrivateKey(kid: string): Promise<KeyObject> {
    const row = this.db.prepare('SELECT private_key_pkcs8 FROM identity_signing_keys WHERE kid = ?').get(kid) as
      { private_key_pkcs8: string } | undefined;
    if (row === undefined) throw new Error(`signing key ${kid} is no longer stored`);
    return createPrivateKey(row.private_key_pkcs8);
  }

  /** Reads the table into memory, preparing the public side (JWK, KeyObject) of new rows. */
  private async load(): Promise<void> {
    const rows = this.db
      .prepare('SELECT kid, status, certificate, created_at, retired_at FROM identity_signing_keys')
      .all() as KeyRow[];
    const seen = new Set<string>();
    this.activeKid = undefined;
    for (const row of rows) {
      seen.add(row.kid);
      const cached = this.keys.get(row.kid);
      const key = cached !== undefined && cached.status === row.status ? cached : describeKey(row);
      this.keys.set(row.kid, key);
      if (row.status === 'active') this.activeKid = row.kid;
    }
    for (const kid of [...this.keys.keys()]) {
      if (!seen.has(kid)) {
        this.keys.delete(kid);
        this.privateKeys.delete(kid);
      }
    }
    this.loaded = true;
  }

  /** Generates a key, stores it as the active one (retiring the previous), and caches it. */
  private async generate(): Promise<SigningKey> {
    // Generated on libuv's thread pool: the cloud keeps serving meanwhile.
    const pair = await generateRsaKeyPair('rsa', { modulusLength: MODULUS_LENGTH });
    const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const now = this.clock.now();
    const certificate = createSelfSignedCertificate({
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      commonName: CERTIFICATE_SUBJECT,
      notBefore: now,
      notAfter: new Date(now.getTime() + CERTIFICATE_LIFETIME_MS),
    });
    const row: KeyRow = {
      kid: thumbprintHex(certificate),
      status: 'active',
      certificate,
      created_at: now.getTime(),
      retired_at: null,
    };
    const key = describeKey(row);

    const previous = this.activeKid;
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE identity_signing_keys SET status = 'retired', retired_at = ? WHERE status = 'active'")
        .run(now.getTime());
      this.db
        .prepare(
          'INSERT INTO identity_signing_keys (kid, status, private_key_pkcs8, certificate, created_at, retired_at) VALUES (?, ?, ?, ?, ?, NULL)',
        )
        .run(row.kid, row.status, pkcs8, certificate, row.created_at);
    })();

    if (previous !== undefined) {
      const old = this.keys.get(previous);
      if (old !== undefined) this.keys.set(previous, { ...old, status: 'retired', retiredAt: now });
      // Retired keys never sign again; let their private key go.
      this.privateKeys.delete(previous);
    }
    this.keys.set(key.kid, key);
    this.privateKeys.set(key.kid, Promise.resolve(pair.privateKey));
    this.activeKid = key.kid;
    return key;
  }

  private assertLoaded(): void {
    if (!this.loaded) throw new Error('SigningKeys used before ensureActive()');
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function rank(key: SigningKey): number {
  return key.status === 'active' ? 0 : 1;
}

function thumbprintHex(certificate: Buffer): string {
  return certificateThumbprint(certificate).toString('hex').toUpperCase();
}

const generateRsaKeyPair = promisify(generateKeyPair);

function describeKey(row: KeyRow): SigningKey {
  const certificate = Buffer.from(row.certificate);
  const publicKey = new X509Certificate(certificate).publicKey;
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (n === undefined || e === undefined) throw new Error(`signing key ${row.kid} is not an RSA key`);
  const x5t = certificateThumbprint(certificate).toString('base64url');
  return {
    kid: row.kid,
    x5t,
    status: row.status,
    createdAt: new Date(row.created_at),
    retiredAt: row.retired_at === null ? undefined : new Date(row.retired_at),
    certificate,
    publicKey,
    jwk: Object.freeze({
      kty: 'RSA',
      kid: row.kid,
      alg: SIGNING_ALGORITHM,
      use: 'sig',
      n,
      e,
      x5t,
      x5c: [certificate.toString('base64')],
    }),
  };
}
