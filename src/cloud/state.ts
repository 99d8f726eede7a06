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
import { accountFixedError, resourcesHeld } from './account-id.js';

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
  /** The region the data directory was created in: its regional tables are in state.db (cloud/regions.ts). */
  readonly homeRegion: string;
  /** The region of calls that name none and of the CLI's own calls (`dockyard up --region`). */
  readonly region: string;
  /** The account id this start changed from (`dockyard up --account-id`), when it changed. */
  readonly previousAccountId: string | undefined;

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
    this.homeRegion = settled.homeRegion;
    this.region = settled.region;
    this.previousAccountId = settled.previousAccountId;
    this.iam = new IamStore(this.db, this.accountId, clock);
    this.credentials = new CredentialStore(this.db, this.accountId, this.iam);
    // No role exists (or the change was refused), so no session can: the root key moves over.
    if (settled.previousAccountId !== undefined) this.credentials.moveToAccount(this.accountId);
    this.keys = new SigningKeys(this.db, clock);
    this.issuer = new OidcIssuer(this.keys, clock, { issuer: config.issuer });
    this.webIdentityDecisions = new WebIdentityDecisions(this.db);
    const root = this.credentials.ensureRootKey(this.accountId, clock.now());
    this.admin = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey, accountId: this.accountId };
    if (!existsSync(files.admin) || settled.previousAccountId !== undefined)
      writeFileAtomic(files.admin, `${JSON.stringify(this.admin, null, 2)}\n`, 0o600);
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

/** The account and regions a data directory's cloud answers as. */
interface Identity {
  accountId: string;
  homeRegion: string;
  region: string;
  previousAccountId?: string;
}

/**
 * The account id and the home region are fixed when a data directory is first used. The
 * account id may change while no resource carries it in its ARN (cloud/account-id.ts); the
 * default region may change at any start (every region is served; it only says which one
 * clients are pointed at). Settings: account_id, region (the home region), default_region.
 */
function settleIdentity(db: Db, config: Pick<CloudConfig, 'accountId' | 'region' | 'dataDir'>): Identity {
  migrate(db, 'cloud', ['CREATE TABLE cloud_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)']);
  const read = (name: string) =>
    (db.prepare('SELECT value FROM cloud_settings WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  const write = db.prepare('INSERT OR REPLACE INTO cloud_settings (name, value) VALUES (?, ?)');
  const stored = { accountId: read('account_id'), homeRegion: read('region') };
  if (stored.accountId === undefined || stored.homeRegion === undefined) {
    const settled = { accountId: config.accountId ?? DEFAULTS.accountId, region: config.region ?? DEFAULTS.region };
    db.transaction(() => {
      write.run('account_id', settled.accountId);
      write.run('region', settled.region);
    })();
    return { accountId: settled.accountId, homeRegion: settled.region, region: settled.region };
  }
  const identity: Identity = {
    accountId: stored.accountId,
    homeRegion: stored.homeRegion,
    region: read('default_region') ?? stored.homeRegion,
  };
  if (config.region !== undefined && config.region !== identity.region) {
    write.run('default_region', config.region);
    identity.region = config.region;
  }
  if (config.accountId !== undefined && config.accountId !== stored.accountId) {
    const held = resourcesHeld(db, config.dataDir, stored.homeRegion);
    if (held.length > 0) throw accountFixedError(config.dataDir, stored.accountId, config.accountId, held);
    write.run('account_id', config.accountId);
    identity.previousAccountId = stored.accountId;
    identity.accountId = config.accountId;
  }
  return identity;
}
