/**
 * The demo's helpers that are not about AWS: the base image in the engine and a watcher that keeps requesting a URL through a deployment and remembers what
 * it served.
 */
import { spawn } from 'node:child_process';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { DockerApiEngine } from '../engine/docker-api.js';
import { CliError } from './command.js';

export const BASE_IMAGE = 'docker.io/library/python:3.11-slim';

/** Makes sure the engine has `image` (python:3.11-slim unless named), building the base images offline if not. */
export async function ensureBaseImage(root: string, image: string = BASE_IMAGE): Promise<string> {
  const engine = new DockerApiEngine();
  try {
    await engine.ping().catch((error: unknown) => {
      throw new CliError(
        `the container engine does not answer (${String(error)}); scripts/setup starts Podman's Docker API`,
      );
    });
    const present = await engine.imageDigest(image).then(
      () => true,
      () => false,
    );
    if (present) return `${image} is in the engine`;
  } finally {
    await engine.close();
  }
  process.stdout.write("  building it from Debian's archive (Docker Hub is not reachable; about a minute, once)\n");
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [join(root, 'scripts', 'base-images')], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new CliError(`scripts/base-images failed (exit ${code})`)),
    );
  });
  return `${image} built and cached in the engine`;
}

export interface ResponsesSeen {
  ok: number;
  failed: number;
  /** Why each failed request failed, with the time: what a user (or a flaky test) needs to know. */
  failures: string[];
  /** Each distinct body in the order it first appeared. */
  distinct: string[];
}

/**
 * One GET over `agent`'s pooled keep-alive connections, as a browser sends it: the service
 * endpoint balances HTTP per request (decision 44), so the pool survives the deployment and each
 * request still reaches a task that is up.
 */
function getOnce(url: string, agent: Agent): Promise<{ ok: boolean; text: string; failure?: string }> {
  return new Promise((resolve) => {
    const req = get(url, { agent, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve(
          status < 400 ? { ok: true, text: text.trim() } : { ok: false, text: text.trim(), failure: `HTTP ${status}` },
        );
      });
      res.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ ok: false, text, failure: `response: ${error.code ?? error.message}` }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, text: '', failure: error.code ?? error.message }),
    );
  });
}

/** Requests `url` every 100 ms until stopped. */
export function watchResponses(url: string): { stop(): Promise<ResponsesSeen> } {
  const seen: ResponsesSeen = { ok: 0, failed: 0, failures: [], distinct: [] };
  const browserLike = new Agent({ keepAlive: true, maxSockets: 2 });
  let running = true;
  const loop = (async () => {
    while (running) {
      const answer = await getOnce(url, browserLike);
      if (answer.ok) {
        seen.ok++;
        if (!seen.distinct.includes(answer.text)) seen.distinct.push(answer.text);
      } else {
        seen.failed++;
        seen.failures.push(`${new Date().toISOString().slice(11, 23)} ${answer.failure ?? 'failed'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      browserLike.destroy();
      return seen;
    },
  };
}
