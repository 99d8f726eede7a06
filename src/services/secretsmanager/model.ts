/**
 * Secrets Manager's resources as the store keeps them. Times are epoch milliseconds; handlers
 * turn them into Dates, which the JSON protocol sends as epoch seconds.
 */

export interface Tag {
  key: string;
  value: string;
}

/** A version's value: text (SecretString) or bytes (SecretBinary), never both. */
export type SecretValue = { kind: 'string'; text: string } | { kind: 'binary'; bytes: Buffer };

export interface Secret {
  /** arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX (six random characters). */
  arn: string;
  name: string;
  description?: string;
  /** Stored and reported; nothing is encrypted with it (no KMS here). */
  kmsKeyId?: string;
  createdAt: number;
  lastChangedAt: number;
  /** Midnight (UTC) of the day the secret's value was last read, as AWS reports it. */
  lastAccessedAt?: number;
  /** When DeleteSecret scheduled the deletion. */
  deletedAt?: number;
  /** When the secret is purged: the end of its recovery window. */
  deletionDate?: number;
  tags: Tag[];
  /** The resource-based policy (JSON text), evaluated with every authorized call on the secret. */
  policy?: string;
}

export interface SecretVersion {
  versionId: string;
  createdAt: number;
  lastAccessedAt?: number;
  /** Staging labels attached to it; none means deprecated. */
  stages: string[];
  value: SecretValue;
}

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** True when two values are the same text or the same bytes (ClientRequestToken idempotency). */
export function sameValue(a: SecretValue, b: SecretValue): boolean {
  if (a.kind === 'string' && b.kind === 'string') return a.text === b.text;
  if (a.kind === 'binary' && b.kind === 'binary') return a.bytes.equals(b.bytes);
  return false;
}
