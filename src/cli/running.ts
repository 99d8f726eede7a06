/**
 * Finding the cloud that runs on a data directory: its pid file and endpoint file, and
 * whether that process is still alive (a pid file left by kill -9 is stale, not running).
 */
import { readFileSync } from 'node:fs';
import { dataFiles } from '../cloud/config.js';

export interface RunningCloud {
  url: string;
  pid: number;
  region: string;
  accountId: string;
}

export function runningCloud(dataDir: string): RunningCloud | undefined {
  const files = dataFiles(dataDir);
  let endpoint: RunningCloud;
  try {
    endpoint = JSON.parse(readFileSync(files.endpoint, 'utf8')) as RunningCloud;
  } catch {
    return undefined;
  }
  return isAlive(endpoint.pid) ? endpoint : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process whose parent has not reaped it (a detached cloud is re-parented to PID 1,
  // which in containers may never reap) still answers signals: a zombie is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Polls `condition` every 25 ms until it holds or `timeoutMs` passes. */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}
