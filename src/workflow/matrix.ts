/**
 * expandMatrix: a job's `strategy` → its job instances, following GitHub's documented rules.
 *
 * 1. Every matrix key other than `include`/`exclude` is a vector; their cartesian product, first key
 *    varying slowest, gives the original combinations.
 * 2. `exclude` entries remove every combination whose values they all equal (a partial match suffices).
 * 3. Each `include` entry is added to every original combination it does not contradict (it may not
 *    change an original value, but may overwrite values added by earlier includes); an entry that fits
 *    no original combination becomes a combination of its own. Combinations created that way are not
 *    extended by later entries.
 * Values may come from expressions (`${{ fromJSON(needs.setup.outputs.matrix) }}`), so the strategy is
 * evaluated first, in the scope GitHub uses for it (github, needs, inputs, vars).
 */
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { Json, MatrixExpansion, Scope } from './contract.js';
import { evaluateToken, TemplateValueError } from './templates.js';

/** GitHub's cap on the job instances one matrix may produce. */
export const MAX_MATRIX_COMBINATIONS = 256;

type JsonObject = { [key: string]: Json };

/**
 * Expands a job's `strategy`. `jobId` only improves the error messages. Throws Error with GitHub's
 * wording on an empty matrix, an empty vector, an exclude key the matrix lacks, or more than 256
 * combinations.
 */
export function expandMatrix(strategy: TemplateToken | undefined, scope: Scope, jobId?: string): MatrixExpansion {
  if (strategy === undefined) return { combinations: [{}], failFast: true };
  const evaluated = evaluateToken(strategy, scope);
  if (evaluated === null) return { combinations: [{}], failFast: true };
  if (!isObject(evaluated)) throw new TemplateValueError('A mapping was expected for strategy', strategy);

  const expansion: MatrixExpansion = {
    combinations:
      evaluated.matrix === undefined || evaluated.matrix === null ? [{}] : combinationsOf(evaluated.matrix, strategy),
    failFast: booleanSetting(evaluated['fail-fast'], true, 'fail-fast', strategy),
  };
  const maxParallel = numberSetting(evaluated['max-parallel'], 'max-parallel', strategy);
  if (maxParallel !== undefined) expansion.maxParallel = maxParallel;

  const count = expansion.combinations.length;
  if (count > MAX_MATRIX_COMBINATIONS) {
    throw new Error(
      `Strategy for job '${jobId ?? 'job'}' produced ${count} configurations which exceeds the maximum of ${MAX_MATRIX_COMBINATIONS} configurations`,
    );
  }
  return expansion;
}

function combinationsOf(matrix: Json, token: TemplateToken): Record<string, Json>[] {
  if (!isObject(matrix)) throw new TemplateValueError('A mapping was expected for matrix', token);
  const vectors: [string, Json[]][] = [];
  let include: JsonObject[] = [];
  let exclude: JsonObject[] = [];
  for (const [key, value] of Object.entries(matrix)) {
    if (key === 'include') include = entryList(value, 'include', token);
    else if (key === 'exclude') exclude = entryList(value, 'exclude', token);
    else {
      if (!Array.isArray(value)) throw new TemplateValueError(`Matrix vector '${key}' must be a sequence`, token);
      if (value.length === 0) throw new TemplateValueError(`Matrix vector '${key}' does not contain any values`, token);
      vectors.push([key, value]);
    }
  }
  if (vectors.length === 0 && include.length === 0)
    throw new TemplateValueError('Matrix must define at least one vector', token);

  const vectorKeys = vectors.map(([key]) => key);
  for (const entry of exclude) {
    for (const key of Object.keys(entry)) {
      if (!vectorKeys.includes(key))
        throw new TemplateValueError(`Matrix exclude key '${key}' does not match any key within the matrix`, token);
    }
  }

  const originals =
    vectors.length === 0
      ? []
      : cartesianProduct(vectors).filter(
          (combination) => !exclude.some((entry) => partiallyMatches(entry, combination)),
        );
  const created: JsonObject[] = [];
  for (const entry of include) {
    let extended = false;
    for (const combination of originals) {
      const contradicts = Object.entries(entry).some(
        ([key, value]) => vectorKeys.includes(key) && !deepEqual(combination[key] ?? null, value),
      );
      if (contradicts) continue;
      Object.assign(combination, structuredClone(entry));
      extended = true;
    }
    if (!extended) created.push(structuredClone(entry));
  }

  const combinations = [...originals, ...created];
  if (combinations.length === 0)
    throw new TemplateValueError('Matrix must define at least one vector: every combination was excluded', token);
  return combinations;
}

function cartesianProduct(vectors: [string, Json[]][]): JsonObject[] {
  let product: JsonObject[] = [{}];
  for (const [key, values] of vectors) {
    product = product.flatMap((partial) => values.map((value) => ({ ...partial, [key]: value })));
  }
  // Each job instance gets its own copies, so that no caller can change another instance's values.
  return product.map((combination) => structuredClone(combination));
}

/** An exclude entry matches when each of its values equals the combination's (objects: a partial match). */
function partiallyMatches(entry: JsonObject, combination: JsonObject): boolean {
  return Object.entries(entry).every(
    ([key, value]) => key in combination && subsetEqual(value, combination[key] ?? null),
  );
}

function subsetEqual(pattern: Json, value: Json): boolean {
  if (isObject(pattern) && isObject(value)) {
    return Object.entries(pattern).every(([key, item]) => key in value && subsetEqual(item, value[key] ?? null));
  }
  return deepEqual(pattern, value);
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i] ?? null));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && deepEqual(a[key] ?? null, b[key] ?? null))
    );
  }
  return false;
}

function entryList(value: Json, name: string, token: TemplateToken): JsonObject[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new TemplateValueError(`Matrix ${name} must be a sequence of mappings`, token);
  return value.map((entry) => {
    if (!isObject(entry)) throw new TemplateValueError(`Matrix ${name} must be a sequence of mappings`, token);
    return entry;
  });
}

function booleanSetting(value: Json | undefined, fallback: boolean, name: string, token: TemplateToken): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  // An expression may produce the text of a boolean.
  if (value === 'true' || value === 'false') return value === 'true';
  throw new TemplateValueError(`Unexpected value for ${name}: a boolean was expected`, token);
}

function numberSetting(value: Json | undefined, name: string, token: TemplateToken): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new TemplateValueError(`Unexpected value for ${name}: a positive integer was expected`, token);
  }
  return number;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
