/**
 * The cloud's regions. Every regional service (ECR, ECS, EC2, CloudWatch Logs, Secrets
 * Manager, SSM) keeps its state per region, as on AWS; IAM and STS are global. A region is a
 * SQLite database of the regional services' tables with its stores and service instances over
 * them, opened on the first authenticated call that names it (its SigV4 scope) and on every
 * start after that:
 *
 *   state.db                 the home region (the one the data directory was created in) —
 *                            where its tables always were, so older data directories are
 *                            already in their region — beside the global state
 *   regions/<region>.db      every other region
 *
 * A database per region keeps regions apart by construction (no query can see another
 * region's rows, and each service's tables and migrations stay as they are). The price: what
 * spans regions goes through this class (the runtime, housekeeping, blob collection, the
 * account-id change check), and each open region holds one more SQLite connection.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { registryPrefix } from '../core/ecr-address.js';
import type { ImageStore } from '../core/image-store.js';
import type { ServiceDefinition } from '../core/operation.js';
import { AWS_REGIONS, isAwsRegion, regionOfArn } from '../core/regions.js';
import { createEc2Service } from '../services/ec2/index.js';
import { Ec2Store } from '../services/ec2/store.js';
import { createEcrService, EcrImageStore, LifecycleRunner, type RegistryTokenIssuer } from '../services/ecr/index.js';
import { createEcsService, EcsStore } from '../services/ecs/index.js';
import type { RoleLookup } from '../services/ecs/deps.js';
import type { EcsChange } from '../services/ecs/changes.js';
import type { Service } from '../services/ecs/model.js';
import { createLogsService } from '../services/logs/index.js';
import { LogsStore } from '../services/logs/store.js';
import { createSecretsManagerService, SecretsStore } from '../services/secretsmanager/index.js';
import { createSsmService, ParameterStore } from '../services/ssm/index.js';
import { openDatabase, type Db } from '../store/database.js';

/** One region's state and services. */
export interface Region {
  readonly name: string;
  readonly db: Db;
  readonly images: EcrImageStore;
  readonly lifecycle: LifecycleRunner;
  readonly ec2: Ec2Store;
  readonly logs: LogsStore;
  readonly ecs: EcsStore;
  readonly secrets: SecretsStore;
  readonly parameters: ParameterStore;
  /** ECR, ECS, EC2, Logs, Secrets Manager and SSM over this region's stores. */
  readonly services: readonly ServiceDefinition[];
}

export interface RegionsDeps {
  dataDir: string;
  /** state.db, which holds the home region's tables. */
  homeDb: Db;
  homeRegion: string;
  accountId: string;
  /** `localhost:PORT`: the registry as the engine reaches it. */
  registryHost: string;
  blobs: ConstructorParameters<typeof EcrImageStore>[1]['blobs'];
  tokens: RegistryTokenIssuer;
  roles: RoleLookup;
  clock: Clock;
}

/** Where the databases of the regions other than the home region live. */
export function regionsDir(dataDir: string): string {
  return join(dataDir, 'regions');
}

/** The regions a data directory holds state for: the home region and each regions/<name>.db. */
export function storedRegions(dataDir: string, homeRegion: string): string[] {
  const dir = regionsDir(dataDir);
  const others = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.db'))
        .map((f) => f.slice(0, -'.db'.length))
        .filter((r) => isAwsRegion(r) && r !== homeRegion)
    : [];
  return [homeRegion, ...others.sort()];
}

/** Opens (creating when absent) the database of `region`; the home region's is state.db. */
export function openRegionDatabase(dataDir: string, region: string): Db {
  return openDatabase(join(regionsDir(dataDir), `${region}.db`));
}

export class Regions {
  private readonly open = new Map<string, Region>();
  private readonly listeners = new Set<(region: Region) => void>();

  constructor(private readonly deps: RegionsDeps) {
    for (const name of storedRegions(deps.dataDir, deps.homeRegion)) this.get(name);
  }

  get homeRegion(): string {
    return this.deps.homeRegion;
  }

  /** Whether the cloud serves `name` (every region of AWS's commercial partition). */
  serves(name: string): boolean {
    return isAwsRegion(name);
  }

  /** The region's state, opened on first use. Throws for a region the cloud does not serve. */
  get(name: string): Region {
    const known = this.open.get(name);
    if (known) return known;
    if (!this.serves(name)) throw new Error(`${name} is not a region (${AWS_REGIONS.length} regions are served)`);
    const region = this.build(name);
    this.open.set(name, region);
    for (const listener of this.listeners) listener(region);
    return region;
  }

  /** The regions opened so far, the home region first. */
  list(): Region[] {
    return [...this.open.values()];
  }

  /** The images of a served region (the registry's view), undefined for any other name. */
  imagesIn(name: string): ImageStore | undefined {
    return this.serves(name) ? this.get(name).images : undefined;
  }

  /** Calls `listener` for every region opened from now on; returns the function that stops it. */
  onOpen(listener: (region: Region) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Blob references across every region: a blob is garbage only when no region's images
   * reference it (the blob store is shared).
   */
  unreferencedBlobs(candidates: Iterable<string>): string[] {
    let left = [...candidates];
    for (const region of this.open.values()) left = region.images.unreferencedBlobs(left);
    return left;
  }

  /** ECS's change feeds of every region as one, regions opened later included. */
  subscribeEcs(listener: (change: EcsChange) => void): () => void {
    const stops = this.list().map((r) => r.ecs.changes.subscribe(listener));
    const stopOpening = this.onOpen((r) => stops.push(r.ecs.changes.subscribe(listener)));
    return () => {
      stopOpening();
      for (const stop of stops) stop();
    };
  }

  /** An ECS service by its ARN, in the region the ARN names. */
  ecsService(arn: string): Service | undefined {
    const region = regionOfArn(arn);
    return region !== undefined && this.open.has(region) ? this.get(region).ecs.services.get(arn) : undefined;
  }

  /** Closes the databases of the regions other than the home region (state.db is the cloud's). */
  close(): void {
    for (const region of this.open.values()) if (region.db !== this.deps.homeDb) region.db.close();
    this.open.clear();
  }

  private build(name: string): Region {
    const { deps } = this;
    const db = name === deps.homeRegion ? deps.homeDb : openRegionDatabase(deps.dataDir, name);
    const partition = { accountId: deps.accountId, region: name };
    // Repository URIs and the proxyEndpoint name the region (core/ecr-address.ts).
    const registryHost = registryPrefix(
      { accountId: deps.accountId, homeRegion: deps.homeRegion, registryHost: deps.registryHost },
      name,
    );
    const images = new EcrImageStore(db, { ...partition, registryHost, blobs: deps.blobs });
    const ec2 = new Ec2Store(db, partition);
    const logs = new LogsStore(db, partition);
    const ecs = new EcsStore(db, partition);
    const secrets = new SecretsStore(db, partition);
    const parameters = new ParameterStore(db, partition);
    const services = [
      createEcrService({ images, tokens: deps.tokens, registryHost, ...partition }),
      createEcsService({ store: ecs, roles: deps.roles, network: ec2, registryHost: deps.registryHost }),
      createEc2Service(ec2),
      createLogsService(logs),
      createSecretsManagerService(secrets),
      createSsmService(parameters),
    ];
    return {
      name,
      db,
      images,
      lifecycle: new LifecycleRunner(images),
      ec2,
      logs,
      ecs,
      secrets,
      parameters,
      services,
    };
  }
}
