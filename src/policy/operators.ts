/**
 * The condition operators: their names (with the ForAnyValue:/ForAllValues: qualifiers and
 * the IfExists suffix) and how each compares one policy value with one request value. A
 * negated operator (StringNotEquals, NotIpAddress, …) is stored as its positive comparison
 * plus `negated`; conditions.ts applies the negation, so each comparison exists once.
 *
 * Policy values reach a comparison as glob text (variables already substituted, see
 * variables.ts); operators that do not take wildcards read it literally.
 */
import { ipInRange } from './ip.js';
import { globLiteral, globMatch } from './wildcard.js';

/** Operators without qualifier or IfExists, as AWS spells them. */
export const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;

export type BaseOperator = (typeof BASE_OPERATORS)[number];

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** A parsed operator name such as `ForAllValues:StringLikeIfExists`. */
export interface ConditionOperator {
  /** The canonical spelling, used as the key in normalised documents. */
  name: string;
  qualifier: SetQualifier | undefined;
  base: BaseOperator;
  ifExists: boolean;
  /** The request value must match none of the policy values. */
  negated: boolean;
  /** Positive comparison of one policy value (glob text) with one request value. */
  compare: (policy: string, request: string) => boolean;
}

type Compare = (policy: string, request: string) => boolean;

const stringEquals: Compare = (policy, request) => globLiteral(policy) === request;
const stringEqualsIgnoreCase: Compare = (policy, request) =>
  globLiteral(policy).toLowerCase() === request.toLowerCase();
const stringLike: Compare = (policy, request) => globMatch(policy, request, false);

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
function toNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}
function numeric(test: (request: number, policy: number) => boolean): Compare {
  return (policy, request) => {
    const p = toNumber(globLiteral(policy));
    const r = toNumber(request);
    return p !== undefined && r !== undefined && test(r, p);
  };
}

const EPOCH = /^\s*-?\d+(\.\d+)?\s*$/;
/** ISO 8601 or epoch seconds, on either side (aws:CurrentTime vs aws:EpochTime). */
function toTime(text: string): number | undefined {
  if (EPOCH.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
function date(test: (request: number, policy: number) => boolean): Compare {
  return (policy, request) => {
    const p = toTime(globLiteral(policy));
    const r = toTime(request);
    return p !== undefined && r !== undefined && test(r, p);
  };
}

const bool: Compare = (policy, request) => globLiteral(policy).toLowerCase() === request.toLowerCase();

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** The policy holds base64; context values are strings, so the request value is base64 too. */
const binaryEquals: Compare = (policy, request) => {
  const p = globLiteral(policy).trim();
  const r = request.trim();
  if (!BASE64.test(p) || !BASE64.test(r)) return false;
  return Buffer.from(p, 'base64').equals(Buffer.from(r, 'base64'));
};

const ipAddress: Compare = (policy, request) => ipInRange(globLiteral(policy), request);

/**
 * ARN operators compare the six colon-separated parts one by one, each with wildcards; the
 * sixth part is everything after the fifth colon (resource ids may contain colons). ArnEquals
 * and ArnLike are the same test in AWS's table. A request value with fewer than six parts is
 * not an ARN and matches nothing; a policy value with fewer has its missing trailing parts
 * read as `*` (so a lone `*` matches any ARN), our reading of AWS's ARN wildcard completion.
 */
const arnLike: Compare = (policy, request) => {
  const r = arnParts(request);
  if (r.length < 6) return false;
  const p = arnParts(policy);
  for (let i = 0; i < 6; i++) {
    if (!globMatch(p[i] ?? '*', r[i] ?? '', false)) return false;
  }
  return true;
};

/** Up to six parts: split at the first five colons. */
function arnParts(arn: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', from);
    if (colon < 0) break;
    parts.push(arn.slice(from, colon));
    from = colon + 1;
  }
  parts.push(arn.slice(from));
  return parts;
}

/** Null is evaluated on presence alone (conditions.ts); it never compares values. */
const never: Compare = () => false;

const TABLE: Readonly<Record<BaseOperator, { compare: Compare; negated: boolean }>> = {
  StringEquals: { compare: stringEquals, negated: false },
  StringNotEquals: { compare: stringEquals, negated: true },
  StringEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: false },
  StringNotEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: true },
  StringLike: { compare: stringLike, negated: false },
  StringNotLike: { compare: stringLike, negated: true },
  NumericEquals: { compare: numeric((r, p) => r === p), negated: false },
  NumericNotEquals: { compare: numeric((r, p) => r === p), negated: true },
  NumericLessThan: { compare: numeric((r, p) => r < p), negated: false },
  NumericLessThanEquals: { compare: numeric((r, p) => r <= p), negated: false },
  NumericGreaterThan: { compare: numeric((r, p) => r > p), negated: false },
  NumericGreaterThanEquals: { compare: numeric((r, p) => r >= p), negated: false },
  DateEquals: { compare: date((r, p) => r === p), negated: false },
  DateNotEquals: { compare: date((r, p) => r === p), negated: true },
  DateLessThan: { compare: date((r, p) => r < p), negated: false },
  DateLessThanEquals: { compare: date((r, p) => r <= p), negated: false },
  DateGreaterThan: { compare: date((r, p) => r > p), negated: false },
  DateGreaterThanEquals: { compare: date((r, p) => r >= p), negated: false },
  Bool: { compare: bool, negated: false },
  BinaryEquals: { compare: binaryEquals, negated: false },
  IpAddress: { compare: ipAddress, negated: false },
  NotIpAddress: { compare: ipAddress, negated: true },
  ArnEquals: { compare: arnLike, negated: false },
  ArnLike: { compare: arnLike, negated: false },
  ArnNotEquals: { compare: arnLike, negated: true },
  ArnNotLike: { compare: arnLike, negated: true },
  Null: { compare: never, negated: false },
};

/** Lowercased base name → canonical name; operator names are matched case-insensitively. */
const BY_LOWER = new Map<string, BaseOperator>(BASE_OPERATORS.map((name) => [name.toLowerCase(), name]));

const parsed = new Map<string, ConditionOperator | null>();

/** Parses an operator name; undefined when it is not one AWS knows. Results are cached. */
export function parseOperator(name: string): ConditionOperator | undefined {
  const hit = parsed.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const operator = parseUncached(name);
  // Names come from validated policies, a small vocabulary; the bound guards odd spellings.
  if (parsed.size < 1024) parsed.set(name, operator ?? null);
  return operator;
}

function parseUncached(name: string): ConditionOperator | undefined {
  let rest = name;
  let qualifier: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'foranyvalue') qualifier = 'ForAnyValue';
    else if (prefix === 'forallvalues') qualifier = 'ForAllValues';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  let base = BY_LOWER.get(rest.toLowerCase());
  if (base === undefined && rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    base = BY_LOWER.get(rest.slice(0, -'IfExists'.length).toLowerCase());
  }
  // Null tests presence itself, so "NullIfExists" means nothing and AWS does not list it.
  if (base === undefined || (base === 'Null' && ifExists)) return undefined;
  const entry = TABLE[base];
  return {
    name: `${qualifier === undefined ? '' : `${qualifier}:`}${base}${ifExists ? 'IfExists' : ''}`,
    qualifier,
    base,
    ifExists,
    negated: entry.negated,
    compare: entry.compare,
  };
}
