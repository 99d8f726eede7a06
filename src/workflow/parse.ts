/**
 * parseWorkflowFile: workflow YAML → WorkflowDefinition.
 *
 * Steps: read and schema-validate the YAML (schema.ts), convert `on`, `jobs` and `concurrency` with
 * @actions/workflow-parser's converters (which also validate ids, `needs` cycles and `if`
 * expressions, wrap `if`s without a status function in `success() && (…)`, and generate GitHub's
 * step ids `__run`, `__run_2`, `__actions_checkout`, …), then read from the token tree the fields the
 * converted model leaves out (permissions, defaults, timeouts, step `with`/`shell`/…).
 *
 * This does what `convertWorkflowTemplate` does with ErrorPolicy.ReturnErrorsOnly and no reusable
 * workflow fetching, synchronously (the package function is async only for that fetching, and its
 * module cannot be loaded on Node 20; see schema.ts).
 */
import { convertConcurrency } from '@actions/workflow-parser/model/converter/concurrency';
import { convertOn } from '@actions/workflow-parser/model/converter/events';
import { convertJobs } from '@actions/workflow-parser/model/converter/jobs';
import type {
  EventsConfig,
  Step as ConvertedStep,
  WorkflowJob,
} from '@actions/workflow-parser/model/workflow-template';
import type { TemplateContext } from '@actions/workflow-parser/templates/template-context';
import { TemplateTokenError } from '@actions/workflow-parser/templates/tokens/template-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { isMapping, isSequence, isString } from '@actions/workflow-parser/templates/tokens/type-guards';
import type {
  JobDefinition,
  ParseResult,
  PermissionLevel,
  PermissionsSpec,
  PushFilter,
  RunDefaults,
  StepDefinition,
  WorkflowDefinition,
  WorkflowCallInput,
  WorkflowCallTrigger,
  WorkflowDispatchInput,
  WorkflowRunFilter,
} from './contract.js';
import { readWorkflowTemplate, templateErrors } from './schema.js';
import { literalStrings, literalText, mappingEntries, mappingValue } from './token-reading.js';
import { errorMessage } from '../core/errors.js';

/**
 * Parses one workflow file. `file` is its path in the repository (`.github/workflows/deploy.yml`): it
 * prefixes every error message and is the workflow's name when `name:` is absent.
 */
export function parseWorkflowFile(file: string, content: string): ParseResult {
  try {
    return parseChecked(file, content);
  } catch (error) {
    // The library reports problems through its context; a throw is its bug (or ours), but a user's
    // file must still get an answer rather than take the runner down.
    return { errors: [`${file}: the workflow could not be read: ${errorMessage(error)}`] };
  }
}

function parseChecked(file: string, content: string): ParseResult {
  const { context, root } = readWorkflowTemplate(file, content);
  if (root === undefined || context.errors.count > 0) return { errors: templateErrors(context) };

  let events: EventsConfig = {};
  let jobs: WorkflowJob[] = [];
  reportingErrors(context, root, () => {
    for (const [key, value] of mappingEntries(root)) {
      if (key === 'on') events = reportingErrors(context, value, () => convertOn(context, value)) ?? {};
      else if (key === 'jobs') jobs = reportingErrors(context, value, () => convertJobs(context, value)) ?? [];
      else if (key === 'concurrency') reportingErrors(context, value, () => convertConcurrency(context, value));
    }
  });
  refuseFilterPairs(context, mappingValue(root, 'on'));
  if (context.errors.count > 0) return { errors: templateErrors(context) };

  const jobTokens = mappingValue(root, 'jobs');
  const workflow: WorkflowDefinition = {
    file,
    name: literalText(mappingValue(root, 'name')) || file,
    runName: mappingValue(root, 'run-name'),
    on: triggers(events, mappingValue(root, 'on')),
    env: mappingValue(root, 'env'),
    permissions: permissionsSpec(mappingValue(root, 'permissions')),
    defaults: defaults(mappingValue(root, 'defaults')),
    concurrency: mappingValue(root, 'concurrency'),
    jobs: jobs.map((job) => jobDefinition(job, mappingValue(jobTokens, job.id.value))),
  };
  return { workflow: withoutUndefined(workflow), errors: [] };
}

/**
 * GitHub refuses a workflow that gives both a filter and its `-ignore` twin for one event ("You
 * cannot use both the branches and branches-ignore filters for the same event"); the schema does not.
 */
function refuseFilterPairs(context: TemplateContext, onToken: TemplateToken | undefined): void {
  if (onToken === undefined || !isMapping(onToken)) return;
  for (const event of onToken) {
    if (!isMapping(event.value)) continue;
    for (const pair of event.value) {
      if (!isString(pair.key) || !pair.key.value.endsWith('-ignore')) continue;
      const filter = pair.key.value.slice(0, -'-ignore'.length);
      if (mappingValue(event.value, filter) !== undefined) {
        context.error(
          pair.key,
          `You cannot use both '${filter}' and '${pair.key.value}' for the same event '${event.key.toString()}'`,
        );
      }
    }
  }
}

/** Runs a converter, turning what it throws into a context error, as the package's own converter does. */
function reportingErrors<T>(context: TemplateContext, token: TemplateToken, convert: () => T): T | undefined {
  try {
    return convert();
  } catch (error) {
    if (error instanceof TemplateTokenError) context.error(error.token, error);
    else context.error(token, error);
    return undefined;
  }
}

function triggers(events: EventsConfig, onToken: TemplateToken | undefined): WorkflowDefinition['on'] {
  const on: WorkflowDefinition['on'] = { other: [] };
  for (const name of Object.keys(events)) {
    if (name === 'push') on.push = pushFilter(mappingValue(onToken, 'push'));
    else if (name === 'workflow_dispatch')
      on.workflow_dispatch = {
        inputs: dispatchInputs(mappingValue(mappingValue(onToken, 'workflow_dispatch'), 'inputs')),
      };
    else if (name === 'workflow_call') on.workflow_call = workflowCall(mappingValue(onToken, 'workflow_call'));
    else if (name === 'workflow_run') on.workflow_run = workflowRun(mappingValue(onToken, 'workflow_run'));
    else on.other.push(name);
  }
  return on;
}

const PUSH_FILTER_KEYS = ['branches', 'branches-ignore', 'tags', 'tags-ignore', 'paths', 'paths-ignore'] as const;

/** `push:` filters as written; a key that is present with an empty list stays present (it still restricts). */
function pushFilter(token: TemplateToken | undefined): PushFilter {
  const filter: PushFilter = {};
  for (const key of PUSH_FILTER_KEYS) {
    const value = mappingValue(token, key);
    if (value !== undefined) filter[key] = literalStrings(value);
  }
  return filter;
}

const INPUT_TYPES: readonly WorkflowDispatchInput['type'][] = ['string', 'choice', 'boolean', 'environment', 'number'];

/**
 * workflow_dispatch inputs read from the tokens rather than the converter, whose InputType lacks
 * `number` (GitHub accepts it).
 */
function dispatchInputs(token: TemplateToken | undefined): Record<string, WorkflowDispatchInput> {
  const inputs: Record<string, WorkflowDispatchInput> = {};
  for (const [name, spec] of mappingEntries(token)) {
    const typeText = literalText(mappingValue(spec, 'type')) ?? 'string';
    const input: WorkflowDispatchInput = {
      type: INPUT_TYPES.find((type) => type === typeText) ?? 'string',
    };
    const description = literalText(mappingValue(spec, 'description'));
    if (description !== undefined) input.description = description;
    const required = mappingValue(spec, 'required');
    if (required !== undefined) input.required = literalText(required) === 'true';
    const defaultToken = mappingValue(spec, 'default');
    const defaultText = literalText(defaultToken);
    if (defaultText !== undefined) {
      if (input.type === 'boolean') input.default = defaultText === 'true';
      else if (input.type === 'number' && defaultText.trim() !== '' && !Number.isNaN(Number(defaultText)))
        input.default = Number(defaultText);
      else input.default = defaultText;
    }
    const options = mappingValue(spec, 'options');
    if (options !== undefined) input.options = literalStrings(options);
    inputs[name] = input;
  }
  return inputs;
}

const CALL_INPUT_TYPES: readonly WorkflowCallInput['type'][] = ['string', 'boolean', 'number'];

/** `on.workflow_call` read from its tokens (the schema has checked the shapes and types). */
function workflowCall(token: TemplateToken | undefined): WorkflowCallTrigger {
  const trigger: WorkflowCallTrigger = { inputs: {}, secrets: {}, outputs: {} };
  for (const [name, spec] of mappingEntries(mappingValue(token, 'inputs'))) {
    const typeText = literalText(mappingValue(spec, 'type')) ?? 'string';
    const input: WorkflowCallInput = {
      type: CALL_INPUT_TYPES.find((type) => type === typeText) ?? 'string',
      required: literalText(mappingValue(spec, 'required')) === 'true',
    };
    const defaultToken = mappingValue(spec, 'default');
    if (defaultToken !== undefined) {
      const text = literalText(defaultToken);
      if (defaultToken.isExpression || text === undefined) input.default = defaultToken;
      else if (input.type === 'boolean') input.default = text === 'true';
      else if (input.type === 'number' && text.trim() !== '' && !Number.isNaN(Number(text)))
        input.default = Number(text);
      else input.default = text;
    }
    trigger.inputs[name] = input;
  }
  for (const [name, spec] of mappingEntries(mappingValue(token, 'secrets')))
    trigger.secrets[name] = { required: literalText(mappingValue(spec, 'required')) === 'true' };
  for (const [name, spec] of mappingEntries(mappingValue(token, 'outputs'))) {
    const value = mappingValue(spec, 'value');
    if (value !== undefined) trigger.outputs[name] = value;
  }
  return trigger;
}

/** `on.workflow_run` as written; GitHub requires `workflows`, the schema checks it. */
function workflowRun(token: TemplateToken | undefined): WorkflowRunFilter {
  const filter: WorkflowRunFilter = {
    workflows: literalStrings(mappingValue(token, 'workflows')),
    types: literalStrings(mappingValue(token, 'types')),
  };
  for (const key of ['branches', 'branches-ignore'] as const) {
    const value = mappingValue(token, key);
    if (value !== undefined) filter[key] = literalStrings(value);
  }
  return filter;
}

const LEVELS: readonly PermissionLevel[] = ['read', 'write', 'none'];

/** `permissions:` as written: `read-all`, `write-all`, or a scope map (`{}` included); undefined when absent. */
export function permissionsSpec(token: TemplateToken | undefined): PermissionsSpec | undefined {
  if (token === undefined) return undefined;
  if (isString(token)) {
    if (token.value === 'read-all' || token.value === 'write-all') return token.value;
    return undefined;
  }
  if (!isMapping(token)) return undefined;
  const permissions: Record<string, PermissionLevel> = {};
  for (const [scope, value] of mappingEntries(token)) {
    const level = LEVELS.find((candidate) => candidate === literalText(value));
    if (level !== undefined) permissions[scope] = level;
  }
  return permissions;
}

/** `defaults.run` with literal values; expression values (allowed at job level) are left to runDefaultsToken. */
function defaults(token: TemplateToken | undefined): { run?: RunDefaults } {
  const run = mappingValue(token, 'run');
  if (run === undefined) return {};
  const result: RunDefaults = {};
  const shell = literalText(mappingValue(run, 'shell'));
  if (shell !== undefined) result.shell = shell;
  const workingDirectory = literalText(mappingValue(run, 'working-directory'));
  if (workingDirectory !== undefined) result['working-directory'] = workingDirectory;
  return { run: result };
}

function hasExpressionValue(token: TemplateToken | undefined): boolean {
  return mappingEntries(token).some(([, value]) => value.isExpression);
}

function jobDefinition(job: WorkflowJob, token: TemplateToken | undefined): JobDefinition {
  const definition: JobDefinition = {
    id: job.id.value,
    // The converter substitutes the job id for a missing name; keep only a written one so that
    // jobDisplayName can tell them apart (GitHub appends matrix values either way).
    name: mappingValue(token, 'name'),
    needs: (job.needs ?? []).map((need) => need.value),
    if: job.if.expression,
    strategy: job.strategy,
    concurrency: job.concurrency,
    outputs: job.outputs,
    permissions: permissionsSpec(mappingValue(token, 'permissions')),
    defaults: defaults(mappingValue(token, 'defaults')),
    timeoutMinutes: mappingValue(token, 'timeout-minutes'),
    continueOnError: mappingValue(token, 'continue-on-error'),
    steps: [],
  };
  const runDefaults = mappingValue(mappingValue(token, 'defaults'), 'run');
  if (hasExpressionValue(runDefaults)) definition.runDefaultsToken = runDefaults;
  if (job.type === 'reusableWorkflowJob') {
    definition.uses = job.ref.value;
    definition.with = mappingValue(token, 'with');
    const secrets = mappingValue(token, 'secrets');
    definition.secrets = job['inherit-secrets'] === true ? 'inherit' : secrets;
    return withoutUndefined(definition);
  }
  definition.runsOn = job['runs-on'];
  definition.env = job.env;
  definition.environment = job.environment;
  definition.container = job.container;
  definition.services = job.services;
  const stepTokens = mappingValue(token, 'steps');
  const rawSteps: TemplateToken[] = stepTokens !== undefined && isSequence(stepTokens) ? [...stepTokens] : [];
  // With no conversion errors the converter keeps every step, in order, so the lists line up.
  definition.steps = job.steps.map((step, index) => stepDefinition(step, rawSteps[index]));
  return withoutUndefined(definition);
}

function stepDefinition(step: ConvertedStep, token: TemplateToken | undefined): StepDefinition {
  const definition: StepDefinition = {
    id: step.id,
    hasUserId: mappingValue(token, 'id') !== undefined,
    name: mappingValue(token, 'name'),
    if: step.if?.expression ?? 'success()',
    uses: literalText(mappingValue(token, 'uses')),
    run: mappingValue(token, 'run'),
    shell: mappingValue(token, 'shell'),
    with: mappingValue(token, 'with'),
    env: mappingValue(token, 'env'),
    continueOnError: mappingValue(token, 'continue-on-error'),
    workingDirectory: mappingValue(token, 'working-directory'),
    timeoutMinutes: mappingValue(token, 'timeout-minutes'),
  };
  return withoutUndefined(definition);
}

/** Drops absent optional fields, so that comparisons and logs of definitions stay tidy. */
function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
