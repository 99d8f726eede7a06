/**
 * The demo's helpers that are not about AWS: the base image in the engine and a watcher that keeps requesting a URL through a deployment and remembers what
 * it served.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DockerApiEngine } from '../engine/docker-api.js';
import { CliError } from './command.js';

export const BASE_IMAGE = 'docker.io/library/python:3.11-slim';

/** Makes sure the engine has python:3.11-slim, building it from Debian's archive if not. */
export async function ensureBaseImage(root: string): Promise<string> {
  const engine = new DockerApiEngine();
  try {
    await engine.ping().catch((error: unknown) => {
      throw new CliError(`the container engine does not answer (${String(error)}); scripts/setup starts Podman's Docker API`);
    });
    const present = await engine.imageDigest(BASE_IMAGE).then(
      () => true,
      () => false,
    );
    if (present) return `${BASE_IMAGE} is in the engine`;
  } finally {
    await engine.close();
  }
  process.stdout.write('  building it from Debian\'s archive (Docker Hub is not reachable; about a minute, once)\n');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [join(root, 'scripts', 'base-images')], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CliError(`scripts/base-images failed (exit ${code})`))));
  });
  return `${BASE_IMAGE} built and cached in the engine`;
}

export interface ResponsesSeen {
  ok: number;
  failed: number;
  /** Each distinct body in the order it first appeared. */
  distinct: string[];
}

/** Requests `url` every 100 ms (a new connection each time) until stopped. */
export function watchResponses(url: string): { stop(): Promise<ResponsesSeen> } {
  const seen: ResponsesSeen = { ok: 0, failed: 0, distinct: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(3000), headers: { connection: 'close' } });
        const text = (await response.text()).trim();
        if (response.ok) {
          seen.ok++;
          if (!seen.distinct.includes(text)) seen.distinct.push(text);
        } else seen.failed++;
      } catch {
        seen.failed++;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}
