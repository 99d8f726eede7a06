/**
 * ListSecrets' filters (API reference, Filter): name, tag-key, tag-value and primary-region
 * match by prefix, case-sensitively; description by prefix, in any case; `all` breaks the
 * value into words and matches a secret when every word begins some word of its name,
 * description, tag keys or values, in any case. A value beginning with `!` negates. Values of
 * one filter are alternatives; filters must all match. No secret here has an owning service.
 */
import type { InputReader } from '../../core/input-reader.js';
import type { Secret } from './model.js';

export const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface SecretFilter {
  /** Absent when the request left Key out: such a filter matches nothing. */
  key: FilterKey | undefined;
  values: string[];
}

export function readFilters(r: InputReader): SecretFilter[] | undefined {
  return r.list(
    'Filters',
    (f) => ({
      key: f.string('Key', { oneOf: FILTER_KEYS }),
      values:
        f.stringList('Values', {
          max: 512,
          pattern: /!?[a-zA-Z0-9 :_@/+=.!-]*/,
          patternText: '^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$',
          minItems: 1,
          maxItems: 10,
        }) ?? [],
    }),
    { maxItems: 10 },
  );
}

/** True when `secret` (in `region`) passes every filter. */
export function matchesFilters(secret: Secret, region: string, filters: readonly SecretFilter[]): boolean {
  return filters.every((filter) => filter.values.some((value) => matchesValue(secret, region, filter.key, value)));
}

function matchesValue(secret: Secret, region: string, key: FilterKey | undefined, value: string): boolean {
  const negated = value.startsWith('!');
  const wanted = negated ? value.slice(1) : value;
  const hit = matches(secret, region, key, wanted);
  return negated ? !hit : hit;
}

function matches(secret: Secret, region: string, key: FilterKey | undefined, wanted: string): boolean {
  switch (key) {
    case undefined:
      return false;
    case 'name':
      return secret.name.startsWith(wanted);
    case 'description':
      return (
        (secret.description ?? '').toLowerCase().startsWith(wanted.toLowerCase()) && secret.description !== undefined
      );
    case 'tag-key':
      return secret.tags.some((t) => t.key.startsWith(wanted));
    case 'tag-value':
      return secret.tags.some((t) => t.value.startsWith(wanted));
    case 'primary-region':
      return region.startsWith(wanted);
    case 'owning-service':
      return false;
    case 'all': {
      const words = [secret.name, secret.description ?? '', ...secret.tags.flatMap((t) => [t.key, t.value])].flatMap(
        wordsOf,
      );
      const asked = wordsOf(wanted);
      return asked.length > 0 && asked.every((w) => words.some((candidate) => candidate.startsWith(w)));
    }
  }
}

/** Lower-cased words: split at anything that is not a letter or digit. */
function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}
