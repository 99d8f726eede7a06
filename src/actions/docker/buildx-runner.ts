/**
 * How the built-in docker actions run buildx: dockyard's plugin bundle (dist/buildx/docker-buildx.cjs)
 * with this Node, exactly as the docker CLI would run it for `docker buildx …`, so a job needs
 * no plugin installed (a job in the runner image has the same file as its CLI plugin).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The plugin bundle beside these actions in dist/. */
export const BUILDX_BUNDLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../buildx/docker-buildx.cjs');

/** What a buildx command printed and its exit code. */
export interface BuildxResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** True when the plugin can run (the bundle was built). */
export function buildxAvailable(): boolean {
  return existsSync(BUILDX_BUNDLE);
}

/** Runs `docker buildx ARGS`; output is relayed to this step's log as it comes (stderr progress too) unless `silent`. */
export function runBuildx(
  args: string[],
  options: { silent?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<BuildxResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BUILDX_BUNDLE, 'buildx', ...args], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!options.silent) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 1024 * 1024) stderr = stderr.slice(-512 * 1024);
      if (!options.silent) process.stdout.write(chunk);
    });
    child.on('error', (error) => resolvePromise({ exitCode: 127, stdout, stderr: stderr + error.message }));
    child.on('close', (code) => resolvePromise({ exitCode: code ?? 1, stdout, stderr }));
  });
}

/** The last line of a command's stderr, as the docker actions quote a failure. */
export function lastLine(text: string): string {
  return /(.*)\s*$/.exec(text.trimEnd())?.[0]?.trim() || 'unknown error';
}
