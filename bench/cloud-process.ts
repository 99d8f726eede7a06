/**
 * The cloud under benchmark as its own process, started through the real CLI
 * (`bin/dockyard up --port 0 --data DIR`), and the statistics every benchmark reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/dockyard', import.meta.url));

/** A running `dockyard up`. */
export interface Started {
  child: ChildProcess;
  url: string;
  /** From spawn to "dockyard is up" on stdout. */
  ms: number;
}

/** Starts `dockyard up` on a free port over `dataDir`; resolves once it says it is up. */
export function startCloud(dataDir: string, nodeArgs: string[] = []): Promise<Started> {
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn(process.execPath, [...nodeArgs, BIN, 'up', '--port', '0', '--data', dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /dockyard is up at (http:\/\/[^\s]+)/.exec(out);
      if (match) resolve({ child, url: match[1] as string, ms: Number(process.hrtime.bigint() - began) / 1e6 });
    });
    child.once('exit', (code) => reject(new Error(`dockyard up exited with ${code}: ${out}`)));
  });
}

/** Stops it with SIGTERM (a clean shutdown) and waits for the exit. */
export async function stopCloud(started: Started): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

/** The median (the upper one for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
