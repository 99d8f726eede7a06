/**
 * Parameter names, paths, ARNs and selectors as Parameter Store reads them. A name is one
 * level (`db-url`, which `/db-url` also names) or a path of up to 15 levels that begins with a
 * slash (`/app/prod/db-url`); letters, digits and `_.-` only; no level may begin with `aws` or
 * `ssm` at the top. The ARN drops the leading slash (arn:aws:ssm:R:A:parameter/app/prod/db-url).
 * Reads also take the ARN and a selector: `NAME:3` (version) or `NAME:label`.
 */
import type { RequestContext } from '../../core/operation.js';
import { ssmErrors } from './errors.js';

const NAME_CHARS = /^[A-Za-z0-9_./-]+$/;
const LABEL = /^[A-Za-z0-9_.-]+$/;
const MAX_LEVELS = 15;
/** The name and the ARN before it count against this (PutParameter's Name). */
const NAME_AND_ARN_MAX = 1011;

/** The key a parameter is stored under: one-level names without their leading slash. */
export function parameterKey(name: string): string {
  const stripped = name.startsWith('/') ? name.slice(1) : name;
  return stripped.includes('/') ? name : stripped;
}

/** The name with a leading slash, as paths compare it. */
export function rooted(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** arn:aws:ssm:REGION:ACCOUNT:parameter/NAME (no doubled slash for names that begin with one). */
export function parameterArn(ctx: Pick<RequestContext, 'region' | 'accountId'>, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter/${name.replace(/^\//, '')}`;
}

/** Checks a name for PutParameter (already trimmed), in Parameter Store's words. */
export function checkNewName(name: string, ctx: Pick<RequestContext, 'region' | 'accountId'>): void {
  const levels = name.replace(/^\//, '').split('/');
  const top = (levels[0] ?? '').toLowerCase();
  const isPath = levels.length > 1;
  if (top.startsWith('aws') || top.startsWith('ssm')) {
    if (isPath && top.startsWith('aws')) throw ssmErrors.reservedName(name);
    throw isPath ? ssmErrors.invalidName() : ssmErrors.reservedPrefix();
  }
  if (!NAME_CHARS.test(name) || (isPath && !name.startsWith('/')) || levels.some((l) => l === ''))
    throw ssmErrors.invalidName();
  if (levels.length > MAX_LEVELS) throw ssmErrors.hierarchyTooDeep();
  const max = NAME_AND_ARN_MAX - parameterArn(ctx, '').length;
  if (name.replace(/^\//, '').length > max) throw ssmErrors.nameTooLong(max);
}

/** Checks a path for GetParametersByPath or a Path filter: `/` or `/a/b` (a trailing slash is fine). */
export function checkPath(path: string): void {
  if (path === '/') return;
  if (
    !path.startsWith('/') ||
    !NAME_CHARS.test(path) ||
    path
      .slice(1)
      .replace(/\/$/, '')
      .split('/')
      .some((l) => l === '')
  )
    throw ssmErrors.invalidPath();
}

/** True when `name` lies under `path`: one level down, or any depth when recursive. */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const full = rooted(name);
  if (!full.startsWith(prefix)) return false;
  return recursive || !full.slice(prefix.length).includes('/');
}

export type Selector =
  | { kind: 'latest' }
  | { kind: 'version'; version: number; text: string }
  | { kind: 'label'; label: string; text: string };

/** A read's name: a name or ARN, then an optional `:version` or `:label`. Undefined when it cannot name a parameter. */
export function parseReference(
  reference: string,
  ctx: Pick<RequestContext, 'region' | 'accountId'>,
): { key: string; name: string; selector: Selector } | undefined {
  let rest = reference.trim();
  const arnPrefix = `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter`;
  if (rest.startsWith('arn:')) {
    if (!rest.startsWith(`${arnPrefix}/`)) return undefined;
    rest = rest.slice(arnPrefix.length);
  }
  const parts = rest.split(':');
  if (parts.length > 2) return undefined;
  const name = parts[0] as string;
  if (name === '' || !NAME_CHARS.test(name)) return undefined;
  const key = parameterKey(name);
  if (parts.length === 1) return { key, name, selector: { kind: 'latest' } };
  const text = parts[1] as string;
  if (/^\d+$/.test(text)) return { key, name, selector: { kind: 'version', version: Number(text), text: `:${text}` } };
  return text === '' ? undefined : { key, name, selector: { kind: 'label', label: text, text: `:${text}` } };
}

/** A label Parameter Store accepts: letters, digits, `_.-`; not beginning with a digit, `aws` or `ssm`. */
export function validLabel(label: string): boolean {
  return label.length <= 100 && LABEL.test(label) && !/^[0-9]/.test(label) && !/^(aws|ssm)/i.test(label);
}
