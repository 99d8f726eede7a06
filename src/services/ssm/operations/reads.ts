/**
 * Reading parameters: GetParameter, GetParameters, GetParametersByPath and GetParameterHistory.
 * Names may be ARNs and carry a selector (`NAME:3`, `NAME:label`); the answer then says which
 * in Selector. SecureString values come back as given only WithDecryption (no KMS here; see
 * ciphertext.ts for what they read as otherwise).
 */
import type { Operation, RequestContext } from '../../../core/operation.js';
import { pageAfterKey } from '../../../core/pagination.js';
import { onParameter, onPath } from '../authorization.js';
import { ssmErrors } from '../errors.js';
import { checkFilters, matchesFilters, readParameterFilters, type ParameterFilter } from '../filters.js';
import { readName, readNames } from '../input-rules.js';
import type { Parameter, ParameterVersion } from '../model.js';
import { checkPath, parseReference, underPath } from '../names.js';
import { historyOutput, parameterOutput } from '../outputs.js';
import type { ParameterStore } from '../store.js';

/** What a name with its selector resolves to: a parameter's version, or why not. */
type Resolved =
  | { parameter: Parameter; version: ParameterVersion; selector?: string }
  | { missing: 'parameter' }
  | { missing: 'version'; name: string; version: string };

function resolve(store: ParameterStore, reference: string, ctx: RequestContext): Resolved {
  const parsed = parseReference(reference, ctx);
  const parameter = parsed ? store.get(parsed.key) : undefined;
  if (!parsed || !parameter) return { missing: 'parameter' };
  const { selector } = parsed;
  if (selector.kind === 'latest') return { parameter, version: parameter.latest };
  const versions = store.versions(parsed.key);
  if (selector.kind === 'version') {
    const version = versions.find((v) => v.version === selector.version);
    return version
      ? { parameter, version, selector: selector.text }
      : { missing: 'version', name: parsed.name, version: String(selector.version) };
  }
  const version = versions.find((v) => v.labels.includes(selector.label));
  return version ? { parameter, version, selector: selector.text } : { missing: 'parameter' };
}

interface GetParameterInput {
  name: string;
  decrypt: boolean;
}

export function getParameter(store: ParameterStore): Operation<GetParameterInput, Record<string, unknown>> {
  return {
    input: (r) => ({ name: readName(r), decrypt: r.boolean('WithDecryption') ?? false }),
    authorize: (input, ctx) => [onParameter(store, ctx, 'GetParameter', input.name)],
    run: (input, ctx) => {
      // Spaces around a name are dropped; spaces inside one make it invalid (GetParameter's reference).
      if (/\s/.test(input.name)) throw ssmErrors.invalidName();
      const found = resolve(store, input.name, ctx);
      if ('missing' in found)
        throw found.missing === 'version' ? ssmErrors.versionNotFound(found.name, found.version) : ssmErrors.notFound();
      return { Parameter: parameterOutput(found.parameter, found.version, input.decrypt, ctx, found.selector) };
    },
  };
}

interface GetParametersInput {
  names: string[];
  decrypt: boolean;
}

/** GetParameters: the ones found, by name; the rest (or a version they lack) in InvalidParameters. */
export function getParameters(store: ParameterStore): Operation<GetParametersInput, Record<string, unknown>> {
  return {
    input: (r) => ({ names: [...new Set(readNames(r))], decrypt: r.boolean('WithDecryption') ?? false }),
    authorize: (input, ctx) => input.names.map((name) => onParameter(store, ctx, 'GetParameters', name)),
    run: (input, ctx) => {
      const found: Record<string, unknown>[] = [];
      const invalid: string[] = [];
      for (const name of input.names) {
        const resolved = resolve(store, name, ctx);
        if ('missing' in resolved) invalid.push(name);
        else found.push(parameterOutput(resolved.parameter, resolved.version, input.decrypt, ctx, resolved.selector));
      }
      found.sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
      return { Parameters: found, InvalidParameters: invalid };
    },
  };
}

interface ByPathInput {
  path: string;
  recursive: boolean;
  filters: ParameterFilter[];
  decrypt: boolean;
  maxResults?: number;
  nextToken?: string;
}

/**
 * GetParametersByPath: the parameters one level under the path (every level when Recursive),
 * by name, at most 10 a page. A Label filter answers the version carrying the label.
 */
export function getParametersByPath(store: ParameterStore): Operation<ByPathInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      path: readName(r, 'Path'),
      recursive: r.boolean('Recursive') ?? false,
      filters: readParameterFilters(r) ?? [],
      decrypt: r.boolean('WithDecryption') ?? false,
      maxResults: r.integer('MaxResults', { min: 1, max: 10 }),
      nextToken: r.string('NextToken', { max: 1024 }),
    }),
    authorize: (input, ctx) => onPath(ctx, input.path),
    run: (input, ctx) => {
      checkPath(input.path);
      checkFilters(input.filters, 'path');
      const label = input.filters.find((f) => f.key === 'Label');
      const matching: { parameter: Parameter; version: ParameterVersion }[] = [];
      for (const parameter of store.list()) {
        if (!underPath(parameter.name, input.path, input.recursive)) continue;
        const version = label
          ? store.versions(parameter.key).find((v) => v.labels.some((l) => label.values.includes(l)))
          : parameter.latest;
        if (version && matchesFilters(parameter, version, input.filters)) matching.push({ parameter, version });
      }
      const page = pageAfterKey(
        matching,
        { limit: input.maxResults ?? 10, token: input.nextToken },
        (m) => m.parameter.key,
        ssmErrors.invalidNextToken,
      );
      return {
        Parameters: page.items.map((m) => parameterOutput(m.parameter, m.version, input.decrypt, ctx)),
        NextToken: page.nextToken,
      };
    },
  };
}

interface HistoryInput {
  name: string;
  decrypt: boolean;
  maxResults?: number;
  nextToken?: string;
}

/** GetParameterHistory: every version kept, oldest first, at most 50 a page. */
export function getParameterHistory(store: ParameterStore): Operation<HistoryInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      name: readName(r),
      decrypt: r.boolean('WithDecryption') ?? false,
      maxResults: r.integer('MaxResults', { min: 1, max: 50 }),
      nextToken: r.string('NextToken', { max: 1024 }),
    }),
    authorize: (input, ctx) => [onParameter(store, ctx, 'GetParameterHistory', input.name)],
    run: (input, ctx) => {
      const parsed = parseReference(input.name, ctx);
      const parameter = parsed && parsed.selector.kind === 'latest' ? store.get(parsed.key) : undefined;
      if (!parameter) throw ssmErrors.notFoundNamed(input.name);
      const page = pageAfterKey(
        store.versions(parameter.key),
        { limit: input.maxResults ?? 50, token: input.nextToken },
        (v) => String(v.version).padStart(10, '0'),
        ssmErrors.invalidNextToken,
      );
      return {
        Parameters: page.items.map((v) => historyOutput(parameter, v, input.decrypt)),
        NextToken: page.nextToken,
      };
    },
  };
}
