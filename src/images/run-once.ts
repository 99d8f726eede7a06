/**
 * One command in a throwaway container of an image, its exit code and output: how a freshly
 * built image proves it works before it gets its name, and how tests look inside one.
 */
import { randomBytes } from 'node:crypto';
import type { ContainerEngine } from '../engine/contract.js';

/** What the command printed (stdout and stderr, in order as the engine logged them) and how it ended. */
export interface RunOnceResult {
  exitCode: number;
  output: string;
}

/** Runs `command` (exec form) in a new container of `image`, waits for it, removes it. */
export async function runOnce(
  engine: Pick<ContainerEngine, 'createContainer' | 'startContainer' | 'waitContainer' | 'logs' | 'removeContainer'>,
  image: string,
  command: string[],
  options: { env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<RunOnceResult> {
  const name = `dockyard-image-check-${randomBytes(6).toString('hex')}`;
  const id = await engine.createContainer(
    { name, image, command, init: false, network: 'none', ...(options.env ? { env: options.env } : {}) },
    options.signal,
  );
  try {
    await engine.startContainer(id, options.signal);
    const exitCode = await engine.waitContainer(id, options.signal);
    const lines: string[] = [];
    for await (const entry of engine.logs(id, { signal: options.signal })) lines.push(entry.line);
    return { exitCode, output: lines.join('\n') };
  } finally {
    await engine.removeContainer(id, { force: true }).catch(() => undefined);
  }
}
