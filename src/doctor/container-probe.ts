/**
 * The real path an ECS task takes, walked once: an image made offline from the host's own
 * binaries is pushed with skopeo to a throwaway dockyard cloud's registry (its own temporary data
 * directory, removed afterwards; on a port the kernel picks, over TLS verified with the CA the
 * cloud writes into the engine's certs.d, as any `dockyard up` does), the engine pulls it with
 * ECR credentials as the runtime pulls a task's image, and runs it as the runtime runs a task's container: with an init, its port
 * published on 127.0.0.1. Then PID 1 is read through exec (how ECS health checks run) and the
 * port is asked from the host. Each step is one check; a failed step's engine message is turned
 * into the missing piece and its fix (./diagnose.ts), and the steps after it are skipped.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloud } from '../cloud/cloud.js';
import type { DockerApiEngine } from '../engine/docker-api.js';
import { tinyHttpServerScript, writeTinyImageLayout } from '../images/tiny-image.js';
import { messageOf, timed, type Check } from './check.js';
import { diagnose, SETUP_ENGINE } from './diagnose.js';

/** The port the probe's server listens on inside the container. */
const CONTAINER_PORT = 8080;
const PROBE_LABEL = 'dockyard.doctor';
/** What the probe's server answers. */
const PROBE_ANSWER = 'dockyard doctor';
const REPOSITORY = 'dockyard-doctor';
/** A probe container older than this was left by a run that was killed. */
const LEFTOVER_AGE_MS = 10 * 60 * 1000;

export interface ProbeOptions {
  engine: DockerApiEngine;
  /** Called before each step (they take up to a few seconds). */
  onProgress?: (text: string) => void;
  /** Called with each step's check as it completes (and with the skipped ones after a failure). */
  onCheck?: (check: Check) => void;
}

type Step = Pick<Check, 'id' | 'name'>;

const STEPS = {
  push: { id: 'registry.push', name: 'registry push' },
  pull: { id: 'registry.pull', name: 'registry pull' },
  run: { id: 'container.run', name: 'container run' },
  port: { id: 'container.port', name: 'published port' },
} as const satisfies Record<string, Step>;

/** What a failed step says: the diagnosed piece and fix, else the message and the general fix. */
function failure(error: unknown): Pick<Check, 'detail' | 'fix' | 'error'> {
  const message = messageOf(error);
  const known = diagnose(message);
  if (known) return { detail: known.what, fix: known.fix, error: message };
  return {
    detail: message,
    fix: `${SETUP_ENGINE}, then \`dockyard doctor\` again (the Podman API service logs to /var/log/dockyard-podman-service.log)`,
  };
}

/** The checks of the steps from `from` on, with the same outcome. */
function stepsFrom(from: keyof typeof STEPS, outcome: Pick<Check, 'status' | 'detail'> & { cached?: true }): Check[] {
  const keys = Object.keys(STEPS) as (keyof typeof STEPS)[];
  return keys.slice(keys.indexOf(from)).map((key) => ({ ...STEPS[key], group: 'engine', ...outcome, ms: 0 }));
}

/** Checks that say the steps from `from` on did not run because `cause` failed first. */
export function skippedSteps(cause: string, from: keyof typeof STEPS = 'push'): Check[] {
  return stepsFrom(from, { status: 'skip', detail: `not run: ${cause}` });
}

/** Checks that say the probe passed on an earlier run (./stamp.ts). */
export function cachedSteps(): Check[] {
  return stepsFrom('push', {
    status: 'pass',
    detail: 'passed before on these engine packages and configuration',
    cached: true,
  });
}

/** Runs the probe; resolves with one check per step (each also given to `onCheck`), and always cleans up after itself. */
export async function probeContainer(options: ProbeOptions): Promise<Check[]> {
  const { engine } = options;
  const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
  let registry = 'localhost';
  let image = '';
  const work = mkdtempSync(join(tmpdir(), 'dockyard-doctor-'));
  const progress = options.onProgress ?? (() => undefined);
  const checks: Check[] = [];
  const record = (...found: Check[]) => {
    checks.push(...found);
    for (const check of found) options.onCheck?.(check);
  };
  let cloud: Cloud | undefined;
  let pulled = false;
  let container: string | undefined;
  /** Runs one step: `body` resolves with what it found, or throws what went wrong. */
  const step = async (key: keyof typeof STEPS, body: () => Promise<string>): Promise<boolean> => {
    const check = await timed(
      { ...STEPS[key], group: 'engine' },
      async () => ({ status: 'pass', detail: await body() }),
      failure,
    );
    record(check);
    if (check.status === 'pass') return true;
    const keys = Object.keys(STEPS) as (keyof typeof STEPS)[];
    const next = keys[keys.indexOf(key) + 1];
    if (next) record(...skippedSteps(`${check.name} failed`, next));
    return false;
  };
  try {
    await removeLeftovers(engine);
    let password = '';
    const pushed = await step('push', async () => {
      progress('pushing an image built offline to a throwaway dockyard registry');
      cloud = await startThrowawayCloud(join(work, 'cloud'));
      registry = `localhost:${new URL(cloud.url).port}`;
      image = `${registry}/${REPOSITORY}:${suffix}`;
      password = await registryPassword(cloud);
      writeTinyImageLayout(join(work, 'layout'), 'probe');
      await skopeo([
        'copy',
        '-q',
        '--dest-creds',
        `AWS:${password}`,
        `oci:${join(work, 'layout')}:probe`,
        `docker://${image}`,
      ]);
      return `skopeo pushed an image built offline to a throwaway ${registry} over verified TLS`;
    });
    if (!pushed) return checks;
    const pulledOk = await step('pull', async () => {
      progress('the engine pulls it with ECR credentials, as ECS pulls a task image');
      await engine.pullImage(image, {
        auth: { username: 'AWS', password, serveraddress: registry },
        signal: AbortSignal.timeout(60_000),
      });
      pulled = true;
      return 'the engine pulled it with ECR credentials, as ECS pulls task images';
    });
    if (!pulledOk) return checks;
    const ran = await step('run', async () => {
      progress('running it with an init and a published port, as ECS runs a task');
      container = await engine.createContainer({
        name: `dockyard-doctor-${suffix}`,
        image,
        init: true,
        command: ['/bin/perl', '-e', tinyHttpServerScript(CONTAINER_PORT, PROBE_ANSWER)],
        ports: [{ containerPort: CONTAINER_PORT, hostIp: '127.0.0.1' }],
        labels: { [PROBE_LABEL]: suffix },
        stopTimeoutSeconds: 2,
      });
      await engine.startContainer(container);
      const cmdline = await engine.exec(container, ['/bin/cat', '/proc/1/cmdline'], {
        signal: AbortSignal.timeout(10_000),
      });
      const pid1 = cmdline.output.split('\0')[0] ?? '';
      if (cmdline.exitCode !== 0 || pid1 === '')
        throw new Error(
          `reading PID 1's command line failed (exit ${cmdline.exitCode}): ${cmdline.output.slice(0, 200)}`,
        );
      if (pid1.includes('perl'))
        throw new Error(`PID 1 is the app itself (${pid1}), not an init: the engine ignored --init`);
      return `started with an init: PID 1 is ${pid1} (read through exec)`;
    });
    if (!ran || !container) return checks;
    const id = container;
    await step('port', async () => {
      const details = await engine.inspectContainer(id);
      const published = details.ports.find((p) => p.containerPort === CONTAINER_PORT);
      if (!published) throw new Error(`the engine published no host port for ${CONTAINER_PORT}/tcp`);
      const answer = await answerWithin(`http://127.0.0.1:${published.hostPort}/`, 10_000);
      if (answer !== PROBE_ANSWER)
        throw new Error(
          `127.0.0.1:${published.hostPort} answered ${JSON.stringify(answer.slice(0, 100))}, not the probe's ${JSON.stringify(PROBE_ANSWER)}`,
        );
      return `127.0.0.1:${published.hostPort} → ${details.ipAddress ?? 'the container'}:${CONTAINER_PORT} answered from the host`;
    });
    return checks;
  } finally {
    if (container) await engine.removeContainer(container, { force: true }).catch(() => undefined);
    // By name, never by id: another test's image may share the id (same layers, same config).
    if (pulled) await engine.removeImage(image).catch(() => undefined);
    await (cloud as Cloud | undefined)?.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Probe containers that a killed run left behind (not another run's: those are younger). */
async function removeLeftovers(engine: DockerApiEngine): Promise<void> {
  const left = await engine.listContainers({ labels: { [PROBE_LABEL]: true } }).catch(() => []);
  for (const c of left) {
    if (Date.now() - c.createdAt.getTime() > LEFTOVER_AGE_MS)
      await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
  }
}

/**
 * A cloud on a free port whose CA the engine trusts for it (certs.d), as `dockyard up` makes
 * one; fails with the reason and fix when the engine's certs.d cannot be written.
 */
async function startThrowawayCloud(dataDir: string): Promise<Cloud> {
  const [{ Cloud }, { ENGINE_CERTS_DIR }] = await Promise.all([
    import('../cloud/cloud.js'),
    import('../tls/engine-trust.js'),
  ]);
  const cloud = await Cloud.start({ dataDir, port: 0, host: '127.0.0.1', engineCertsDir: ENGINE_CERTS_DIR });
  await cloud.ready();
  const trust = cloud.tls.engineTrust;
  if (trust?.ok !== true) {
    await cloud.stop();
    throw new Error(
      trust?.ok === false ? trust.problem : 'the cloud could not issue its TLS certificate (see its log)',
    );
  }
  return cloud;
}

/** The registry password GetAuthorizationToken gives, for a repository created for the probe. */
async function registryPassword(cloud: Cloud): Promise<string> {
  const { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  const ecr = new ECRClient({
    endpoint: cloud.url,
    region: cloud.region,
    credentials: cloud.state.admin,
    maxAttempts: 1,
  });
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
    const token =
      (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken ?? '';
    return Buffer.from(token, 'base64').toString('utf8').replace(/^AWS:/, '');
  } finally {
    ecr.destroy();
  }
}

function skopeo(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(new Error('skopeo is not installed: apt-get install --reinstall skopeo'));
      reject(new Error(`skopeo copy: ${stderr.trim() || error.message}`));
    });
  });
}

/** GETs `url` until it answers (a server that just started may refuse for a moment). */
async function answerWithin(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      return await getText(url);
    } catch (error) {
      last = messageOf(error);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body = (body + chunk).slice(0, 4096)));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
