/**
 * The session tags configure-aws-credentials sends with AssumeRole, describing the run.
 * - v3–v5: GitHub=Actions, Repository, Workflow, Action, Actor, Commit, and Branch when GITHUB_REF is set.
 * - v6: the same (each only when its variable is set), then tags it may drop when STS finds the
 *   packed tags too large (EventName, BaseRef, HeadRef, RunId, Job, TriggeringActor), then the
 *   user's `custom-tags` (a JSON object, checked against AWS's tag rules and the protected keys).
 * Values are sanitised: AWS allows fewer characters in tag values than GitHub in names.
 */
import type { Tag } from '@aws-sdk/client-sts';
import type { CurrentMajor } from './inputs.js';

const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
const MAX_SESSION_TAGS = 50;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Always sent (v6: when set). */
const IDENTITY_TAGS: readonly { key: string; env: string }[] = [
  { key: 'Repository', env: 'GITHUB_REPOSITORY' },
  { key: 'Workflow', env: 'GITHUB_WORKFLOW' },
  { key: 'Action', env: 'GITHUB_ACTION' },
  { key: 'Actor', env: 'GITHUB_ACTOR' },
  { key: 'Commit', env: 'GITHUB_SHA' },
  { key: 'Branch', env: 'GITHUB_REF' },
];

/** v6's convenience tags, dropped and the call retried once when STS answers PackedPolicyTooLarge. */
export const DROPPABLE_TAGS: readonly { key: string; env: string }[] = [
  { key: 'EventName', env: 'GITHUB_EVENT_NAME' },
  { key: 'BaseRef', env: 'GITHUB_BASE_REF' },
  { key: 'HeadRef', env: 'GITHUB_HEAD_REF' },
  { key: 'RunId', env: 'GITHUB_RUN_ID' },
  { key: 'Job', env: 'GITHUB_JOB' },
  { key: 'TriggeringActor', env: 'GITHUB_TRIGGERING_ACTOR' },
];

const PROTECTED_KEYS = new Set(['GitHub', ...IDENTITY_TAGS.map((t) => t.key), ...DROPPABLE_TAGS.map((t) => t.key)]);

/** Session tag values allow fewer characters than GitHub names do: the rest become `_`. */
export function sanitizeTagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, MAX_TAG_VALUE_LENGTH);
}

/** The tags describing the run, as `major` builds them (custom tags not included). */
export function runTags(env: NodeJS.ProcessEnv, major: CurrentMajor): Tag[] {
  const tags: Tag[] = [{ Key: 'GitHub', Value: 'Actions' }];
  if (major < 6) {
    // Repository and Commit unsanitised; the caller checked these are set.
    tags.push(
      { Key: 'Repository', Value: env.GITHUB_REPOSITORY ?? '' },
      { Key: 'Workflow', Value: sanitizeTagValue(env.GITHUB_WORKFLOW ?? '') },
      { Key: 'Action', Value: env.GITHUB_ACTION ?? '' },
      { Key: 'Actor', Value: sanitizeTagValue(env.GITHUB_ACTOR ?? '') },
      { Key: 'Commit', Value: env.GITHUB_SHA ?? '' },
    );
    if (env.GITHUB_REF) tags.push({ Key: 'Branch', Value: sanitizeTagValue(env.GITHUB_REF) });
    return tags;
  }
  for (const { key, env: name } of [...IDENTITY_TAGS, ...DROPPABLE_TAGS]) {
    const value = env[name];
    if (value) tags.push({ Key: key, Value: sanitizeTagValue(value) });
  }
  return tags;
}

/** `custom-tags` (v6.2): a JSON object of string, number or boolean values; the real action's checks and messages. */
export function parseCustomTags(customTags: string, existing: Tag[]): Tag[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(customTags);
  } catch {
    throw new Error('custom-tags: input is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('custom-tags: input must be a JSON object (not an array or primitive)');
  const tags: Tag[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'object')
      throw new Error(
        `custom-tags: value for key '${key}' must be a string, number, or boolean (not an object or array)`,
      );
    const text = String(value);
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH)
      throw new Error(`custom-tags: key '${key}' must be between 1 and ${MAX_TAG_KEY_LENGTH} characters`);
    if (text.length > MAX_TAG_VALUE_LENGTH)
      throw new Error(
        `custom-tags: value for key '${key}' exceeds maximum length of ${MAX_TAG_VALUE_LENGTH} characters`,
      );
    if (!TAG_KEY.test(key))
      throw new Error(
        `custom-tags: key '${key}' contains invalid characters. Allowed: unicode letters, digits, spaces, and _.:/=+-@`,
      );
    if (text.length > 0 && !TAG_VALUE.test(text))
      throw new Error(
        `custom-tags: value for key '${key}' contains invalid characters. Allowed: unicode letters, digits, spaces, and _.:/=+-@`,
      );
    if (PROTECTED_KEYS.has(key))
      throw new Error(
        `custom-tags: key '${key}' conflicts with a protected session tag set by this action and cannot be overridden`,
      );
    tags.push({ Key: key, Value: text });
  }
  if (existing.length + tags.length > MAX_SESSION_TAGS) {
    throw new Error(
      `custom-tags: total session tags (${existing.length + tags.length}) would exceed the AWS limit of ${MAX_SESSION_TAGS}`,
    );
  }
  return tags;
}
