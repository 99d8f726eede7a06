/**
 * Finding a secret the way Secrets Manager does: by its name, its full ARN, or a partial ARN
 * (the ARN without the six random characters). A full ARN names one secret for good: a secret
 * created again under the same name has another suffix, so the old ARN no longer reaches it.
 */
import { randomInt } from 'node:crypto';
import type { RequestContext } from '../../core/operation.js';
import { secretsErrors } from './errors.js';
import type { Secret } from './model.js';
import type { SecretsStore } from './store.js';

const ARN = /^arn:aws:secretsmanager:([^:]+):(\d{12}):secret:(.+)$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The six random characters that end a secret's ARN. */
export function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return suffix;
}

/** arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX */
export function secretArn(ctx: Pick<RequestContext, 'region' | 'accountId'>, name: string, suffix: string): string {
  return `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${suffix}`;
}

/** The secret `id` names (name, full or partial ARN), alive at the request's time. */
export function findSecret(store: SecretsStore, id: string, ctx: RequestContext): Secret | undefined {
  const now = ctx.clock.now().getTime();
  const arn = ARN.exec(id);
  if (!arn) return store.byName(id, now);
  if (arn[1] !== ctx.region || arn[2] !== ctx.accountId) return undefined;
  return store.byArn(id, now) ?? store.byName(arn[3] as string, now);
}

export function requireSecret(store: SecretsStore, id: string, ctx: RequestContext): Secret {
  const secret = findSecret(store, id, ctx);
  if (!secret) throw secretsErrors.secretNotFound();
  return secret;
}

/** A secret that is not scheduled for deletion (reads and writes of its value refuse one that is). */
export function requireActiveSecret(store: SecretsStore, id: string, ctx: RequestContext): Secret {
  const secret = requireSecret(store, id, ctx);
  if (secret.deletedAt !== undefined) throw secretsErrors.markedForDeletion();
  return secret;
}
