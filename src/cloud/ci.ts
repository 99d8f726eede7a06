/**
 * The CI half of the cloud, wired in one place: git hosting at /git (git's own http-backend),
 * the post-receive hook endpoint that turns pushes into workflow runs, the runner, and the
 * control API the CLI uses. Part of the Cloud's wiring (cloud.ts calls it), kept apart so that
 * file stays short.
 *
 * Who may do what: the admin key (HTTP Basic, access key id and secret) may push and fetch any
 * repository and use the control API; a job's GITHUB_TOKEN may fetch its own repository only.
 *
 * At start-up the pushes a killed predecessor accepted but never handled get their runs
 * (push-recovery.ts); git, the push hook and the control API wait for that, so a push never
 * meets a half-cleaned repository and `dockyard runs list` already shows those runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_PREFIX } from '../console/contract.js';
import { createControlApi } from '../control/api.js';
import { isAdmin } from '../control/admin-auth.js';
import { startDeploymentNotices, type DeploymentNoticeDeps } from '../control/deployment-notices.js';
import { runPushedWorkflows } from '../control/push-follow.js';
import {
  createGitHttpHandler,
  createPushHookHandler,
  generateHookSecret,
  GitRepositories,
  InMemoryGitAccessTokens,
  PUSH_HOOK_PATH,
  PushJournal,
  type PushEvent,
} from '../git/index.js';
import type { Mounts } from '../http/router.js';
import type { JobTokenBroker } from '../identity/index.js';
import { ActionServerSettings, RepoSettings, Runner } from '../runner/index.js';
import { RUNNER_MARKER } from '../runner/orphan-processes.js';
import { DEFAULT_RUNNER_IMAGE, RunnerImages } from '../runner/runner-images.js';
import type { ContainerJobsOptions, JobContainerRunner } from '../runner/container/container-jobs.js';
import { parseEndpoint } from '../engine/endpoint.js';
import type { TaskPorts } from '../network/task-ports.js';
import { cloudLabelFor } from '../runtime/labels.js';
import type { Db } from '../store/database.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { recoverPushes } from './push-recovery.js';
import { createBlobEndpoint, ResultsService } from '../results/index.js';
import type { AdminKey } from './state.js';
import { errorMessage } from '../core/errors.js';

/** The package root (dist/src/cloud/ci.js → three levels up), where builtin-actions/ lives. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PODMAN_SOCKET = '/run/podman/podman.sock';
/** How often expired artifacts, unused caches and abandoned uploads are removed. */
const RESULTS_SWEEP_MS = 10 * 60 * 1000;

export interface CiDeps {
  db: Db;
  dataDir: string;
  /** The cloud's own URL (http://127.0.0.1:PORT): AWS_ENDPOINT_URL for jobs, the hook's target. */
  url: string;
  /** The port, for user-facing URLs on `localhost`. */
  port: number;
  admin: AdminKey;
  broker: JobTokenBroker;
  region: string;
  clock: Clock;
  logger: Logger;
  /** DOCKER_HOST for jobs; default Podman's socket when DOCKER_HOST is unset. */
  dockerHost?: string;
  /** `runs-on` label → image mappings for this start (`dockyard up --runner-image`), already checked. */
  runnerImages?: readonly { label: string; image: string }[];
  /** The actions server for this start (`dockyard up --actions-url`), already checked; else the kept setting, else github.com. */
  actionsUrl?: string;
  /** ECS's changes, told to the runs whose jobs started the deployments (control/deployment-notices.ts). */
  ecs?: Pick<DeploymentNoticeDeps, 'changes' | 'services'>;
  /**
   * Run jobs in containers (runs-on: ubuntu-latest and mapped labels) through the engine at
   * dockerHost; without it only `runs-on: self-hosted` jobs run.
   */
  jobContainers?: {
    accountId: string;
    /** `localhost:PORT`. */
    registryHost: string;
    /** The cloud's CA certificate (`<data>/tls/ca.crt`). */
    caCertPath: string;
    /** Makes the cloud listen on another address too (the job network's gateway). */
    listenOn(address: string): Promise<void>;
    /** The ECS tasks' ports, which jobs reach through relays. */
    taskPorts: TaskPorts;
  };
}

export interface Ci {
  readonly runner: Runner;
  readonly repositories: GitRepositories;
  readonly settings: RepoSettings;
  /** Which image serves which `runs-on` label (defaults, the data directory's, this start's). */
  readonly runnerImages: RunnerImages;
  /** The handlers of git hosting, the push hook and the control API (http/router.ts mounts them). */
  readonly mounts: Pick<Mounts, 'git' | 'gitAtOrigin' | 'pushHook' | 'controlApi' | 'results' | 'resultsBlobs'>;
  /** Artifacts and caches (sweeps run on the clock; tests call `sweep`). */
  readonly results: ResultsService;
  stop(): Promise<void>;
}

export function createCi(deps: CiDeps): Ci {
  const hookSecret = generateHookSecret();
  const repositories = new GitRepositories({
    root: join(deps.dataDir, 'git'),
    // GITHUB_SERVER_URL is the origin, as https://github.com is: the official actions/checkout
    // fetches `${origin}/OWNER/NAME`. Clone URLs keep the /git prefix; both paths serve git.
    serverUrl: `http://localhost:${deps.port}`,
    cloneBase: `http://localhost:${deps.port}/git`,
    hookUrl: `${deps.url}${PUSH_HOOK_PATH}`,
  });
  const gitTokens = new InMemoryGitAccessTokens(deps.clock);
  const settings = new RepoSettings(deps.db, () => deps.clock.now());
  const runnerImages = new RunnerImages(deps.db, deps.runnerImages, () => deps.clock.now());
  const actionServers = new ActionServerSettings(deps.db, deps.actionsUrl, () => deps.clock.now());
  const dockerHost = deps.dockerHost ?? process.env.DOCKER_HOST ?? `unix://${PODMAN_SOCKET}`;
  // Marks this cloud's job and push processes, so its next start can find those a kill -9 left behind.
  const label = cloudLabelFor(deps.dataDir);
  const containers =
    deps.jobContainers === undefined ? undefined : containerJobs(deps, deps.jobContainers, label, dockerHost);
  const results = new ResultsService(deps.db, join(deps.dataDir, 'results'), deps.url, deps.clock);
  const sweep = deps.clock.setInterval(() => results.sweep(), RESULTS_SWEEP_MS);
  sweep.unref();
  const runner = new Runner({
    db: deps.db,
    dataDir: deps.dataDir,
    repos: repositories,
    gitTokens,
    broker: deps.broker,
    results,
    cloudUrl: deps.url,
    region: deps.region,
    builtinActionsDir: join(ROOT, 'builtin-actions'),
    actionServer: () => actionServers.current(),
    clock: deps.clock,
    logger: deps.logger,
    // No instance metadata service here: without this, the SDK's default credential chain (a
    // job without id-token: write) would probe 169.254.169.254, off this machine, before failing.
    // DOCKYARD_RUNNER marks every step process as this cloud's, so a restart after kill -9 can
    // find and kill the job processes the dead one left behind (src/runner/orphan-processes.ts).
    jobEnv: { DOCKER_HOST: dockerHost, AWS_EC2_METADATA_DISABLED: 'true', [RUNNER_MARKER]: label },
    runnerImages: () => runnerImages.mappings(),
    containers,
  });
  runner.start();
  const journal = new PushJournal(repositories);
  // The admin key pushes as the repository's owner (GitHub's actor is a login, not a key id).
  const asPushed = (event: PushEvent): PushEvent =>
    event.pusher === deps.admin.accessKeyId
      ? { ...event, pusher: event.repository.split('/')[0] ?? event.pusher }
      : event;
  let stopping = false;
  // On a later turn: recovery begins with scans of every process (/proc), kept off `dockyard
  // up`'s path to ready; git, the push hook and the control API wait for it either way.
  const recovered = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() =>
      recoverPushes({
        repositories,
        journal,
        startRuns: (event) => runner.onPush(asPushed(event)),
        processLabel: label,
        logger: deps.logger,
        stopping: () => stopping,
      }),
    )
    .catch((error: unknown) =>
      deps.logger.error('git: recovering pushes of the previous process failed', { error: errorMessage(error) }),
    );
  const gitOptions = {
    repositories,
    logger: deps.logger,
    hookSecret,
    processLabel: label,
    authenticate: (user: string, password: string, request: { repository: string; access: 'read' | 'write' }) => {
      if (isAdmin(user, password, deps.admin)) return true;
      // Jobs fetch with their GITHUB_TOKEN as the password and any user name (x-access-token).
      if (gitTokens.verify(password, request.repository, request.access)) return true;
      return gitTokens.verify(password, request.repository, 'read') ? 'forbidden' : false;
    },
  };
  const git = createGitHttpHandler(gitOptions);
  const gitAtRoot = createGitHttpHandler({ ...gitOptions, prefix: '' });
  const hook = createPushHookHandler({
    hookSecret,
    logger: deps.logger,
    onPush: async (events, progress) => {
      try {
        await runPushedWorkflows(
          runner,
          events.map(asPushed),
          progress,
          (runId) => `${deps.url}${CONSOLE_PREFIX}/runs/${runId}`,
        );
      } finally {
        // Handled (or failed loudly in front of the pusher): its journal entries are done with.
        // A push cut short by a stop stays journaled; the next start hands it over again.
        const [first] = events;
        if (!stopping && first?.pushId !== undefined) await journal.settle(first.repository, first.pushId);
      }
    },
  });
  const control = createControlApi({ admin: deps.admin, logger: deps.logger, runner, settings, repos: repositories });
  const afterRecovery =
    (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) =>
      recovered.then(() => handler(req, res));
  const stopNotices = deps.ecs ? startDeploymentNotices({ ...deps.ecs, runner, logger: deps.logger }) : () => undefined;
  return {
    runner,
    repositories,
    settings,
    runnerImages,
    mounts: {
      git: afterRecovery(git),
      gitAtOrigin: afterRecovery(gitAtRoot),
      pushHook: afterRecovery(hook),
      controlApi: afterRecovery(control),
      results: (request) => results.handle(request),
      resultsBlobs: createBlobEndpoint(results),
    },
    results,
    async stop() {
      stopping = true;
      deps.clock.clearTimer(sweep);
      stopNotices();
      await recovered;
      await runner.stop();
      await containers?.close();
    },
  };
}

/** The runner image's build progress, as a line of the job's log. */
function progressLine(progress: { image: string; message: string; elapsedMs: number }): string {
  return `[runner-image] ${Math.round(progress.elapsedMs / 1000)}s ${progress.message}`;
}

/**
 * Jobs in containers, wired: the engine, the cloud's addresses and CA, the runner image built on
 * first use. Their code (the Docker guard included) loads on first use, off `dockyard up`'s path
 * to ready (the start-up sweep, a turn later, is the first use).
 */
function containerJobs(
  deps: CiDeps,
  options: NonNullable<CiDeps['jobContainers']>,
  label: string,
  dockerHost: string,
): JobContainerRunner {
  const settings: ContainerJobsOptions = {
    engine: parseEndpoint(dockerHost),
    cloudLabel: label,
    port: deps.port,
    accountId: options.accountId,
    registryHost: options.registryHost,
    caCert: options.caCertPath,
    workDir: join(deps.dataDir, 'work'),
    actionCache: join(deps.dataDir, 'actions'),
    builtinActions: join(ROOT, 'builtin-actions'),
    packageRoot: ROOT,
    listenOn: options.listenOn,
    taskPorts: options.taskPorts,
    runnerImageAlias: DEFAULT_RUNNER_IMAGE,
    // The image code (and its engine driver) loads on the first container job.
    async ensureRunnerImage(onProgress, signal) {
      const [{ ensureRunnerImage }, { DockerApiEngine }] = await Promise.all([
        import('../images/runner-image.js'),
        import('../engine/docker-api.js'),
      ]);
      const engine = new DockerApiEngine({ endpoint: dockerHost });
      try {
        return await ensureRunnerImage(engine, {
          signal,
          onProgress: (progress) => onProgress(progressLine(progress)),
        });
      } finally {
        await engine.close();
      }
    },
    logger: deps.logger,
  };
  let loaded: Promise<JobContainerRunner> | undefined;
  const load = () =>
    (loaded ??= import('../runner/container/container-jobs.js').then(
      ({ ContainerJobs }) => new ContainerJobs(settings),
    ));
  return {
    start: async (request) => (await load()).start(request),
    sweep: async () => (await load()).sweep(),
    close: async () => {
      if (loaded !== undefined) await (await loaded).close();
    },
  };
}
