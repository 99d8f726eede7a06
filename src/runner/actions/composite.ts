/**
 * Composite actions: their steps run in a frame of their own (an `inputs` context, a `steps`
 * context that starts empty, GITHUB_ACTION_PATH), inside the calling step's log and record;
 * their `outputs:` are evaluated against that frame when the steps are done.
 *
 * Reproduced from GitHub: run steps must name a shell (checked when action.yml is read); a
 * failed inner step makes later inner steps see failure() and fails the calling step; GITHUB_ENV
 * and GITHUB_PATH written inside reach the rest of the job; nesting is limited (GitHub: 10).
 */
import type { Json, StepDefinition } from '../../workflow/contract.js';
import { evaluateStringMap } from '../../workflow/index.js';
import { frameEnv, stepScope, type JobState, type StepFrame } from '../job-state.js';
import type { Outcome } from '../step-process.js';
import type { StepInvocation } from '../step-invocation.js';
import type { ActionDefinition, CompositeRuns } from './definition.js';
import type { ResolvedAction } from './resolve.js';

const MAX_DEPTH = 10;

export async function runComposite(
  job: JobState,
  parent: StepFrame,
  step: StepDefinition,
  action: { resolved: ResolvedAction; definition: ActionDefinition; runs: CompositeRuns },
  inputs: Record<string, string>,
  call: StepInvocation,
): Promise<Outcome> {
  if (parent.depth + 1 > MAX_DEPTH)
    throw new Error(`Composite action nesting is too deep (more than ${MAX_DEPTH} levels) at ${step.uses ?? step.id}`);
  const frame: StepFrame = {
    steps: {},
    inputs: inputs as Json,
    action: { path: action.definition.dir, repository: action.resolved.repository, ref: action.resolved.ref },
    recorded: false,
    defaults: {},
    env: { ...parent.env, ...call.stepEnv },
    depth: parent.depth + 1,
    status: 'success',
  };
  let cancelled = false;
  for (const inner of action.runs.steps) {
    const result = await call.runStep(job, frame, inner);
    if (result.outcome === 'cancelled') cancelled = true;
  }
  const outputs = evaluateStringMap(action.definition.outputs, stepScope(job, frame, frameEnv(job, frame)));
  Object.assign(call.outputs, outputs);
  if (cancelled || job.status === 'cancelled') return 'cancelled';
  return frame.status === 'failure' ? 'failure' : 'success';
}
