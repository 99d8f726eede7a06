/**
 * Runs one process for a step (a run script, an action's pre/main/post) the way GitHub's runner
 * does: fresh file-command files, the step's environment with PATH additions, workflow commands
 * read from stdout and stderr, the files applied afterwards, and the exit code turned into the
 * step's outcome. Cancellation and timeouts kill the process group.
 */
import { delimiter } from 'node:path';
import { createFileCommandFiles, FileCommandError, readFileCommands } from './file-commands.js';
import type { JobState } from './job-state.js';
import { WorkflowCommandProcessor } from './workflow-commands.js';

export type Outcome = 'success' | 'failure' | 'cancelled';

/** GitHub's limit on one step's summary. */
const MAX_SUMMARY_BYTES = 1024 * 1024;

/** A step's process; `file`, `args` and `cwd` as the job sees them. */
export interface ProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  /** The full environment except the file-command variables and PATH additions. */
  env: Record<string, string>;
  /** Step timeout, in minutes (may be fractional). */
  timeoutMinutes?: number;
  /** Where GITHUB_OUTPUT / set-output values go. */
  outputs: Record<string, string>;
  /** Where GITHUB_STATE / save-state values go (an action's STATE_* for its later stages). */
  state?: Record<string, string>;
  /** For the timeout message: the step's display name. */
  displayName: string;
}

/** Builds PATH: GITHUB_PATH additions (most recent first) before the step's own PATH. */
export function pathWithAdditions(job: JobState, path: string | undefined): string {
  return [...job.pathAdditions, ...(path ?? '').split(delimiter).filter(Boolean)].join(delimiter);
}

export async function runStepProcess(job: JobState, spec: ProcessSpec): Promise<Outcome> {
  if (job.halted) return 'cancelled';
  const files = createFileCommandFiles(job.paths.fileCommands);
  const fileVariables = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, job.host.toJob(file)]));
  const env: Record<string, string> = { ...spec.env, ...fileVariables, PATH: pathWithAdditions(job, spec.env.PATH) };
  const allowUnsecure = (env.ACTIONS_ALLOW_UNSECURE_COMMANDS ?? '').toLowerCase() === 'true';
  const commands = new WorkflowCommandProcessor({
    debugEnabled: job.debug,
    allowUnsecureCommands: allowUnsecure,
    mask: (value) => job.masker.add(value),
    log: (line) => job.log.write(line),
    annotate: (level, message, properties) => {
      const number = (name: string) =>
        properties[name] !== undefined && /^\d+$/.test(properties[name]) ? Number(properties[name]) : undefined;
      job.annotations.push({
        level,
        message: job.masker.mask(message),
        job: job.jobName,
        ...(properties.title !== undefined ? { title: job.masker.mask(properties.title) } : {}),
        ...(properties.file !== undefined ? { file: properties.file } : {}),
        ...(number('line') !== undefined ? { line: number('line') } : {}),
        ...(number('endLine') !== undefined ? { endLine: number('endLine') } : {}),
        ...(number('col') !== undefined ? { col: number('col') } : {}),
        ...(number('endColumn') !== undefined ? { endColumn: number('endColumn') } : {}),
      });
    },
    setOutput: (name, value) => {
      spec.outputs[name] = value;
    },
    saveState: (name, value) => {
      if (spec.state !== undefined) spec.state[name] = value;
    },
    setEnv: (name, value) => {
      job.fileEnv[name] = value;
    },
    addPath: (path) => {
      job.pathAdditions.unshift(path);
    },
  });

  const started = job.host.start({
    file: spec.file,
    args: spec.args,
    cwd: spec.cwd,
    env,
    onLine: (line) => commands.line(line),
  });
  job.processes.add(started);
  let timedOut = false;
  const timer =
    spec.timeoutMinutes !== undefined && spec.timeoutMinutes > 0
      ? setTimeout(() => {
          timedOut = true;
          started.kill('timeout');
        }, spec.timeoutMinutes * 60_000)
      : undefined;
  // A cancel that arrived between the check above and the spawn.
  if (job.halted) started.kill('cancel');
  const result = await started.done;
  if (timer !== undefined) clearTimeout(timer);
  job.processes.delete(started);

  let outcome: Outcome = 'success';
  try {
    const written = readFileCommands(files);
    for (const [name, value] of written.env) job.fileEnv[name] = value;
    job.pathAdditions.unshift(...written.path);
    for (const [name, value] of written.outputs) spec.outputs[name] = value;
    if (spec.state !== undefined) for (const [name, value] of written.state) spec.state[name] = value;
    if (Buffer.byteLength(written.summary) > MAX_SUMMARY_BYTES) {
      // GitHub's limit and wording: the summary is dropped, the step is not failed.
      const message = `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got ${Math.ceil(Buffer.byteLength(written.summary) / 1024)}k.`;
      job.log.write(`##[error]${message}`);
      job.annotations.push({ level: 'error', message, job: job.jobName });
    } else if (written.summary !== '') {
      job.summary += job.masker.mask(written.summary);
    }
  } catch (error) {
    if (!(error instanceof FileCommandError)) throw error;
    job.log.write(`##[error]${error.message}`);
    job.annotations.push({ level: 'error', message: job.masker.mask(error.message), job: job.jobName });
    outcome = 'failure';
  }

  if (result.spawnError !== undefined) {
    job.log.write(`##[error]${result.spawnError.message}`);
    return 'failure';
  }
  if (timedOut) {
    const message = `The action '${spec.displayName}' has timed out after ${spec.timeoutMinutes} minutes.`;
    job.log.write(`##[error]${message}`);
    job.annotations.push({ level: 'error', message: job.masker.mask(message), job: job.jobName });
    return 'failure';
  }
  if (started.killReason === 'cancel' || job.halted) {
    job.log.write('##[error]The operation was canceled.');
    return 'cancelled';
  }
  if (result.exitCode !== 0) {
    const message =
      result.exitCode === null
        ? `Process completed with signal ${result.signal ?? 'unknown'}.`
        : `Process completed with exit code ${result.exitCode}.`;
    job.log.write(`##[error]${message}`);
    job.annotations.push({ level: 'error', message, job: job.jobName });
    return 'failure';
  }
  return outcome;
}
