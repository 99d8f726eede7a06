/** What the step runner hands an action's step: its evaluated env, scope and outputs, and how to run inner steps. */
import type { StepDefinition } from '../workflow/contract.js';
import type { JobState, StepFrame, stepScope } from './job-state.js';
import type { Outcome } from './step-process.js';

export type StepConclusion = Outcome | 'skipped';

export interface StepResult {
  outcome: StepConclusion;
  conclusion: StepConclusion;
  outputs: Record<string, string>;
}

export interface StepInvocation {
  name: string;
  /** The env context including the step's own `env:`. */
  env: Record<string, string>;
  /** Just the step's own `env:` (a composite passes it to its steps). */
  stepEnv: Record<string, string>;
  scope: ReturnType<typeof stepScope>;
  timeoutMinutes: number | undefined;
  outputs: Record<string, string>;
  /**
   * Runs a step of the job: how a composite action runs its own steps. Passed in by the step
   * runner rather than imported, so step-runner → uses-step → composite is not a cycle.
   */
  runStep(job: JobState, frame: StepFrame, step: StepDefinition): Promise<StepResult>;
}
