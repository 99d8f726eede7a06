/**
 * Identifiers in AWS's formats. IAM unique ids are a four-letter type prefix (AROA role,
 * ANPA managed policy, AIDA user, AGPA group) followed by 17 characters of [A-Z2-7]; access key ids are
 * AKIA (long-term) or ASIA (temporary) followed by 16. Secrets are 40 characters of base64.
 */
import { randomBytes, randomUUID } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[(bytes[i] as number) & 31];
  return out;
}

export type UniqueIdPrefix = 'AROA' | 'ANPA' | 'AIDA' | 'AGPA' | 'APKA';

/** A unique id such as AROAXXXXXXXXXXXXXXXXX (21 characters). */
export function uniqueId(prefix: UniqueIdPrefix): string {
  return prefix + base32(17);
}

/** An access key id: AKIA… for long-term keys, ASIA… for temporary credentials (20 characters). */
export function accessKeyId(kind: 'long-term' | 'temporary'): string {
  return (kind === 'long-term' ? 'AKIA' : 'ASIA') + base32(16);
}

/** A 40-character secret access key. */
export function secretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** A request id in AWS's UUID form. */
export function requestId(): string {
  return randomUUID();
}
