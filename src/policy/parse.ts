/**
 * Reading a policy document: JSON text in, a validated and normalised PolicyDocument out, or
 * a PolicyValidationError carrying AWS's MalformedPolicyDocument message.
 *
 * Accepts every shape AWS accepts: a single string or an array wherever a list is allowed,
 * Statement as one object or an array, condition values as strings, numbers or booleans
 * (normalised to strings), condition operator names in any letter case (normalised to AWS's
 * spelling). What a policy may contain depends on its kind (see PolicyKind).
 *
 * Gaps: policy size limits (LimitExceeded, not MalformedPolicyDocument) are the caller's; the
 * existence of named principals (AWS refuses a trust policy naming a role that does not exist)
 * needs the IAM store and is the IAM service's; action names are checked for shape only, not
 * against AWS's catalogue of services and actions; condition values are not checked against
 * their operator's type (a malformed date simply never matches).
 */
import type {
  PolicyDocument,
  PolicyKind,
  PolicyStatement,
  PolicyVersion,
  PrincipalBlock,
  PrincipalType,
} from './document.js';
import { PolicyValidationError, policyMessages as m } from './messages.js';
import { parseOperator } from './operators.js';
import { isValidPrincipal } from './principal.js';

export interface ParseOptions {
  /**
   * The document is a managed policy (CreatePolicy, CreatePolicyVersion): AWS then requires
   * "Version": "2012-10-17" and alphanumeric Sids, which inline policies need not have.
   */
  managed?: boolean;
}

type Json = Record<string, unknown>;

const DOCUMENT_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES: ReadonlySet<string> = new Set<PrincipalType>(['AWS', 'Federated', 'Service', 'CanonicalUser']);
const VERSIONS: ReadonlySet<string> = new Set<PolicyVersion>(['2012-10-17', '2008-10-17']);
const MANAGED_SID = /^[0-9A-Za-z]*$/;

/** Parses and validates a policy document; throws PolicyValidationError with AWS's message. */
export function parsePolicy(text: string, kind: PolicyKind, options: ParseOptions = {}): PolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PolicyValidationError(m.invalidJson(kind));
  }
  return readDocument(raw, kind, options.managed === true);
}

function fail(message: string): never {
  throw new PolicyValidationError(message);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDocument(raw: unknown, kind: PolicyKind, managed: boolean): PolicyDocument {
  if (!isObject(raw)) fail(m.syntax());
  for (const field of Object.keys(raw)) {
    if (!DOCUMENT_FIELDS.has(field)) fail(m.unknownField(kind, field));
  }

  const document: PolicyDocument = { Statement: [] };
  const version = raw['Version'];
  if (version !== undefined) {
    if (typeof version !== 'string' || !VERSIONS.has(version)) fail(m.legacyParsing());
    document.Version = version as PolicyVersion;
  }
  if (managed && document.Version !== '2012-10-17') fail(m.versionTooOld());
  const id = raw['Id'];
  if (id !== undefined) {
    if (typeof id !== 'string') fail(m.syntax());
    document.Id = id;
  }

  const statements = raw['Statement'];
  if (statements === undefined) fail(m.missingField(kind, 'Statement'));
  const list = Array.isArray(statements) ? statements : [statements];
  if (list.length === 0) fail(m.missingField(kind, 'Statement'));

  const sids = new Set<string>();
  for (const entry of list) {
    const statement = readStatement(entry, kind, managed);
    // Tools such as Terraform write "Sid": "" on every statement; AWS accepts those repeats.
    if (statement.Sid !== undefined && statement.Sid !== '') {
      if (sids.has(statement.Sid)) fail(m.duplicateSid());
      sids.add(statement.Sid);
    }
    document.Statement.push(statement);
  }
  return document;
}

function readStatement(raw: unknown, kind: PolicyKind, managed: boolean): PolicyStatement {
  if (!isObject(raw)) fail(m.syntax());
  for (const field of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(field)) fail(m.unknownField(kind, field));
  }

  const sid = raw['Sid'];
  if (sid !== undefined && typeof sid !== 'string') fail(m.syntax());
  if (managed && sid !== undefined && !MANAGED_SID.test(sid)) fail(m.sidFormat());

  const effect = raw['Effect'];
  if (effect === undefined) fail(m.missingField(kind, 'Effect'));
  if (effect !== 'Allow' && effect !== 'Deny') fail(m.syntax());

  const statement: PolicyStatement = { Effect: effect };
  if (sid !== undefined) statement.Sid = sid;
  readPrincipals(raw, kind, statement);
  readActions(raw, statement);
  readResources(raw, kind, statement);
  if (raw['Condition'] !== undefined) statement.Condition = readCondition(raw['Condition']);
  return statement;
}

function readPrincipals(raw: Json, kind: PolicyKind, statement: PolicyStatement): void {
  const principal = raw['Principal'];
  const notPrincipal = raw['NotPrincipal'];
  switch (kind) {
    case 'identity':
    case 'session':
      if (principal !== undefined || notPrincipal !== undefined) fail(m.noPrincipalAllowed());
      return;
    case 'trust':
      // AWS documents NotPrincipal as unusable in role trust policies.
      if (notPrincipal !== undefined) fail(m.prohibitedField('NotPrincipal'));
      if (principal === undefined) fail(m.missingField(kind, 'Principal'));
      break;
    case 'resource':
      if (principal === undefined && notPrincipal === undefined) fail(m.missingField(kind, 'Principal'));
      if (principal !== undefined && notPrincipal !== undefined) fail(m.syntax());
      break;
  }
  if (principal !== undefined) statement.Principal = readPrincipalBlock(principal);
  if (notPrincipal !== undefined) statement.NotPrincipal = readPrincipalBlock(notPrincipal);
}

function readPrincipalBlock(raw: unknown): PrincipalBlock {
  if (raw === '*') return '*';
  if (!isObject(raw)) fail(m.syntax());
  const entries = Object.entries(raw);
  if (entries.length === 0) fail(m.syntax());
  const block: Exclude<PrincipalBlock, '*'> = {};
  for (const [type, value] of entries) {
    if (!PRINCIPAL_TYPES.has(type)) fail(m.syntax());
    const values = readStrings(value);
    if (values === undefined || values.length === 0) fail(m.syntax());
    for (const principal of values) {
      if (!isValidPrincipal(type as PrincipalType, principal)) fail(m.invalidPrincipal(type, principal));
    }
    block[type as PrincipalType] = values;
  }
  return block;
}

function readActions(raw: Json, statement: PolicyStatement): void {
  const action = raw['Action'];
  const notAction = raw['NotAction'];
  if ((action === undefined) === (notAction === undefined)) fail(m.mustContainActions());
  const values = readStrings(action ?? notAction);
  if (values === undefined) fail(m.syntax());
  if (values.length === 0) fail(m.mustContainActions());
  for (const value of values) checkAction(value);
  if (action !== undefined) statement.Action = values;
  else statement.NotAction = values;
}

function checkAction(action: string): void {
  if (action === '*') return;
  const colon = action.indexOf(':');
  if (colon <= 0) fail(m.vendorPrefix());
  if (action.indexOf(':', colon + 1) >= 0) fail(m.oneColon());
}

function readResources(raw: Json, kind: PolicyKind, statement: PolicyStatement): void {
  const resource = raw['Resource'];
  const notResource = raw['NotResource'];
  if (kind === 'trust') {
    // The role is the resource of a trust policy; AWS refuses any other.
    if (resource !== undefined) fail(m.prohibitedField('Resource'));
    if (notResource !== undefined) fail(m.prohibitedField('NotResource'));
    return;
  }
  if (resource !== undefined && notResource !== undefined) fail(m.syntax());
  if (resource === undefined && notResource === undefined) {
    // Resource policies (ECR repository policies) apply to the resource they are attached to.
    if (kind === 'resource') return;
    fail(m.mustContainResources());
  }
  const values = readStrings(resource ?? notResource);
  if (values === undefined) fail(m.syntax());
  if (values.length === 0) fail(m.mustContainResources());
  for (const value of values) {
    if (value !== '*' && !value.startsWith('arn:')) fail(m.resourceFormat(value));
  }
  if (resource !== undefined) statement.Resource = values;
  else statement.NotResource = values;
}

function readCondition(raw: unknown): NonNullable<PolicyStatement['Condition']> {
  if (!isObject(raw)) fail(m.syntax());
  const condition: NonNullable<PolicyStatement['Condition']> = {};
  for (const [name, block] of Object.entries(raw)) {
    const operator = parseOperator(name);
    if (operator === undefined || !isObject(block)) fail(m.syntax());
    // Two spellings of one operator ("StringEquals", "stringEquals") share the canonical key.
    const keys = condition[operator.name] ?? {};
    for (const [key, value] of Object.entries(block)) {
      if (key.indexOf(':') <= 0) fail(m.vendorPrefix());
      const values = readConditionValues(value);
      if (values === undefined) fail(m.syntax());
      keys[key] = [...(keys[key] ?? []), ...values];
    }
    condition[operator.name] = keys;
  }
  return condition;
}

/** A string or an array of strings; undefined for anything else. */
function readStrings(raw: unknown): string[] | undefined {
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') return undefined;
    out.push(item);
  }
  return out;
}

/** Condition values: strings, numbers and booleans, alone or in an array, as strings. */
function readConditionValues(raw: unknown): string[] | undefined {
  const one = (value: unknown): string | undefined =>
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : undefined;
  if (!Array.isArray(raw)) {
    const value = one(raw);
    return value === undefined ? undefined : [value];
  }
  const out: string[] = [];
  for (const item of raw) {
    const value = one(item);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}
