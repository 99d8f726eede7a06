/**
 * The peer in the registry benchmark: Debian's `docker-registry` (distribution 2.8.2) as a
 * child process on 127.0.0.1 and a free port, no auth, filesystem storage in a temp
 * directory, access log off: the set-up of the baseline in the reference notes (docs/reference/registry.md §2).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running docker-registry. */
export interface Distribution {
  /** `127.0.0.1:<port>`. */
  host: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts docker-registry and waits (up to 15 s) until `/v2/` answers 200. */
export async function startDistribution(): Promise<Distribution> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-bench-distribution-'));
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const spawned = new Promise<never>((_resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`docker-registry did not start (apt-get install docker-registry): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`docker-registry exited with ${code}: ${stderr}`)));
  });
  const host = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([spawned, waitUntilUp(host, Date.now() + 15_000)]);
  } catch (error) {
    await stop();
    throw error;
  }
  spawned.catch(() => undefined);
  return { host, child, stop };
}

async function waitUntilUp(host: string, deadline: number): Promise<void> {
  for (;;) {
    if ((await status(`http://${host}/v2/`)) === 200) return;
    if (Date.now() > deadline) throw new Error(`docker-registry at ${host} did not answer /v2/ in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

/** A port free on 127.0.0.1 now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
