/**
 * The cloud's state without its server: the database and every store over it. `dockyard up`
 * wraps it in a server; offline commands (`dockyard token`, `dockyard trust check`) open it
 * directly — SQLite in WAL mode lets them read and write beside a running cloud.
 */
import { chmodSync, existsSync } from 'node:fs';
import { CredentialStore } from '../auth/credentials.js';
import { OidcIssuer, SigningKeys } from '../identity/index.js';
import { IamStore } from '../services/iam/store.js';
import { WebIdentityDecisions } from '../services/sts/decisions.js';
import { openDatabase, migrate, type Db } from '../store/database.js';
import { writeFileAtomic } from '../store/files.js';
import { makePrivateDir, PRIVATE_DIR_MODE, tightenTree } from '../store/private-files.js';
import type { Clock } from '../core/clock.js';
import { DEFAULTS, dataFiles, type CloudConfig } from './config.js';

export interface AdminKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export class CloudState {
  readonly db: Db;
  readonly credentials: CredentialStore;
  readonly iam: IamStore;
  readonly keys: SigningKeys;
  readonly issuer: OidcIssuer;
  /** STS's recent AssumeRoleWithWebIdentity decisions (the console's trust view shows them). */
  readonly webIdentityDecisions: WebIdentityDecisions;
  readonly admin: AdminKey;
  readonly accountId: string;
  readonly region: string;

  constructor(
    config: Pick<CloudConfig, 'dataDir' | 'accountId' | 'region' | 'issuer'>,
    readonly clock: Clock,
  ) {
    makePrivateDir(config.dataDir);
    chmodSync(config.dataDir, PRIVATE_DIR_MODE);
    const files = dataFiles(config.dataDir);
    this.db = openDatabase(files.db);
    const settled = settleIdentity(this.db, config);
    tightenOnce(this.db, config.dataDir);
    this.accountId = settled.accountId;
    this.region = settled.region;
    this.iam = new IamStore(this.db, this.accountId, clock);
    this.credentials = new CredentialStore(this.db, this.accountId, this.iam);
    this.keys = new SigningKeys(this.db, clock);
    this.issuer = new OidcIssuer(this.keys, clock, { issuer: config.issuer });
    this.webIdentityDecisions = new WebIdentityDecisions(this.db);
    const root = this.credentials.ensureRootKey(this.accountId, clock.now());
    this.admin = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey, accountId: this.accountId };
    if (!existsSync(files.admin)) writeFileAtomic(files.admin, `${JSON.stringify(this.admin, null, 2)}\n`, 0o600);
  }

  close(): void {
    // Access-key uses and STS's decisions are written in batches: the last ones go before the database closes.
    this.iam.flushAccessKeyUse();
    this.webIdentityDecisions.flush();
    this.db.close();
  }
}

/**
 * Versions before files were created private left 0644 files and 0755 directories (git
 * objects, blobs, logs); the first start of this version takes group and other permissions off
 * them, once: a walk over every blob and git object on each start would slow it down.
 */
function tightenOnce(db: Db, dataDir: string): void {
  if (db.prepare("SELECT 1 FROM cloud_settings WHERE name = 'files_private'").get() !== undefined) return;
  tightenTree(dataDir);
  db.prepare("INSERT OR REPLACE INTO cloud_settings (name, value) VALUES ('files_private', '1')").run();
}

/**
 * The account id and region are fixed when a data directory is first used: ARNs embed them.
 * Asking for another account on an existing directory is refused rather than silently ignored.
 */
function settleIdentity(
  db: Db,
  config: Pick<CloudConfig, 'accountId' | 'region' | 'dataDir'>,
): { accountId: string; region: string } {
  migrate(db, 'cloud', ['CREATE TABLE cloud_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)']);
  const read = (name: string) =>
    (db.prepare('SELECT value FROM cloud_settings WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  const stored = { accountId: read('account_id'), region: read('region') };
  if (stored.accountId === undefined || stored.region === undefined) {
    const settled = { accountId: config.accountId ?? DEFAULTS.accountId, region: config.region ?? DEFAULTS.region };
    const insert = db.prepare('INSERT OR REPLACE INTO cloud_settings (name, value) VALUES (?, ?)');
    db.transaction(() => {
      insert.run('account_id', settled.accountId);
      insert.run('region', settled.region);
    })();
    return settled;
  }
  if (config.accountId !== undefined && stored.accountId !== config.accountId) {
    throw new Error(
      `The data directory ${config.dataDir} belongs to account ${stored.accountId}, not ${config.accountId}. Use another --data directory for another account.`,
    );
  }
  if (config.region !== undefined && stored.region !== config.region) {
    throw new Error(
      `The data directory ${config.dataDir} is a cloud in region ${stored.region}, not ${config.region}. Use another --data directory for another region.`,
    );
  }
  return { accountId: stored.accountId, region: stored.region };
}
