/**
 * `npm run bench -- docker-guard`: what a job's docker commands pay for going through the
 * guard instead of straight to the engine's socket. The real docker CLI, the offline tiny
 * image as the base, runs taking turns (guard, direct) so drift on the shared machine hits both:
 *
 *   build     `docker build --no-cache` of a two-file context (FROM, COPY, CMD), median of 5
 *   run --rm  `docker run --rm IMAGE sh -c 'exit 0'`, attached (create, attach hijack, wait, start), median of 5
 *   inspect   one `GET /containers/NAME/json` (the guard resolves the name and checks the owner
 *             first: two engine round trips), median of 50, over HTTP without the CLI
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDockerGuard } from '../src/docker-guard/guard.js';
import { DockerApiEngine } from '../src/engine/docker-api.js';
import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../src/images/tiny-image.js';
import { runOk } from '../test/support/run.js';
import { median } from './cloud-process.js';

const ENGINE = 'unix:///run/podman/podman.sock';
const ROUNDS = 5;
const API_ROUNDS = 50;

/** One GET on a unix socket; resolves with its duration (ms) once the body is read. */
function timedGet(socketPath: string, path: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request({ socketPath, path, headers: { Host: 'docker' } }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - started)
          : reject(new Error(`GET ${path}: ${res.statusCode}`)),
      );
    })
      .on('error', reject)
      .end();
  });
}

export async function runDockerGuardBenchmarks(log: (line: string) => void): Promise<void> {
  log('docker guard benchmarks (docker CLI through the guard vs straight to the engine)');
  const tag = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-bench-guard-'));
  const engine = new DockerApiEngine({ endpoint: ENGINE });
  const baseImage = `localhost/dockyard-bench-guard-${tag}:1`;
  const built = `localhost/dockyard-bench-guard-built-${tag}:1`;
  const baseId = await engine.importImage(buildTinyImageTar(), baseImage, { changes: TINY_IMAGE_CHANGES });
  writeFileSync(
    join(dir, 'Dockerfile'),
    `FROM ${baseImage}\nCOPY message.txt /message.txt\nCMD ["cat", "/message.txt"]\n`,
  );
  writeFileSync(join(dir, 'message.txt'), 'benchmark\n');
  const guard = await startDockerGuard({
    socketPath: join(dir, 'docker.sock'),
    engine: ENGINE,
    job: { labelKey: 'dockyard.job', id: `bench-${tag}` },
    mounts: [{ hostPath: dir }],
  });
  const hosts = { guard: `unix://${guard.socketPath}`, direct: ENGINE };
  const timed = async (host: string, args: string[]) => {
    const started = performance.now();
    await runOk('docker', args, { env: { DOCKER_HOST: host }, cwd: dir });
    return performance.now() - started;
  };
  try {
    const cases: Array<[string, string[]]> = [
      ['build', ['build', '-q', '--no-cache', '-t', built, '.']],
      ['run --rm', ['run', '--rm', baseImage, 'sh', '-c', 'exit 0']],
    ];
    for (const [name, args] of cases) {
      const times = { guard: [] as number[], direct: [] as number[] };
      await timed(hosts.direct, args); // warm-up: caches, the CLI's first start
      for (let i = 0; i < ROUNDS; i++) {
        for (const via of i % 2 === 0 ? (['guard', 'direct'] as const) : (['direct', 'guard'] as const))
          times[via].push(await timed(hosts[via], args));
      }
      const g = median(times.guard);
      const d = median(times.direct);
      log(
        `  ${name.padEnd(9)} guard ${g.toFixed(0)} ms, direct ${d.toFixed(0)} ms, overhead ${(g - d).toFixed(0)} ms (${((g / d - 1) * 100).toFixed(0)} %), median of ${ROUNDS}`,
      );
    }
    const name = `dockyard-bench-guard-ps-${tag}`;
    await runOk('docker', ['create', '--name', name, baseImage, 'sh'], { env: { DOCKER_HOST: hosts.guard } });
    const api = { guard: [] as number[], direct: [] as number[] };
    for (let i = 0; i < API_ROUNDS; i++) {
      api.guard.push(await timedGet(guard.socketPath, `/v1.41/containers/${name}/json`));
      api.direct.push(await timedGet('/run/podman/podman.sock', `/v1.41/containers/${name}/json`));
    }
    const g = median(api.guard);
    const d = median(api.direct);
    log(
      `  inspect   guard ${g.toFixed(1)} ms, direct ${d.toFixed(1)} ms, overhead ${(g - d).toFixed(1)} ms, median of ${API_ROUNDS}`,
    );
  } finally {
    await guard.close();
    await engine.removeImage(built, { force: true }).catch(() => undefined);
    await engine.removeImage(baseId, { force: true }).catch(() => undefined);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
