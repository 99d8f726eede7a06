/**
 * `dockyard doctor`'s checks, in order: the files the engine needs (scripts/engine-files), the
 * engine's API and what it runs containers with, the container probe (./container-probe.ts),
 * then the running cloud's health (./cloud-health.ts). Each check is reported as it completes.
 */
import { DockerApiEngine, type PodmanHost } from '../engine/docker-api.js';
import { formatEndpoint } from '../engine/endpoint.js';
import { messageOf, type Check } from './check.js';
import { checkCloud, type CloudTarget } from './cloud-health.js';
import { cachedSteps, probeContainer, skippedSteps } from './container-probe.js';
import { diagnose, SETUP_ENGINE } from './diagnose.js';
import { installCommand, isPresent, readEngineFiles, type EngineFile } from './engine-files.js';
import { clearPass, engineKey, hasPassed, recordPass, stampPath } from './stamp.js';
import { kernelFirewallSupport } from '../runtime/task-firewall.js';

export interface DoctorOptions {
  /** The files to check; scripts/engine-files when absent (tests inject missing ones). */
  files?: EngineFile[];
  /** Environment for PATH look-ups and engine discovery (DOCKER_HOST). */
  env?: NodeJS.ProcessEnv;
  /**
   * `always`: run the container probe. `unless-passed`: skip it when it passed before on the same
   * engine set-up (./stamp.ts; what scripts/setup asks for). `never`: do not run it.
   */
  probe: 'always' | 'unless-passed' | 'never';
  /** The running cloud to check, if any. */
  cloud?: CloudTarget;
  /** Where the probe's pass is recorded (tests use their own). */
  stamp?: string;
  onCheck?: (check: Check) => void;
  onProgress?: (text: string) => void;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
  ms: number;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const started = Date.now();
  const checks: Check[] = [];
  const report = (...found: Check[]) => {
    for (const check of found) {
      checks.push(check);
      options.onCheck?.(check);
    }
  };
  const files = options.files ?? readEngineFiles();
  report(...checkFiles(files, options.env));
  report(await checkFirewall(options.env));

  const engine = openEngine(options.env);
  try {
    const api = engine instanceof DockerApiEngine ? await checkEngine(engine) : engine;
    report(...api.checks);
    if (options.probe !== 'never') {
      if (!(engine instanceof DockerApiEngine) || !api.facts) {
        report(...skippedSteps('the engine does not answer'));
      } else {
        const key = engineKey(files, [api.facts, 'registry on any port: TLS verified through certs.d']);
        const stamp = options.stamp ?? stampPath(options.env);
        if (options.probe === 'unless-passed' && key && hasPassed(key, stamp)) {
          report(...cachedSteps());
        } else {
          const probed = await probeContainer({
            engine,
            onCheck: (check) => report(check),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          });
          if (probed.every((c) => c.status === 'pass')) {
            if (key) recordPass(key, stamp);
          } else {
            clearPass(stamp);
          }
        }
      }
    }
  } finally {
    if (engine instanceof DockerApiEngine) await engine.close();
  }

  if (options.cloud) report(...(await checkCloud(options.cloud)));
  return { ok: checks.every((c) => c.status !== 'fail'), checks, ms: Date.now() - started };
}

/** One failure per missing file, or one pass for them all. */
export function checkFiles(files: EngineFile[], env: NodeJS.ProcessEnv = process.env): Check[] {
  const started = Date.now();
  const missing = files.filter((f) => !isPresent(f.file, env));
  const ms = Date.now() - started;
  if (missing.length === 0) {
    const packages = [...new Set(files.map((f) => f.package))];
    return [
      {
        id: 'host.files',
        group: 'host',
        name: 'engine files',
        status: 'pass',
        detail: `${files.length} files of ${packages.length} packages present (scripts/engine-files)`,
        ms,
      },
    ];
  }
  return missing.map((f) => ({
    id: `host.file:${f.file}`,
    group: 'host',
    name: f.file.slice(f.file.lastIndexOf('/') + 1),
    status: 'fail',
    detail: `${f.file.includes('/') ? f.file : `${f.file} (on PATH)`} is missing: ${f.purpose}`,
    fix: installCommand(f),
    ms,
  }));
}

/**
 * How ECS tasks' security groups are enforced here: by the kernel (iptables in each task's
 * namespace, ./runtime/task-firewall.ts) or, where the host does not allow it, by a proxy per
 * task port. The fallback works, so it is reported, not failed.
 */
export async function checkFirewall(env: NodeJS.ProcessEnv = process.env): Promise<Check> {
  const started = Date.now();
  const support = await kernelFirewallSupport(env);
  return {
    id: 'host.firewall',
    group: 'host',
    name: 'security groups',
    status: 'pass',
    detail: support.kernel
      ? 'enforced by the kernel: iptables rules in each task namespace, tasks on a network per cloud'
      : `enforced by a proxy per task port (fallback: ${support.reason ?? 'unknown'}); run the cloud as root on Linux with iptables and nsenter for kernel rules`,
    ms: Date.now() - started,
  };
}

/** The engine driver, or the check that says why there is none (no socket found). */
function openEngine(env: NodeJS.ProcessEnv | undefined): DockerApiEngine | { checks: Check[]; facts?: undefined } {
  try {
    return new DockerApiEngine(env ? { env } : {});
  } catch (error) {
    return { checks: [engineFailure(error, 0)] };
  }
}

function engineFailure(error: unknown, ms: number): Check {
  const message = messageOf(error);
  const known = diagnose(message);
  return {
    id: 'engine.api',
    group: 'engine',
    name: 'engine API',
    status: 'fail',
    detail: known?.what ?? message,
    error: message,
    fix: known?.fix ?? SETUP_ENGINE,
    ms,
  };
}

/**
 * The engine's API answering, and what it runs containers with. Podman's own /info says both
 * (the Docker API's /info costs as much again, so it is asked only of Docker). `facts` keys the
 * probe's stamp.
 */
async function checkEngine(engine: DockerApiEngine): Promise<{ checks: Check[]; facts?: string }> {
  const started = Date.now();
  const where = formatEndpoint(engine.endpoint);
  try {
    await engine.ping(AbortSignal.timeout(5000));
  } catch (error) {
    const failed = engineFailure(error, Date.now() - started);
    const known = diagnose(failed.error ?? '');
    return {
      checks: [
        { ...failed, detail: known ? `${known.what} at ${where}` : `nothing answers at ${where}: ${failed.detail}` },
      ],
    };
  }
  let host: PodmanHost | undefined;
  try {
    host = await engine.podmanHost(AbortSignal.timeout(10_000));
  } catch (error) {
    // Podman answers its ping but cannot describe itself (e.g. its OCI runtime is missing).
    const message = messageOf(error);
    const known = diagnose(message);
    const api: Check = {
      id: 'engine.api',
      group: 'engine',
      name: 'engine API',
      status: 'fail',
      detail: known?.what ?? `Podman at ${where} answers but cannot describe its host`,
      error: message,
      fix: known?.fix ?? SETUP_ENGINE,
      ms: Date.now() - started,
    };
    return { checks: [api] };
  }
  if (!host) {
    const info = await engine.info(AbortSignal.timeout(10_000)).catch(() => undefined);
    const name = info ? `${info.name} ${info.version}` : 'the engine';
    const api: Check = {
      id: 'engine.api',
      group: 'engine',
      name: 'engine API',
      status: 'pass',
      detail: `${name} at ${where} (not Podman: its runtime and network are its own)`,
      ms: Date.now() - started,
    };
    return { checks: [api], facts: name };
  }
  const runtime = `${host.ociRuntime.name} ${host.ociRuntime.version} (${host.ociRuntime.path})`;
  const facts = `${runtime}, conmon ${host.conmon.version}, network ${host.networkBackend}, cgroups ${host.cgroupVersion}${host.rootless ? ', rootless' : ''}`;
  const api: Check = {
    id: 'engine.api',
    group: 'engine',
    name: 'engine API',
    status: 'pass',
    detail: `Podman ${host.version} at ${where}`,
    ms: Date.now() - started,
  };
  const pieces: Check = {
    id: 'engine.host',
    group: 'engine',
    name: 'engine runtime',
    status: 'pass',
    detail: facts,
    ms: 0,
  };
  return { checks: [api, pieces], facts: `Podman ${host.version} ${facts}` };
}
