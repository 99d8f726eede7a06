/**
 * Runs the real dockyard CLI (bin/dockyard) as a user would.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { claimRangeOfPort } from './ports.js';
import { waitFor } from './wait-for.js';

export const DOCKYARD_BIN = fileURLToPath(new URL('../../../bin/dockyard', import.meta.url));

export function dockyard(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DOCKYARD_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

export interface DockyardProcess {
  pid: number;
  url: string;
  port: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** Starts `dockyard up` in the foreground as a child process and waits until it is ready. */
export function startDockyard(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DockyardProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DOCKYARD_BIN, 'up', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /dockyard is up at (http:\/\/\S+)/.exec(out);
      if (match && child.pid !== undefined) {
        resolve({
          pid: child.pid,
          url: match[1] as string,
          port: Number(new URL(match[1] as string).port),
          exited,
          async stop() {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`dockyard up exited with ${code}:\n${out}`)));
  });
}

/**
 * `dockyard up` on a port the kernel picks, whose task address range (derived from the port) no
 * other test's cloud holds; or, for a restart, on the port its predecessor had (retried while a
 * client socket of another test holds that port for a moment).
 */
export async function startDockyardCloud(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; port?: number } = {},
): Promise<DockyardProcess> {
  const env = options.env ?? {};
  const { port } = options;
  if (port !== undefined) {
    return waitFor(`dockyard up on port ${port}`, () => startDockyard(['--port', String(port), ...args], env), {
      timeoutMs: 30_000,
    });
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const proc = await startDockyard(['--port', '0', ...args], env);
    if (claimRangeOfPort(proc.port)) return proc;
    await proc.stop();
  }
  throw new Error('no port whose task address range is free (test/support/ports.ts)');
}
