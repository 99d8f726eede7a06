/**
 * Parameter Store's resources as the store keeps them. Times are epoch milliseconds; handlers
 * turn them into Dates, which the JSON protocol sends as epoch seconds.
 */

export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
/** What a stored version is: Intelligent-Tiering resolves to one of these when put. */
export type StoredTier = 'Standard' | 'Advanced';

export interface Tag {
  key: string;
  value: string;
}

/** The KMS key SecureString parameters name when the request gives none. */
export const DEFAULT_KEY_ID = 'alias/aws/ssm';

export interface ParameterVersion {
  version: number;
  type: ParameterType;
  /** As given, SecureString included (no KMS here). */
  value: string;
  /** SecureString only: the opaque text reads without decryption return (see ciphertext.ts). */
  ciphertext?: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  dataType: string;
  tier: StoredTier;
  modifiedAt: number;
  /** The ARN of the caller who put this version. */
  modifiedUser: string;
  labels: string[];
}

export interface Parameter {
  /** The name as first put (`/db-url` and `db-url` are one parameter, stored under one key). */
  name: string;
  key: string;
  tags: Tag[];
  latest: ParameterVersion;
}
