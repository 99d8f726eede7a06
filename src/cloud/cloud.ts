/**
 * The Cloud: the one place that wires everything together (STYLE §4). It opens the state,
 * builds the services over their stores, and serves them on one port. A Cloud is an
 * instance: tests create several in one process, each with its own data directory and clock.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Authorizer } from '../auth/authorizer.js';
import { healthEndpoint, idTokenEndpoint, jwksEndpoint, oidcDiscoveryEndpoint } from '../http/endpoints.js';
import { createRouter, type Router } from '../http/router.js';
import { startHttpServer, type HttpServer } from '../http/server.js';
import { JobTokenBroker } from '../identity/index.js';
import { AwsApi } from '../protocols/aws-api.js';
import { createRegistryHandler, DiskBlobStore, RegistryTokenStore } from '../registry/index.js';
import type { ApiResponse } from '../protocols/http-types.js';
import { createIamService } from '../services/iam/index.js';
import { createStsService } from '../services/sts/index.js';
import { writeFileAtomic } from '../store/files.js';
import { systemClock, type Clock, type ClockTimer } from '../core/clock.js';
import { DEFAULTS, dataFiles, type CloudConfig } from './config.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { CloudState } from './state.js';
import { createCi, type Ci } from './ci.js';
import type { ContainerEngine } from '../engine/contract.js';
import { ENGINE_CERTS_DIR } from '../tls/engine-trust.js';
import { CloudTls } from './cloud-tls.js';
import type { EcsRuntime, EcsRuntimeDeps, EcsRuntimeOptions, RegionalRuntimes } from './ecs-runtime.js';
import { Regions } from './regions.js';
import type { Console } from '../console/handler.js';
import type { CloudConsoleDeps } from './console.js';
import { errorMessage } from '../core/errors.js';
import { TaskPorts } from '../network/task-ports.js';

export interface CloudOptions extends Partial<CloudConfig> {
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** `runs-on` label → image mappings for this start (`dockyard up --runner-image`), already checked. */
  runnerImages?: readonly { label: string; image: string }[];
  /** The actions server for this start (`dockyard up --actions-url`): a URL or `off`, checked with parseActionsUrlFlag. */
  actionsUrl?: string;
  /** Write endpoint.json and the pid file (the CLI's `up` does; tests need not). */
  publish?: boolean;
  /**
   * Run workflow jobs in containers (runs-on: ubuntu-latest…) through the container engine.
   * Default: when the cloud publishes or runs a runtime; otherwise only `runs-on: self-hosted`
   * jobs run.
   */
  jobContainers?: boolean;
  /**
   * Where the container engine's per-registry certificates live (containers/image's certs.d):
   * the CA is written there for `localhost:PORT` so the engine verifies the registry over TLS
   * on any port. Default ENGINE_CERTS_DIR when the cloud publishes or runs a runtime, else
   * none; false leaves the engine alone.
   */
  engineCertsDir?: string | false;
  /**
   * Run ECS tasks as real containers (the runtime loop). Off unless given: a cloud without a
   * container engine (most unit tests) keeps tasks as records only.
   */
  runtime?: EcsRuntimeOptions;
}

/**
 * How often the cloud tidies up: expired sessions swept, ECR lifecycle policies applied (AWS
 * acts within 24 hours), log events past their group's retention deleted, secrets past their
 * recovery window purged, unreferenced blobs collected.
 */
const HOUSEKEEPING_INTERVAL_MS = 10 * 60 * 1000;

/** The ECS runtime's state, as `/_dockyard/health` reports it. */
export type RuntimeState =
  { state: 'off' } | { state: 'starting' } | { state: 'running' } | { state: 'failed'; error: string };

/** How long the health route waits for the container engine when asked to check it. */
const ENGINE_HEALTH_TIMEOUT_MS = 3000;

/** The answer for the instant between binding the port and wiring the services. */
const STARTING: ApiResponse = {
  status: 503,
  headers: { 'content-type': 'application/json', 'retry-after': '1' },
  body: '{"message":"dockyard is starting"}',
};

export class Cloud {
  readonly state: CloudState;
  readonly url: string;
  readonly broker: JobTokenBroker;
  private readonly server: HttpServer;
  /** The port's TLS: certificates and the engine's trust in the registry. */
  readonly tls: CloudTls;
  private readonly sweeper: ClockTimer;
  private readonly options: CloudOptions;
  private readonly issuerReady: Promise<void>;
  /** The ECS runtime loops (one per region), when the cloud runs tasks as containers (started in the background: once loaded). */
  get runtime(): RegionalRuntimes | undefined {
    return this.ecsRuntime;
  }
  private ecsRuntime: RegionalRuntimes | undefined;
  /** Every region's state and services (cloud/regions.ts). */
  readonly regions: Regions;
  /** Settles when a runtime started in the background has adopted its containers (or failed). */
  private runtimeStarting: Promise<void> = Promise.resolve();

  /** Git hosting, the workflow runner and the control API. */
  readonly ci: Ci;
  /** Ends the console's subscriptions, once it has loaded. */
  private stopConsole: () => Promise<void> = () => Promise.resolve();

  private constructor(
    state: CloudState,
    server: HttpServer,
    tls: CloudTls,
    url: string,
    broker: JobTokenBroker,
    options: CloudOptions,
    sweeper: ClockTimer,
    issuerReady: Promise<void>,
    runtime: RegionalRuntimes | undefined,
    ci: Ci,
    regions: Regions,
  ) {
    this.regions = regions;
    this.tls = tls;
    this.ci = ci;
    this.ecsRuntime = runtime;
    this.issuerReady = issuerReady;
    this.state = state;
    this.server = server;
    this.url = url;
    this.broker = broker;
    this.options = options;
    this.sweeper = sweeper;
  }

  static async start(options: CloudOptions): Promise<Cloud> {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    const host = options.host ?? DEFAULTS.host;
    const issuerUrl = options.issuer ?? DEFAULTS.issuer;
    const state = new CloudState(
      { dataDir: options.dataDir, accountId: options.accountId, region: options.region, issuer: issuerUrl },
      clock,
    );
    let routes: Router | undefined;
    let ciServices: Ci | undefined;
    let runtimeState: RuntimeState = { state: 'off' };
    let runtimeEngine: ContainerEngine | undefined;
    /** Settles once a runtime started in the background is built (its engine known) or failed to load. */
    let runtimeBuilt: Promise<unknown> = Promise.resolve();
    let tls: CloudTls | undefined;
    let regions: Regions | undefined;
    let consoleLoading: Promise<Console> | undefined;
    try {
      // Only the very first start generates a signing key (RSA, ~0.2 s): the cloud serves while
      // that runs, and whatever needs the keys waits for them.
      const issuerReady = state.issuer.init();
      issuerReady.catch((error: unknown) =>
        logger.error('OIDC issuer keys could not be loaded', { error: String(error) }),
      );
      // The port is bound first: the registry's address (repository URIs, proxyEndpoint) names it.
      const server = await startHttpServer({
        host,
        port: options.port ?? DEFAULTS.port,
        logger,
        handle: (request) => (routes ? routes.handle(request) : Promise.resolve(STARTING)),
        stream: (req, res) => routes?.stream(req, res),
      });
      const port = server.port;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      // Podman's Docker API skips TLS only for registries named localhost:PORT (docs/reference/host-toolchain.md §3).
      const registryHost = `localhost:${port}`;
      const engineCertsDir = options.engineCertsDir ?? (options.runtime || options.publish ? ENGINE_CERTS_DIR : false);
      tls = new CloudTls({
        dataDir: options.dataDir,
        server,
        host,
        registryHost,
        engineCertsDir: engineCertsDir === false ? undefined : engineCertsDir,
        logger,
      });
      const cloudTls = tls;
      const authorizer = new Authorizer(state.iam);
      const blobs = new DiskBlobStore(join(options.dataDir, 'blobs'), { clock, logger });
      const registryTokens = new RegistryTokenStore(state.db);
      // Issued to the old account's principals: they stand for nobody now.
      if (state.previousAccountId !== undefined) registryTokens.forgetAll();
      regions = new Regions({
        dataDir: options.dataDir,
        homeDb: state.db,
        homeRegion: state.homeRegion,
        accountId: state.accountId,
        registryHost,
        blobs,
        tokens: registryTokens,
        roles: state.iam,
        clock,
      });
      const cloudRegions = regions;
      const aws = new AwsApi({
        services: [
          createIamService(state.iam),
          createStsService({
            iam: state.iam,
            credentials: state.credentials,
            authorizer,
            decisions: state.webIdentityDecisions,
            keysFor: (issuer) =>
              issuer === issuerUrl ? (header) => issuerReady.then(() => state.issuer.getKey(header)) : undefined,
          }),
        ],
        regional: {
          shapes: cloudRegions.get(state.homeRegion).services,
          serves: (region) => cloudRegions.serves(region),
          servicesIn: (region) => cloudRegions.get(region).services,
        },
        credentials: state.credentials,
        authorizer,
        clock,
        logger,
        accountId: state.accountId,
        region: state.region,
      });
      const broker = new JobTokenBroker(state.issuer, clock);
      const registry = createRegistryHandler({
        imagesIn: (region) => cloudRegions.imagesIn(region),
        blobs,
        tokens: registryTokens,
        authorizer,
        clock,
        accountId: state.accountId,
        homeRegion: state.homeRegion,
        logger,
      });
      // The runtime tells which task ports exist; job containers reach them through relays.
      const taskPorts = new TaskPorts();
      const jobContainers =
        (options.jobContainers ?? (options.runtime !== undefined || options.publish === true))
          ? {
              accountId: state.accountId,
              registryHost,
              caCertPath: cloudTls.caCertPath,
              listenOn: (address: string) => server.listenAlso(address),
              taskPorts,
            }
          : undefined;
      const ci = createCi({
        db: state.db,
        dataDir: options.dataDir,
        url,
        port,
        admin: state.admin,
        broker,
        region: state.region,
        clock,
        logger,
        ecs: {
          changes: { subscribe: (listener) => cloudRegions.subscribeEcs(listener) },
          services: { get: (arn) => cloudRegions.ecsService(arn) },
        },
        runnerImages: options.runnerImages,
        jobContainers,
        actionsUrl: options.actionsUrl,
      });
      ciServices = ci;
      const consoleRegion = cloudRegions.get(state.region);
      const consoleDeps: CloudConsoleDeps = {
        db: state.db,
        admin: state.admin,
        url,
        port,
        clock,
        logger,
        accountId: state.accountId,
        // The console shows the default region (the one `dockyard env` points clients at).
        region: state.region,
        homeRegion: state.homeRegion,
        registryHost,
        ecs: consoleRegion.ecs,
        logs: consoleRegion.logs,
        images: consoleRegion.images,
        iam: state.iam,
        decisions: state.webIdentityDecisions,
        runner: ci.runner,
        repositories: ci.repositories,
        issuer: {
          url: issuerUrl,
          ready: issuerReady,
          issue: (claims) => state.issuer.issue(claims),
          getKey: state.issuer.getKey,
        },
      };
      // The console's code loads on its first request.
      const loadConsole = () =>
        (consoleLoading ??= import('./console.js').then((m) => m.createCloudConsole(consoleDeps)));
      routes = createRouter({
        registry,
        ...ci.mounts,
        console: (req, res) => loadConsole().then((loaded) => loaded.handle(req, res)),
        oidcDiscovery: oidcDiscoveryEndpoint(state.issuer),
        jwks: jwksEndpoint(state.issuer, issuerReady),
        health: healthEndpoint(async (ask) =>
          runtimeHealth(runtimeState, ask.engine ? await runtimeBuilt.then(() => runtimeEngine) : undefined),
        ),
        idToken: idTokenEndpoint(broker, issuerReady),
        aws: (request) => aws.handle(request),
      });
      const housekeeping = clock.setInterval(() => {
        const now = clock.now();
        state.credentials.sweep(now);
        for (const region of cloudRegions.list()) {
          region.lifecycle.runOnce(now);
          region.logs.expire(now);
          region.secrets.purgeDue(now.getTime());
        }
        // Across regions: the blob store is shared.
        blobs.garbageCollect(cloudRegions, { now });
        void cloudTls.renew();
      }, HOUSEKEEPING_INTERVAL_MS);
      housekeeping.unref();
      let runtime: RegionalRuntimes | undefined;
      let loadRuntime: (() => Promise<EcsRuntime>) | undefined;
      if (options.runtime) {
        const runtimeOptions = options.runtime;
        const runtimeDeps: EcsRuntimeDeps = {
          db: state.db,
          dataDir: options.dataDir,
          port,
          regions: cloudRegions,
          registryTokens,
          roles: state.iam,
          clock,
          logger,
          accountId: state.accountId,
          registryHost,
          taskPorts,
          agent: aws,
          taskAgent: {
            credentials: state.credentials,
            listenOn: (address: string) => server.listenAlso(address),
            caCertPath: cloudTls.caCertPath,
          },
        };
        // The runtime's code (engine driver, network proxies, scheduler) loads when it is built.
        loadRuntime = () => import('./ecs-runtime.js').then((m) => m.createEcsRuntime(runtimeDeps, runtimeOptions));
        runtimeState = { state: 'starting' };
        if (!runtimeOptions.background) {
          try {
            ({ runtime, engine: runtimeEngine } = await loadRuntime());
            await runtime.start();
            runtimeState = { state: 'running' };
          } catch (error) {
            clock.clearTimer(housekeeping);
            await ci.stop();
            await server.close();
            throw error;
          }
        }
      }
      const cloud = new Cloud(
        state,
        server,
        cloudTls,
        url,
        broker,
        options,
        housekeeping,
        issuerReady,
        runtime,
        ci,
        cloudRegions,
      );
      cloud.stopConsole = async () => (await consoleLoading?.catch(() => undefined))?.stop();
      if (options.runtime?.background && loadRuntime) {
        const failed = (message: string) => (error: unknown) => {
          runtimeState = { state: 'failed', error: String(error) };
          logger.warn(message, { error: String(error) });
        };
        // Loaded, then started (adoption included), while the cloud already serves.
        const loading = loadRuntime();
        runtimeBuilt = loading.catch(() => undefined);
        cloud.runtimeStarting = loading.then((loaded) => {
          cloud.ecsRuntime = loaded.runtime;
          runtimeEngine = loaded.engine;
          return loaded.runtime
            .start()
            .then(
              () => void (runtimeState = { state: 'running' }),
              failed(
                "ECS tasks will not run: the container engine did not answer (scripts/setup starts Podman's Docker API)",
              ),
            );
        }, failed('ECS tasks will not run: the runtime could not be loaded'));
      }
      if (options.publish) cloud.publish();
      return cloud;
    } catch (error) {
      await ciServices?.stop().catch(() => undefined);
      await tls?.stop();
      regions?.close();
      state.close();
      throw error;
    }
  }

  /** Settles when everything is loaded: the OIDC issuer's signing keys, the TLS certificate. */
  ready(): Promise<void> {
    return Promise.all([this.issuerReady, this.tls.ready]).then(() => undefined);
  }

  get accountId(): string {
    return this.state.accountId;
  }

  /** The default region: what clients are pointed at (`dockyard up --region`); every region is served. */
  get region(): string {
    return this.state.region;
  }

  /** The region the data directory was created in, served at localhost:PORT/<repository> too. */
  get homeRegion(): string {
    return this.state.homeRegion;
  }

  /** Stops serving, closes the database and removes the published files. */
  async stop(): Promise<void> {
    this.state.clock.clearTimer(this.sweeper);
    // Runs first: their jobs use the cloud (and the runtime) until they are cancelled.
    await this.ci.stop();
    // Before the database closes: the loop writes task state.
    await this.runtimeStarting;
    await this.runtime?.stop();
    await this.stopConsole();
    // A first start may still be generating its signing key; let it finish writing.
    await this.issuerReady.catch(() => undefined);
    await this.server.close();
    await this.tls.stop();
    this.regions.close();
    this.state.close();
    if (this.options.publish) {
      const files = dataFiles(this.options.dataDir);
      rmSync(files.endpoint, { force: true });
      rmSync(files.pid, { force: true });
    }
  }

  /** Tells other dockyard commands where this cloud listens. */
  private publish(): void {
    const files = dataFiles(this.options.dataDir);
    // Not fsynced: they describe this process, and a torn file reads as "not running" (cli/running.ts).
    writeFileAtomic(files.pid, `${process.pid}\n`, undefined, { durable: false });
    writeFileAtomic(
      files.endpoint,
      `${JSON.stringify({ url: this.url, pid: process.pid, region: this.region, accountId: this.accountId }, null, 2)}\n`,
      undefined,
      { durable: false },
    );
  }
}

/** The health route's runtime part: its state and, when `engine` is given, a ping of it. */
async function runtimeHealth(
  runtime: RuntimeState,
  engine: ContainerEngine | undefined,
): Promise<Record<string, unknown>> {
  if (!engine) return { ecsRuntime: runtime };
  const started = Date.now();
  try {
    const info = await engine.info(AbortSignal.timeout(ENGINE_HEALTH_TIMEOUT_MS));
    return {
      ecsRuntime: runtime,
      engine: { reachable: true, name: info.name, version: info.version, ms: Date.now() - started },
    };
  } catch (error) {
    return { ecsRuntime: runtime, engine: { reachable: false, error: errorMessage(error) } };
  }
}
