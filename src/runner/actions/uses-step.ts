/**
 * A `uses:` step: resolve and read the action, compute its inputs (`with:` over the evaluated
 * defaults of action.yml), warn about unexpected and deprecated inputs as GitHub does, then run
 * it as a JavaScript or composite action.
 */
import type { StepDefinition } from '../../workflow/contract.js';
import { evaluateStringMap } from '../../workflow/index.js';
import type { JobState, StepFrame } from '../job-state.js';
import type { StepInvocation } from '../step-invocation.js';
import type { Outcome } from '../step-process.js';
import { runComposite } from './composite.js';
import { loadAction, type ActionDefinition } from './definition.js';
import { runNodeStage } from './node-action.js';
import type { ResolutionContext, ResolvedAction } from './resolve.js';

/** Resolves and reads an action; remote ones once per job. Throws ActionResolutionError. */
export async function loadUses(
  job: JobState,
  uses: string,
): Promise<{ resolved: ResolvedAction; definition: ActionDefinition }> {
  const local = uses.startsWith('./') || uses === '.';
  const known = local ? undefined : job.loadedActions.get(uses);
  if (known !== undefined) return known;
  const resolved = await job.actions.resolve(uses, resolutionContext(job));
  const loaded = { resolved, definition: await loadAction(resolved.dir, uses) };
  if (!local) job.loadedActions.set(uses, loaded);
  return loaded;
}

/** The job's log and notices, and what its earlier resolutions learnt of the server. */
function resolutionContext(job: JobState): ResolutionContext {
  return {
    workspace: job.paths.workspace,
    session: job.actionResolution,
    log: (line: string) => job.log.write(line),
    notice: (message: string) => {
      job.log.write(`##[notice]${message}`);
      job.annotations.push({ level: 'notice', message, job: job.jobName });
    },
  };
}

/** Inputs as the action sees them: declared defaults (evaluated) overlaid by `with:`. */
export function actionInputs(
  job: JobState,
  step: StepDefinition,
  definition: ActionDefinition,
  scope: StepInvocation['scope'],
): Record<string, string> {
  const given = evaluateStringMap(step.with, scope);
  const defaults = evaluateStringMap(definition.defaults, scope);
  const declared = definition.inputs.map((input) => input.id);
  const unexpected = Object.keys(given).filter((key) => !declared.some((id) => id.toLowerCase() === key.toLowerCase()));
  if (unexpected.length > 0) {
    const message = `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.join("', '")}']`;
    job.log.write(`##[warning]${message}`);
    job.annotations.push({ level: 'warning', message, job: job.jobName });
  }
  for (const input of definition.inputs) {
    if (
      input.deprecationMessage !== undefined &&
      Object.keys(given).some((key) => key.toLowerCase() === input.id.toLowerCase())
    ) {
      const message = `Input '${input.id}' has been deprecated with message: ${input.deprecationMessage}`;
      job.log.write(`##[warning]${message}`);
      job.annotations.push({ level: 'warning', message, job: job.jobName });
    }
  }
  return { ...defaults, ...given };
}

export async function runUsesStep(
  job: JobState,
  frame: StepFrame,
  step: StepDefinition,
  call: StepInvocation,
): Promise<Outcome> {
  const uses = step.uses as string;
  job.log.write(`##[group]${call.name}`);
  let loaded: { resolved: ResolvedAction; definition: ActionDefinition };
  try {
    loaded = await loadUses(job, uses);
  } finally {
    // The header is closed even when resolution fails, so the error reads as the step's own line.
    job.log.write('##[endgroup]');
  }
  const { resolved, definition } = loaded;
  const inputs = actionInputs(job, step, definition, call.scope);
  if (definition.runs.using === 'composite') {
    return runComposite(job, frame, step, { resolved, definition, runs: definition.runs }, inputs, call);
  }
  const runs = definition.runs;
  const state = job.actionState.get(step.id) ?? {};
  job.actionState.set(step.id, state);
  const outcome = await runNodeStage(job, frame, step, { resolved, definition, runs }, 'main', inputs, call.env, {
    timeoutMinutes: call.timeoutMinutes,
    outputs: call.outputs,
    name: call.name,
  });
  if (runs.post !== undefined) {
    // The post stage sees the job's env as it is then, plus this step's own env and inputs.
    const stepEnv = call.stepEnv;
    const postName = `Post ${call.name}`;
    job.postSteps.push({
      name: postName,
      stepId: step.id,
      condition: runs.postIf,
      frame,
      run: () =>
        runNodeStage(
          job,
          frame,
          step,
          { resolved, definition, runs },
          'post',
          inputs,
          { ...job.env, ...job.fileEnv, ...frame.env, ...stepEnv },
          { outputs: {}, name: postName },
        ),
    });
  }
  return outcome;
}
