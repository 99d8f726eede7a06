/**
 * Runs the real dockyard CLI (bin/dockyard) as a user would.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const DOCKYARD_BIN = fileURLToPath(new URL('../../../bin/dockyard', import.meta.url));

export function dockyard(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DOCKYARD_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** Starts `dockyard up` in the foreground as a child process and waits until it is ready. */
export function startDockyard(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DockyardProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DOCKYARD_BIN, 'up', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /dockyard is up at (http:\/\/\S+)/.exec(out);
      if (match && child.pid !== undefined) {
        resolve({
          pid: child.pid,
          url: match[1] as string,
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
