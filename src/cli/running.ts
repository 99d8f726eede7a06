/**
 * Finding the cloud that runs on a data directory: its pid file and endpoint file, and
 * whether that process is still alive (a pid file left by kill -9 is stale, not running).
 */
import { readFileSync } from 'node:fs';
import { dataFiles } from '../cloud/config.js';
import { processAlive } from '../host/process-alive.js';

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

/** Whether the process runs (not a zombie). */
export function isAlive(pid: number): boolean {
  return processAlive(pid);
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
