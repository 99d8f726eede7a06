/**
 * JavaScript actions: `runs.using: node12|node16|node20|node24` run with the job's Node (the
 * Node that runs dockyard on this host, the image's `node` in a job container), as a runner runs
 * its bundled Node whatever the label says. Each stage (pre, main, post) is its own process with INPUT_<NAME> variables
 * (upper-cased, spaces → `_`), GITHUB_ACTION_PATH/REPOSITORY/REF, and STATE_<name> from what
 * earlier stages wrote to GITHUB_STATE.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StepDefinition } from '../../workflow/contract.js';
import { processEnvironment, type JobState, type StepFrame } from '../job-state.js';
import { runStepProcess, type Outcome } from '../step-process.js';
import type { ActionDefinition, NodeRuns } from './definition.js';
import type { ResolvedAction } from './resolve.js';

export interface NodeAction {
  resolved: ResolvedAction;
  definition: ActionDefinition;
  runs: NodeRuns;
}

/** INPUT_<NAME>: GitHub upper-cases the name and replaces spaces with `_` (hyphens stay). */
export function inputVariables(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
}

export async function runNodeStage(
  job: JobState,
  frame: StepFrame,
  step: StepDefinition,
  action: NodeAction,
  stage: 'pre' | 'main' | 'post',
  inputs: Record<string, string>,
  env: Record<string, string>,
  options: { timeoutMinutes?: number; outputs: Record<string, string>; name: string },
): Promise<Outcome> {
  const entry = stage === 'main' ? action.runs.main : action.runs[stage];
  if (entry === undefined) return 'success';
  const script = join(action.definition.dir, entry);
  if (!existsSync(script)) {
    throw new Error(`File not found: '${script}' (${stage} of ${step.uses ?? action.definition.name})`);
  }
  const state = job.actionState.get(step.id) ?? {};
  job.actionState.set(step.id, state);
  const stateVariables = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
  const actionFrame: StepFrame = {
    ...frame,
    action: { path: action.definition.dir, repository: action.resolved.repository, ref: action.resolved.ref },
  };
  const processEnv = {
    ...processEnvironment(job, actionFrame, step.id, env, { ...inputVariables(inputs), ...stateVariables }),
    ...job.runtimeVariables,
  };
  return runStepProcess(job, {
    file: job.host.node,
    args: [job.host.toJob(script)],
    cwd: job.view.workspace,
    env: processEnv,
    timeoutMinutes: options.timeoutMinutes,
    outputs: options.outputs,
    state,
    displayName: options.name,
  });
}
