/**
 * A step's process inside the job's container: an engine exec session, its multiplexed output
 * split into lines as a host process's is, its exit code from the engine.
 *
 * Kill: the engine has no call that signals an exec session, so every exec carries a marker
 * variable (DOCKYARD_STEP=<random id>) that its children inherit; a kill signals, from the host,
 * every process carrying it (found through /proc, as orphan-processes.ts finds a dead cloud's):
 * SIGTERM, then SIGKILL after the grace period, as on the host. By design: a step process that
 * drops the variable escapes a step's kill, but not the job's end, which removes the container.
 *
 * The end of a step: the engine ends the exec's output stream when the exec'd process exits
 * even while a background child still holds its output (Podman's conmon stops relaying then);
 * output is read until then, as a host step's is read for OUTPUT_DRAIN_MS more.
 *
 * Engine quirk: an exec the OCI runtime cannot start (no such executable, no such working
 * directory) still answers 200, with the runtime's `Error: runc: exec failed: …` as output and
 * exit code 126 or 127; that line is kept out of the step's output and becomes the spawn error.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { killMarkedProcesses } from '../../host/processes.js';
import { demultiplex } from '../../engine/streams.js';
import { errorMessage } from '../../core/errors.js';
import type { JobProcessSpec } from '../job-host.js';
import { KILL_GRACE_MS, lineReader, OUTPUT_DRAIN_MS, type ProcessResult, type StartedProcess } from '../processes.js';
import type { JobEngine } from './job-engine.js';

/** The variable that marks a step's processes in a job container. */
export const STEP_MARKER = 'DOCKYARD_STEP';

/** The OCI runtime's words when it could not start the process (runc's and crun's). */
const RUNTIME_FAILURE = /^Error: (runc|crun|OCI runtime)[^:]*: exec failed: /;

/** How long the engine may take to report an exec's exit code after its output ended (Podman lags). */
const EXIT_CODE_WAIT_MS = 5000;

/** Why an exec could not start, as the engine words it → GitHub's message for the step. */
export type SpawnFailure = (engineMessage: string, spec: JobProcessSpec) => Error;

export function startExecProcess(
  engine: JobEngine,
  containerId: string,
  spec: JobProcessSpec,
  spawnFailure: SpawnFailure,
): StartedProcess {
  const marker = randomUUID();
  let killReason: 'cancel' | 'timeout' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let started = false;
  let killWhenStarted = false;
  const signal = (name: NodeJS.Signals) => killMarkedProcesses(STEP_MARKER, marker, name);

  const done = (async (): Promise<ProcessResult> => {
    let execId: string;
    try {
      execId = await engine.createExec(containerId, {
        cmd: [spec.file, ...spec.args],
        env: { ...spec.env, [STEP_MARKER]: marker },
        cwd: spec.cwd,
      });
    } catch (error) {
      return { exitCode: null, signal: null, spawnError: spawnFailure(errorMessage(error), spec) };
    }
    const out = new PassThrough();
    const err = new PassThrough();
    let runtimeError: string | undefined;
    const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
      if (RUNTIME_FAILURE.test(line)) runtimeError ??= line;
      else spec.onLine(line, stream);
    };
    const readers = [lineReader(out, onLine('stdout')), lineReader(err, onLine('stderr'))];
    try {
      const res = await engine.startExec(execId);
      started = true;
      if (killWhenStarted) kill();
      try {
        for await (const frame of demultiplex(res)) (frame.stream === 'stderr' ? err : out).write(frame.payload);
      } finally {
        res.destroy();
      }
    } catch (error) {
      out.end();
      err.end();
      await Promise.all(readers.map((reader) => reader.ended(OUTPUT_DRAIN_MS)));
      return { exitCode: null, signal: null, spawnError: spawnFailure(errorMessage(error), spec) };
    }
    out.end();
    err.end();
    await Promise.all(readers.map((reader) => reader.ended(OUTPUT_DRAIN_MS)));
    const deadline = Date.now() + EXIT_CODE_WAIT_MS;
    for (;;) {
      const state = await engine.inspectExec(execId);
      if (!state.running && state.exitCode !== undefined) {
        if (killTimer !== undefined) clearTimeout(killTimer);
        if (runtimeError !== undefined && (state.exitCode === 126 || state.exitCode === 127))
          return { exitCode: null, signal: null, spawnError: spawnFailure(runtimeError, spec) };
        // A process a signal ended reports 128 + the signal, as a shell would.
        return { exitCode: state.exitCode, signal: null };
      }
      if (Date.now() > deadline)
        return {
          exitCode: null,
          signal: null,
          spawnError: new Error(`The container engine did not report how the step's process ended (${spec.file})`),
        };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  function kill(): void {
    signal('SIGTERM');
    killTimer = setTimeout(() => signal('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  }

  return {
    pid: undefined,
    done,
    get killReason() {
      return killReason;
    },
    kill(reason) {
      if (killReason !== undefined) return;
      killReason = reason;
      if (started) kill();
      else killWhenStarted = true;
    },
  };
}
