/**
 * Input rules shared by Secrets Manager's operations (API reference): secret ids and names,
 * ClientRequestToken, staging labels, tags, and the value (SecretString or SecretBinary,
 * base64 on the wire), whose violations never echo it.
 */
import type { InputReader } from '../../core/input-reader.js';
import { secretsErrors } from './errors.js';
import type { SecretValue, Tag } from './model.js';

export const SECRET_ID = { min: 1, max: 2048 };
export const SECRET_NAME = { min: 1, max: 512 };
export const DESCRIPTION = { max: 2048 };
export const KMS_KEY_ID = { min: 0, max: 2048 };
export const VERSION_ID = { min: 32, max: 64 };
export const VERSION_STAGE = { min: 1, max: 256 };
export const RESOURCE_POLICY = { min: 1, max: 20480 };
const VALUE_MAX = 65536;

/** Names: ASCII letters, digits and /_+=.@- (CreateSecret). */
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;

export function readSecretId(r: InputReader): string {
  return r.string('SecretId', { ...SECRET_ID, required: true });
}

/** A name for CreateSecret: its length by the model, its characters in Secrets Manager's words. */
export function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw secretsErrors.invalidName();
}

export function readToken(r: InputReader): string | undefined {
  return r.string('ClientRequestToken', VERSION_ID);
}

/** SecretString or SecretBinary (base64 on the wire), when either was sent. */
export function readValue(r: InputReader): { value?: SecretValue; both: boolean } {
  const text = r.string('SecretString', { min: 1, max: VALUE_MAX, sensitive: true });
  const encoded = r.string('SecretBinary', { sensitive: true });
  let bytes: Buffer | undefined;
  if (encoded !== undefined) {
    bytes =
      /^[A-Za-z0-9+/]*={0,2}$/.test(encoded) && encoded.length % 4 === 0 ? Buffer.from(encoded, 'base64') : undefined;
    if (bytes === undefined) r.violate('SecretBinary', 'Member must be a base64-encoded blob', undefined);
    else if (bytes.length < 1)
      r.violate('SecretBinary', 'Member must have length greater than or equal to 1', undefined);
    else if (bytes.length > VALUE_MAX)
      r.violate('SecretBinary', `Member must have length less than or equal to ${VALUE_MAX}`, undefined);
  }
  const both = text !== undefined && encoded !== undefined;
  if (text !== undefined) return { value: { kind: 'string', text }, both };
  if (bytes !== undefined) return { value: { kind: 'binary', bytes }, both };
  return { both };
}

export function readStages(r: InputReader, name = 'VersionStages'): string[] | undefined {
  return r.stringList(name, { ...VERSION_STAGE, minItems: 1, maxItems: 20 });
}

/** Tags as a list of {Key, Value}; keys 1..128, values 0..256 characters. */
export function readTags(r: InputReader, required = false): Tag[] | undefined {
  return r.list(
    'Tags',
    (t) => ({
      key: t.string('Key', { min: 1, max: 128, required: true }),
      value: t.string('Value', { min: 0, max: 256, required: true }),
    }),
    { required },
  );
}

/** Merges `incoming` over `existing` (same key: replaced), keeping first-added order. */
export function mergeTags(existing: readonly Tag[], incoming: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.key, t.value]));
  for (const tag of incoming) merged.set(tag.key, tag.value);
  if (merged.size > 50) throw secretsErrors.tooManyTags();
  return [...merged].map(([key, value]) => ({ key, value }));
}
