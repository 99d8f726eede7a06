/**
 * Decodes Query-protocol parameters (IAM, STS, EC2) into nested input objects.
 * Flattened names become structure: `Tags.member.1.Key=a` → { Tags: { member: [{ Key: 'a' }] } }
 * (InputReader treats `{member: [...]}` as a list), EC2's `Filter.1.Value.1=x` →
 * { Filter: [{ Value: ['x'] }] }, and maps' `entry.N.key/value` likewise. Indices are 1-based
 * and may have gaps; items come out in index order.
 */
import { AwsError } from '../core/errors.js';

/** At most this many parameters per request; far beyond any real call, and it bounds work. */
const MAX_PARAMETERS = 5000;
/** Guards against `a.1.b.1.c.1…` bombs: AWS's deepest shapes are a handful of levels. */
const MAX_DEPTH = 12;

type Node = { [key: string]: Node | string };

/** Parses an application/x-www-form-urlencoded body or query string into flat pairs. */
export function parseForm(text: string): Map<string, string> {
  const params = new URLSearchParams(text);
  const out = new Map<string, string>();
  let count = 0;
  for (const [name, value] of params) {
    if (++count > MAX_PARAMETERS)
      throw new AwsError('ValidationError', `Too many parameters: at most ${MAX_PARAMETERS} are accepted`);
    out.set(name, value);
  }
  return out;
}

/** Builds the nested input from flat parameters, leaving out Action and Version. */
export function nestParams(params: Map<string, string>): Record<string, unknown> {
  const root: Node = {};
  for (const [name, value] of params) {
    if (name === 'Action' || name === 'Version') continue;
    const parts = name.split('.');
    if (
      parts.length > MAX_DEPTH ||
      parts.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype')
    ) {
      throw new AwsError('ValidationError', `Invalid parameter name: ${name.slice(0, 100)}`);
    }
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      const next = node[part];
      if (typeof next === 'string')
        throw new AwsError('ValidationError', `Parameter ${name.slice(0, 100)} conflicts with another parameter`);
      node = next ?? (node[part] = Object.create(null) as Node);
    }
    const last = parts[parts.length - 1] as string;
    if (typeof node[last] === 'object')
      throw new AwsError('ValidationError', `Parameter ${name.slice(0, 100)} conflicts with another parameter`);
    node[last] = value;
  }
  return toPlain(root) as Record<string, unknown>;
}

/** Objects whose keys are all positive integers become arrays, ordered by index. */
function toPlain(node: Node | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => /^[1-9]\d{0,5}$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => toPlain(node[String(k)] as Node | string));
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = toPlain(node[key] as Node | string);
  return out;
}
