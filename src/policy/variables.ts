/**
 * Policy variables in Resource and condition values: `${aws:username}`, `${aws:PrincipalTag/team}`,
 * any request key `${key}`, defaults `${key, 'text'}` (a doubled quote is a literal quote), and the
 * escapes `${*}` `${?}` `${$}` for a literal `*`, `?` and `$`. AWS only substitutes in documents
 * with "Version": "2012-10-17"; under 2008-10-17 or without a Version, `${…}` is plain text.
 *
 * A value resolves to glob text (see wildcard.ts): substituted request values are escaped so a
 * `*` in, say, a tag value is matched literally, never as a wildcard. A variable whose key is
 * absent (or multi-valued, which AWS refuses as a variable) and has no default leaves the value
 * unresolved: that resource or condition value then matches nothing. Substitution is one pass:
 * a default containing `${…}` is not expanded again.
 */
import type { ContextValues } from './context.js';
import type { PolicyVersion } from './document.js';
import { escapeGlob, toGlob } from './wildcard.js';

type TemplatePart = { glob: string } | { key: string; fallback: string | undefined };

const CACHE_LIMIT = 2048;
const templates = new Map<string, readonly TemplatePart[]>();

/** True when `raw` is substituted at all under this policy version. */
function substitutes(raw: string, version: PolicyVersion | undefined): boolean {
  return version === '2012-10-17' && raw.includes('${');
}

/**
 * The glob text of one Resource or condition value for this request, or undefined when a
 * variable in it cannot be resolved.
 */
export function resolveValue(
  raw: string,
  version: PolicyVersion | undefined,
  values: ContextValues,
): string | undefined {
  if (!substitutes(raw, version)) return toGlob(raw);
  let out = '';
  for (const part of template(raw)) {
    if ('glob' in part) {
      out += part.glob;
      continue;
    }
    const value = variableValue(part.key, values);
    if (value !== undefined) out += escapeGlob(value);
    else if (part.fallback !== undefined) out += part.fallback;
    else return undefined;
  }
  return out;
}

/** The keys of variables in `raw` that have no value in this request and no default, for explanations. */
export function unresolvedVariables(raw: string, version: PolicyVersion | undefined, values: ContextValues): string[] {
  if (!substitutes(raw, version)) return [];
  const missing: string[] = [];
  for (const part of template(raw)) {
    if ('key' in part && part.fallback === undefined && variableValue(part.key, values) === undefined) {
      missing.push(part.key);
    }
  }
  return missing;
}

/** AWS substitutes single-valued keys only. */
function variableValue(key: string, values: ContextValues): string | undefined {
  const found = values.get(key);
  return found !== undefined && found.length === 1 ? found[0] : undefined;
}

function template(raw: string): readonly TemplatePart[] {
  const hit = templates.get(raw);
  if (hit !== undefined) return hit;
  const parts = parseTemplate(raw);
  if (templates.size >= CACHE_LIMIT) {
    const oldest = templates.keys().next();
    if (oldest.done !== true) templates.delete(oldest.value);
  }
  templates.set(raw, parts);
  return parts;
}

function parseTemplate(raw: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf('${', i);
    if (start < 0) {
      text += toGlob(raw.slice(i));
      break;
    }
    text += toGlob(raw.slice(i, start));
    const variable = parseVariable(raw, start + 2);
    if (variable === undefined) {
      // Not a well-formed variable: the `$` is literal text and scanning resumes after it.
      text += '$';
      i = start + 1;
      continue;
    }
    if ('glob' in variable.part) {
      text += variable.part.glob;
    } else {
      if (text !== '') parts.push({ glob: text });
      text = '';
      parts.push(variable.part);
    }
    i = variable.end;
  }
  if (text !== '') parts.push({ glob: text });
  return parts;
}

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['*', '\\*'],
  ['?', '\\?'],
  ['$', '$'],
]);

/** Parses the inside of `${…}` from `at` (just past `${`); `end` is the index after `}`. */
function parseVariable(raw: string, at: number): { part: TemplatePart; end: number } | undefined {
  const close = raw.indexOf('}', at);
  if (close < 0) return undefined;
  const inner = raw.slice(at, close).trim();
  const escape = ESCAPES.get(inner);
  if (escape !== undefined) return { part: { glob: escape }, end: close + 1 };

  const comma = raw.indexOf(',', at);
  if (comma < 0 || comma > close) {
    return inner === '' ? undefined : { part: { key: inner, fallback: undefined }, end: close + 1 };
  }
  // `${key, 'default'}`: the default may itself contain `}` or `,`, so scan it by its quotes.
  const key = raw.slice(at, comma).trim();
  if (key === '') return undefined;
  let i = comma + 1;
  while (raw[i] === ' ') i++;
  if (raw[i] !== "'") return undefined;
  let fallback = '';
  for (i++; i < raw.length; i++) {
    if (raw[i] !== "'") {
      fallback += raw[i];
    } else if (raw[i + 1] === "'") {
      fallback += "'";
      i++;
    } else {
      break;
    }
  }
  if (raw[i] !== "'") return undefined;
  i++;
  while (raw[i] === ' ') i++;
  if (raw[i] !== '}') return undefined;
  // The default is policy text: its wildcards stay wildcards.
  return { part: { key, fallback: toGlob(fallback) }, end: i + 1 };
}
