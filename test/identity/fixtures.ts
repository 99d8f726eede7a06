/**
 * Shared set-up for the identity tests: a real SQLite file in a temporary directory (the same
 * code path as a real data dir), a ManualClock, and the algorithms dockyard's STS accepts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { GITHUB_ACTIONS_ISSUER, OidcIssuer, SigningKeys } from '../../src/identity/index.js';

/** What the STS passes to jwtVerify: asymmetric algorithms only. */
export const STS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** 2026-03-01T12:00:00Z, a whole second so iat arithmetic is exact. */
export const START = new Date('2026-03-01T12:00:00.000Z');

/** A temporary data directory holding one database file. */
export class TempDatabase {
  readonly dir = mkdtempSync(join(tmpdir(), 'dockyard-identity-'));
  readonly file = join(this.dir, 'dockyard.db');
  private open: Db[] = [];

  /** Opens (or reopens) the database file. */
  connect(): Db {
    const db = openDatabase(this.file);
    this.open.push(db);
    return db;
  }

  dispose(): void {
    for (const db of this.open) if (db.open) db.close();
    this.open = [];
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An issuer over a fresh database with a ManualClock at START. */
export interface IssuerFixture {
  temp: TempDatabase;
  db: Db;
  clock: ManualClock;
  keys: SigningKeys;
  issuer: OidcIssuer;
}

export async function createIssuer(issuerUrl = GITHUB_ACTIONS_ISSUER): Promise<IssuerFixture> {
  const temp = new TempDatabase();
  const db = temp.connect();
  const clock = new ManualClock(START);
  const keys = await SigningKeys.open(db, clock);
  return { temp, db, clock, keys, issuer: new OidcIssuer(keys, clock, { issuer: issuerUrl }) };
}

/** Decodes one base64url JWT segment as JSON. */
export function decodeSegment(segment: string | undefined): Record<string, unknown> {
  if (segment === undefined) throw new Error('JWT segment missing');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Encodes a JSON value as one base64url JWT segment. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
