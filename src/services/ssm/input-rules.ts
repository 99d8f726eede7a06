/**
 * Input rules shared by Parameter Store's operations (API reference): names (spaces around a
 * name are removed, as Parameter Store does), name lists, labels, tags and page sizes.
 */
import type { InputReader } from '../../core/input-reader.js';
import { ssmErrors } from './errors.js';
import type { Tag } from './model.js';

const NAME = { min: 1, max: 2048 };
const TAG_TEXT = /[\p{L}\p{Z}\p{N}_.:/=+\-@]*/u;
const TAG_TEXT_SHOWN = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';
const TAG_QUOTA = 50;

export function readName(r: InputReader, member = 'Name'): string {
  return r.string(member, { ...NAME, required: true }).trim();
}

export function readNames(r: InputReader): string[] {
  return (r.stringList('Names', { ...NAME, minItems: 1, maxItems: 10, required: true }) ?? []).map((n) => n.trim());
}

export function readLabels(r: InputReader): string[] {
  return r.stringList('Labels', { min: 1, max: 100, minItems: 1, maxItems: 10, required: true }) ?? [];
}

export function readTags(r: InputReader, required = false): Tag[] | undefined {
  return r.list(
    'Tags',
    (t) => ({
      key: t.string('Key', { min: 1, max: 128, pattern: TAG_TEXT, patternText: TAG_TEXT_SHOWN, required: true }),
      value: t.string('Value', { min: 0, max: 256, pattern: TAG_TEXT, patternText: TAG_TEXT_SHOWN, required: true }),
    }),
    { maxItems: 1000, required },
  );
}

/** Merges `incoming` over `existing` (same key: replaced), within the 50-tag quota. */
export function mergeTags(existing: readonly Tag[], incoming: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.key, t.value]));
  for (const tag of incoming) merged.set(tag.key, tag.value);
  if (merged.size > TAG_QUOTA) throw ssmErrors.tooManyTags();
  return [...merged].map(([key, value]) => ({ key, value }));
}
