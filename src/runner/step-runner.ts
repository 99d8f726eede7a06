/**
 * Runs one step of a job or of a composite action: evaluates its `if`, `env`,
 * `continue-on-error` and `timeout-minutes` where GitHub does, runs the script or the action,
 * turns the outcome into a conclusion (continue-on-error makes a failed outcome a successful
 * conclusion) and updates the `steps` context. Top-level steps are also recorded and emitted.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Json, StepDefinition } from '../workflow/contract.js';
import {
  evaluateCondition,
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  stepDisplayName,
} from '../workflow/index.js';
import { runUsesStep } from './actions/uses-step.js';
import { createNewFile } from './file-commands.js';
import { frameEnv, markFailed, processEnvironment, stepScope, type JobState, type StepFrame } from './job-state.js';
import type { StepConclusion, StepInvocation, StepResult } from './step-invocation.js';
import { resolveShell } from './shells.js';
import { pathWithAdditions, runStepProcess, type Outcome } from './step-process.js';
import { errorMessage } from '../core/errors.js';

/** Runs a step and returns its result; never throws for a step's own failure. */
export async function runStep(job: JobState, frame: StepFrame, step: StepDefinition): Promise<StepResult> {
  const number = frame.recorded ? job.nextStepNumber++ : 0;
  const baseEnv = frameEnv(job, frame);
  let scope = stepScope(job, frame, baseEnv);
  let name = step.uses !== undefined ? `Run ${step.uses}` : 'Run';
  try {
    name = stepDisplayName(step, scope);
  } catch {
    // keep the fallback name; the error surfaces when the step's fields are evaluated
  }
  const finish = (outcome: StepConclusion, conclusion: StepConclusion, outputs: Record<string, string>): StepResult => {
    if (step.hasUserId) frame.steps[step.id] = { outputs, outcome, conclusion } as Json;
    if (frame.recorded) job.record.completed(number, step.id, name, outcome, conclusion, maskOutputs(job, outputs));
    return { outcome, conclusion, outputs };
  };

  if (job.halted) return finish('cancelled', 'cancelled', {});
  let shouldRun: boolean;
  try {
    shouldRun = evaluateCondition(step.if, scope);
  } catch (error) {
    if (frame.recorded) job.record.started(number, step.id, name);
    job.log.write(`##[error]${errorMessage(error)}`);
    job.annotations.push({ level: 'error', message: job.masker.mask(errorMessage(error)), job: job.jobName });
    markFailed(job, frame);
    return finish('failure', 'failure', {});
  }
  if (!shouldRun) return finish('skipped', 'skipped', {});

  if (frame.recorded) job.record.started(number, step.id, name);
  const outputs: Record<string, string> = {};
  let continueOnError = false;
  let outcome: Outcome;
  try {
    const stepEnv = evaluateStringMap(step.env, scope);
    const env = { ...baseEnv, ...stepEnv };
    scope = stepScope(job, frame, env);
    continueOnError = truthy(step.continueOnError === undefined ? false : evaluateToken(step.continueOnError, scope));
    const timeoutValue =
      step.timeoutMinutes === undefined ? undefined : Number(evaluateToken(step.timeoutMinutes, scope));
    const timeoutMinutes =
      timeoutValue !== undefined && Number.isFinite(timeoutValue) && timeoutValue > 0 ? timeoutValue : undefined;
    const call: StepInvocation = { name, env, stepEnv, scope, timeoutMinutes, outputs, runStep };
    if (step.run !== undefined) {
      outcome = await runScript(job, frame, step, call);
    } else if (step.uses !== undefined) {
      outcome = await runUsesStep(job, frame, step, call);
    } else {
      throw new Error(`Step ${step.id} has neither run nor uses`);
    }
  } catch (error) {
    job.log.write(`##[error]${errorMessage(error)}`);
    job.annotations.push({ level: 'error', message: job.masker.mask(errorMessage(error)), job: job.jobName });
    outcome = 'failure';
  }
  const conclusion: StepConclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
  if (conclusion === 'failure') markFailed(job, frame);
  return finish(outcome, conclusion, outputs);
}

function truthy(value: Json): boolean {
  if (typeof value === 'string') return value !== '' && value.toLowerCase() !== 'false';
  return Boolean(value);
}

/** Outputs as shown in records: masked, so a secret passed through an output never reaches disk. */
function maskOutputs(job: JobState, outputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, job.masker.mask(value)]));
}

/**
 * The directory a step runs in, as the job sees it: `working-directory` (relative to the
 * workspace) or the workspace. One inside the job's directories must exist; another (a path of
 * the job's container) is checked when the process starts.
 */
export function workingDirectory(job: JobState, directory: string | undefined): string {
  const cwd = directory === undefined || directory === '' ? job.view.workspace : resolve(job.view.workspace, directory);
  const onHost = job.host.toHost(cwd);
  if (onHost !== undefined && (!existsSync(onHost) || !statSync(onHost).isDirectory())) {
    throw new Error(
      `An error occurred trying to start process with working directory '${cwd}'. No such file or directory`,
    );
  }
  return cwd;
}

async function runScript(
  job: JobState,
  frame: StepFrame,
  step: StepDefinition,
  call: StepInvocation,
): Promise<Outcome> {
  const script = evaluateString(step.run, call.scope);
  const shellName = step.shell === undefined ? frame.defaults.shell : evaluateString(step.shell, call.scope);
  const directory =
    step.workingDirectory === undefined
      ? frame.defaults['working-directory']
      : evaluateString(step.workingDirectory, call.scope);
  const processEnv = processEnvironment(job, frame, step.id, call.env);
  let scriptPath = '';
  const shell = await resolveShell(
    shellName,
    // In the runner's own directory (a job cannot swap it for a link elsewhere on the host).
    (extension) => job.host.toJob((scriptPath = join(job.paths.fileCommands, `${randomUUID()}${extension}`))),
    pathWithAdditions(job, processEnv.PATH),
    (name, path) => job.host.findExecutable(name, path),
  );
  const scriptArg = job.host.toJob(scriptPath);
  job.log.write(`##[group]${call.name}`);
  job.log.write(script.replace(/\n$/, ''));
  job.log.write(`shell: ${shell.file} ${shell.args.map((arg) => (arg === scriptArg ? '{0}' : arg)).join(' ')}`);
  const shownEnv = Object.entries({ ...job.env, ...job.fileEnv, ...frame.env, ...call.stepEnv });
  if (shownEnv.length > 0) {
    job.log.write('env:');
    for (const [key, value] of shownEnv) job.log.write(`  ${key}: ${value}`);
  }
  job.log.write('##[endgroup]');
  const cwd = workingDirectory(job, directory);
  createNewFile(scriptPath, script, 0o700);
  return runStepProcess(job, {
    file: shell.file,
    args: shell.args,
    cwd,
    env: processEnv,
    timeoutMinutes: call.timeoutMinutes,
    outputs: call.outputs,
    displayName: call.name,
  });
}
