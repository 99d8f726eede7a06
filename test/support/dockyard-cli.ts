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
