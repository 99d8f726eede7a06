/**
 * Reads an action's metadata (action.yml / action.yaml) into what the runner needs: inputs
 * with their defaults, outputs, and how it runs (node, composite; docker is refused).
 *
 * Why a synthetic workflow: defaults, output values and composite steps contain `${{ }}`
 * expressions that must become TemplateTokens the workflow model evaluates. The package's
 * action parser cannot be loaded on Node 20 (its schema JSON import lacks an import attribute,
 * see src/workflow/schema.ts), so the expression-bearing parts are wrapped in a one-job workflow
 * and read by parseWorkflowFile: composite steps as the job's steps, output values as its
 * outputs, input defaults as the `with:` of one extra step. Composite steps have the same keys
 * as workflow steps, so the schema validates them too.
 *
 * An action's files come from users (a repository's own `./` action, or one pushed and cached), so
 * both readings happen in the parse workers, within GitHub's limits and a time limit
 * (src/workflow/parse-pool.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { StepDefinition } from '../../workflow/contract.js';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import {
  WORKFLOW_READ_LIMITS,
  fileTooLargeMessage,
  parseWorkflowFileBounded,
  readYamlBounded,
} from '../../workflow/index.js';
import { ActionResolutionError, actionFile } from './resolve.js';

export interface ActionInput {
  id: string;
  required: boolean;
  deprecationMessage?: string;
}

export interface NodeRuns {
  using: 'node';
  /** node12 … node24 as declared; dockyard runs them all on its own Node. */
  declared: string;
  main: string;
  pre?: string;
  post?: string;
  preIf: string;
  postIf: string;
}

export interface CompositeRuns {
  using: 'composite';
  steps: StepDefinition[];
}

export interface ActionDefinition {
  name: string;
  dir: string;
  file: string;
  inputs: ActionInput[];
  /** A mapping input id → default, for evaluation (only inputs that declare a default). */
  defaults: TemplateToken | undefined;
  /** A mapping output id → value expression (composite actions). */
  outputs: TemplateToken | undefined;
  runs: NodeRuns | CompositeRuns;
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Loads and checks `dir`'s action.yml; throws ActionResolutionError with a message for the log. */
export async function loadAction(dir: string, uses: string): Promise<ActionDefinition> {
  const file = actionFile(dir);
  if (file === undefined)
    throw new ActionResolutionError(`Can't find 'action.yml' or 'action.yaml' for ${uses} under '${dir}'`);
  // A UTF-8 character takes at most three bytes per UTF-16 unit: a file this large is over the limit unread.
  if ((await stat(file)).size > 3 * WORKFLOW_READ_LIMITS.maxFileSize)
    throw new ActionResolutionError(`${uses}: ${fileTooLargeMessage(file, WORKFLOW_READ_LIMITS)}`);
  let raw: unknown;
  try {
    raw = await readYamlBounded(file, await readFile(file, 'utf8'));
  } catch (error) {
    throw new ActionResolutionError(`${uses}: ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (!isRecord(raw) || !isRecord(raw.runs)) throw new ActionResolutionError(`${uses}: ${file} has no 'runs' section`);
  const runs = raw.runs;
  const using = String(runs.using ?? '');
  const inputs: ActionInput[] = [];
  const defaults: Record<string, unknown> = {};
  for (const [id, spec] of Object.entries(isRecord(raw.inputs) ? raw.inputs : {})) {
    const input = isRecord(spec) ? spec : {};
    inputs.push({
      id,
      required: input.required === true || input.required === 'true',
      ...(typeof input.deprecationMessage === 'string' ? { deprecationMessage: input.deprecationMessage } : {}),
    });
    if (input.default !== undefined && input.default !== null) defaults[id] = input.default;
  }
  const outputs: Record<string, unknown> = {};
  for (const [id, spec] of Object.entries(isRecord(raw.outputs) ? raw.outputs : {})) {
    if (isRecord(spec) && spec.value !== undefined) outputs[id] = spec.value;
  }

  if (using === 'docker' || using.startsWith('docker')) {
    throw new ActionResolutionError(
      `${uses} is a Docker container action, which dockyard does not support (jobs run directly on this host). Use a JavaScript or composite action instead.`,
    );
  }
  let compositeSteps: Raw[] = [];
  if (using === 'composite') {
    compositeSteps = Array.isArray(runs.steps) ? runs.steps.filter(isRecord) : [];
    compositeSteps.forEach((step, index) => {
      if (step.run !== undefined && step.shell === undefined) {
        throw new ActionResolutionError(`${uses}: ${file}: runs.steps[${index}]: Required property is missing: shell`);
      }
    });
  } else if (!/^node\d+$/.test(using)) {
    throw new ActionResolutionError(
      `${uses}: ${file}: 'runs.using' must be node12, node16, node20, node24, composite or docker, got '${using}'`,
    );
  } else if (typeof runs.main !== 'string' || runs.main === '') {
    throw new ActionResolutionError(`${uses}: ${file}: Required property is missing: runs.main`);
  }

  const compiled = await compileTemplates(file, uses, compositeSteps, defaults, outputs);
  const name = typeof raw.name === 'string' ? raw.name : uses;
  const common = { name, dir: dirname(file), file, inputs, defaults: compiled.defaults, outputs: compiled.outputs };
  if (using === 'composite') return { ...common, runs: { using: 'composite', steps: compiled.steps } };
  return {
    ...common,
    runs: {
      using: 'node',
      declared: using,
      main: runs.main as string,
      ...(typeof runs.pre === 'string' ? { pre: runs.pre } : {}),
      ...(typeof runs.post === 'string' ? { post: runs.post } : {}),
      preIf: typeof runs['pre-if'] === 'string' ? runs['pre-if'] : 'always()',
      postIf: typeof runs['post-if'] === 'string' ? runs['post-if'] : 'always()',
    },
  };
}

/** Reads the expression-bearing parts through parseWorkflowFile (see the header). */
async function compileTemplates(
  file: string,
  uses: string,
  steps: Raw[],
  defaults: Record<string, unknown>,
  outputs: Record<string, unknown>,
) {
  const workflow = {
    on: 'push',
    jobs: {
      action: {
        'runs-on': 'dockyard',
        ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
        // The last step only carries the defaults (its position, not an id, identifies it: `__` ids are reserved).
        steps: [...steps, { uses: './defaults', with: defaults }],
      },
    },
  };
  const result = await parseWorkflowFileBounded(file, stringifyYaml(workflow));
  if (result.workflow === undefined)
    throw new ActionResolutionError(`${uses}: ${file} is not a valid action: ${result.errors.join('; ')}`);
  const job = result.workflow.jobs[0];
  if (job === undefined) throw new ActionResolutionError(`${uses}: ${file} could not be read`);
  const defaultsStep = job.steps.at(-1);
  return { steps: job.steps.slice(0, -1), defaults: defaultsStep?.with, outputs: job.outputs };
}
