/**
 * IAM's input constraints, as the IAM API Reference states them and as ValidationError
 * messages print them ("Member must satisfy regular expression pattern: [\w+=,.@-]+"), plus
 * the readers for members several operations share: tags and Marker/MaxItems paging.
 */
import type { InputReader, StringRules } from '../../core/input-reader.js';
import type { Tag } from './model.js';

/** RoleName: 1..64 of [\w+=,.@-]. */
export const ROLE_NAME: StringRules = { min: 1, max: 64, pattern: /[\w+=,.@-]+/ };
/** UserName: 1..64 of [\w+=,.@-]. */
export const USER_NAME: StringRules = { min: 1, max: 64, pattern: /[\w+=,.@-]+/ };
/** GroupName: 1..128 of [\w+=,.@-]. */
export const GROUP_NAME: StringRules = { min: 1, max: 128, pattern: /[\w+=,.@-]+/ };
/** AccessKeyId: 16..128 word characters. */
export const ACCESS_KEY_ID: StringRules = { min: 16, max: 128, pattern: /[\w]+/ };
/** An access key's Status. */
export const ACCESS_KEY_STATUS: StringRules = { oneOf: ['Active', 'Inactive'] };
/** PolicyName (managed and inline): 1..128 of [\w+=,.@-]. */
export const POLICY_NAME: StringRules = { min: 1, max: 128, pattern: /[\w+=,.@-]+/ };
/** Path: `/` or `/…/`, printable ASCII. */
export const PATH: StringRules = { min: 1, max: 512, pattern: /(\u002F)|(\u002F[\u0021-\u007E]+\u002F)/ };
/** PathPrefix of the List* operations. */
export const PATH_PREFIX: StringRules = { min: 1, max: 512, pattern: /\u002F[\u0021-\u007F]*/ };
// Tab, LF and CR are allowed in documents and descriptions: AWS's patterns name them.
// eslint-disable-next-line no-control-regex -- the pattern admits these control characters on purpose
export const POLICY_DOCUMENT: StringRules = { min: 1, max: 131072, pattern: /[\u0009\u000A\u000D\u0020-\u00FF]+/ };
// eslint-disable-next-line no-control-regex -- as above
export const ROLE_DESCRIPTION: StringRules = { max: 1000, pattern: /[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*/ };
/** A managed policy's Description. */
export const POLICY_DESCRIPTION: StringRules = { max: 1000 };
/** Any ARN member (PolicyArn, OpenIDConnectProviderArn, PermissionsBoundary). */
export const ARN: StringRules = { min: 20, max: 2048 };
/** A policy VersionId: v1, v2, … */
export const VERSION_ID: StringRules = { pattern: /v[1-9][0-9]*(\.[A-Za-z0-9-]*)?/ };
/** An OIDC provider's Url. */
export const OIDC_URL: StringRules = { min: 1, max: 255 };
/** One client id (audience) of an OIDC provider. */
export const CLIENT_ID: StringRules = { min: 1, max: 255 };
/** A certificate thumbprint: 40 hex characters (SHA-1). */
export const THUMBPRINT: StringRules = { min: 40, max: 40 };
/** A role's MaxSessionDuration in seconds: one to twelve hours. */
export const MAX_SESSION_DURATION = { min: 3600, max: 43200 };

// \p{…} classes need the u flag; AWS prints the pattern as written here (RegExp.source would escape the '/').
const TAG_KEY_TEXT = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';
const TAG_VALUE_TEXT = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*';
const TAG_KEY: StringRules = { min: 1, max: 128, pattern: new RegExp(TAG_KEY_TEXT, 'u'), patternText: TAG_KEY_TEXT };
const TAG_VALUE: StringRules = {
  min: 0,
  max: 256,
  pattern: new RegExp(TAG_VALUE_TEXT, 'u'),
  patternText: TAG_VALUE_TEXT,
};
const MARKER: StringRules = { min: 1, max: 320, pattern: /[\u0020-\u00FF]+/ };

/** Most IAM lists are paged with MaxItems (default 100). */
export const DEFAULT_MAX_ITEMS = 100;

/** Reads a Tags member (at most 50 {Key, Value} items). */
export function readTags(reader: InputReader, name = 'Tags'): Tag[] | undefined {
  return reader.list(
    name,
    (item) => ({
      key: item.string('Key', { ...TAG_KEY, required: true }),
      value: item.string('Value', { ...TAG_VALUE, required: true }),
    }),
    { maxItems: 50 },
  );
}

/** Reads a TagKeys member (UntagRole and friends). */
export function readTagKeys(reader: InputReader): string[] {
  return reader.stringList('TagKeys', { ...TAG_KEY, required: true, maxItems: 50 }) ?? [];
}

/** Marker and MaxItems, as every paged IAM list takes them. */
export interface Paging {
  marker?: string;
  maxItems?: number;
}

/** Reads Marker and MaxItems (1..1000). */
export function readPaging(reader: InputReader): Paging {
  return { marker: reader.string('Marker', MARKER), maxItems: reader.integer('MaxItems', { min: 1, max: 1000 }) };
}

/** PathPrefix with paging, as ListRoles, ListUsers and ListGroups take them. */
export interface PathListing extends Paging {
  pathPrefix: string;
}

/** Reads PathPrefix (default `/`), Marker and MaxItems. */
export function readPathListing(reader: InputReader): PathListing {
  return { pathPrefix: reader.string('PathPrefix', PATH_PREFIX) ?? '/', ...readPaging(reader) };
}
