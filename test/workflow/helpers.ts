/**
 * Shared builders for the workflow-model tests: parse a workflow or fail loudly, pull tokens out of
 * a one-step workflow so template evaluation goes through the real parser, and build scopes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isMapping, isString } from '@actions/workflow-parser/templates/tokens/type-guards';
import { parseWorkflowFile } from '../../src/workflow/index.js';
import type { Contexts, Scope, StatusState, TemplateToken, WorkflowDefinition } from '../../src/workflow/index.js';

/** The seed's workflow, as the repository holds it. */
export const SEED_WORKFLOW = readFileSync(
  new URL('../../../test/workflow/fixtures/deploy-to-ecs.yml', import.meta.url),
  'utf8',
);

/** Parses a workflow that must be valid. */
export function parse(content: string, file = '.github/workflows/ci.yml'): WorkflowDefinition {
  const result = parseWorkflowFile(file, content);
  assert.deepEqual(result.errors, []);
  assert.ok(result.workflow);
  return result.workflow;
}

/** The parse errors of a workflow that must be invalid. */
export function errorsOf(content: string, file = '.github/workflows/ci.yml'): string[] {
  const result = parseWorkflowFile(file, content);
  assert.equal(result.workflow, undefined);
  assert.ok(result.errors.length > 0, 'expected parse errors');
  return result.errors;
}

/** Lines indented by `spaces`, for splicing YAML snippets into a template. */
export function indent(yaml: string, spaces: number): string {
  return yaml
    .split('\n')
    .map((line) => (line === '' ? line : ' '.repeat(spaces) + line))
    .join('\n');
}

/** A minimal valid workflow around the given steps (YAML list items). */
export function workflowWithSteps(steps: string, jobExtra = ''): string {
  return `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n${indent(jobExtra, 4)}\n    steps:\n${indent(steps, 6)}\n`;
}

/**
 * The token a step's `with: { v: <yaml> }` parses to: `with` accepts every step context and
 * hashFiles(), so this is how a test gets a real TemplateToken for any value.
 */
export function withValue(yaml: string): TemplateToken {
  const workflow = parse(workflowWithSteps(`- uses: actions/checkout@v4\n  with:\n    v: ${yaml}`));
  const step = workflow.jobs[0]?.steps[0];
  assert.ok(step?.with);
  const token = mappingValueOf(step.with, 'v');
  assert.ok(token, 'no v in with');
  return token;
}

/**
 * The token of a matrix vector, `strategy.matrix.v: <yaml>`: the one place whose schema keeps every
 * YAML type and accepts sequences and mappings (expressions may use github, needs, vars, inputs).
 */
export function matrixVector(yaml: string): TemplateToken {
  const workflow = parse(workflowWithSteps('- run: echo', `strategy:\n  matrix:\n    v: ${yaml}`));
  const strategy = workflow.jobs[0]?.strategy;
  assert.ok(strategy);
  const token = mappingValueOf(mappingValueOf(strategy, 'matrix') ?? strategy, 'v');
  assert.ok(token, 'no v in the matrix');
  return token;
}

/** The token a step's `env:` block parses to (mappings with insert directives, expressions as keys). */
export function stepEnv(yaml: string): TemplateToken {
  const workflow = parse(workflowWithSteps(`- run: echo\n  env:\n${indent(yaml, 4)}`));
  const env = workflow.jobs[0]?.steps[0]?.env;
  assert.ok(env);
  return env;
}

function mappingValueOf(token: TemplateToken, key: string): TemplateToken | undefined {
  if (!isMapping(token)) return undefined;
  for (const pair of token) if (isString(pair.key) && pair.key.value === key) return pair.value;
  return undefined;
}

/** A scope with the given contexts and status (success by default). */
export function scope(contexts: Contexts = {}, status: StatusState['status'] = 'success', workspace?: string): Scope {
  return workspace === undefined ? { contexts, state: { status } } : { contexts, state: { status }, workspace };
}
