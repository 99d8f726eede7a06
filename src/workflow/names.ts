/**
 * Display names of jobs and steps, as GitHub shows them in a run's log and UI.
 *
 * - Step: its evaluated `name:`; else `Run <first line of the script>` for `run:` steps (the script
 *   as written, expressions unevaluated, as GitHub shows it) or `Run <uses>` for actions.
 * - Job: its evaluated `name:`, else its id. For a matrix instance GitHub appends the combination's
 *   values, `build (ubuntu-latest, 20)`, unless the name itself is an expression (then the author
 *   chose how the matrix shows). Nested object/array values are flattened to their scalars.
 * A name that fails to evaluate falls back to the name as written, so a bad name never fails a run.
 */
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { JobDefinition, Json, Scope, StepDefinition } from './contract.js';
import { evaluateString, jsonToString, sourceText } from './templates.js';

/** A step's name as GitHub shows it. */
export function stepDisplayName(step: StepDefinition, scope: Scope): string {
  const written = evaluatedName(step.name, scope);
  if (written !== '') return written;
  if (step.run !== undefined) return `Run ${firstLine(sourceText(step.run))}`;
  if (step.uses !== undefined) return `Run ${step.uses}`;
  return step.id;
}

/**
 * A job's name as GitHub shows it. Pass the matrix combination of this instance (what expandMatrix
 * returned) to get the suffix; the scope should carry it as its `matrix` context too.
 */
export function jobDisplayName(job: JobDefinition, scope: Scope, combination?: Record<string, Json>): string {
  const base = evaluatedName(job.name, scope) || job.id;
  const matrix = combination ?? matrixOf(scope);
  const values = Object.values(matrix).flatMap(scalarsOf);
  if (values.length === 0 || (job.name !== undefined && job.name.isExpression)) return base;
  return `${base} (${values.join(', ')})`;
}

function evaluatedName(token: TemplateToken | undefined, scope: Scope): string {
  if (token === undefined) return '';
  try {
    return evaluateString(token, scope).trim();
  } catch {
    return sourceText(token).trim();
  }
}

/** The first line of a script that has text, trimmed, as GitHub titles `run:` steps. */
function firstLine(script: string): string {
  return (
    script
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}

function matrixOf(scope: Scope): Record<string, Json> {
  const matrix = scope.contexts.matrix;
  return typeof matrix === 'object' && matrix !== null && !Array.isArray(matrix) ? matrix : {};
}

function scalarsOf(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(scalarsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(scalarsOf);
  return [jsonToString(value)];
}
