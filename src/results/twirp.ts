/**
 * Twirp's JSON wire format as the results clients speak it: POST
 * `/twirp/<package>.<Service>/<Method>` with a JSON body, a JSON answer; errors are
 * `{"code", "msg"}` with the HTTP status Twirp assigns to the code. Protobuf JSON spells int64
 * as a string and a google.protobuf.StringValue/Int64Value as its bare value.
 */
import type { ApiResponse } from '../protocols/http-types.js';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.';

const STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
} as const;

export type TwirpCode = keyof typeof STATUS;

export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
  ) {
    super(message);
  }
}

export function twirpError(error: TwirpError): ApiResponse {
  return json(STATUS[error.code], { code: error.code, msg: error.message });
}

export function json(status: number, body: object): ApiResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A request body's fields, read with bounds. */
export class Fields {
  constructor(private readonly body: Record<string, unknown>) {}

  static parse(raw: Buffer): Fields {
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new TwirpError('malformed', 'the request body is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TwirpError('malformed', 'the request body must be a JSON object');
    }
    return new Fields(value as Record<string, unknown>);
  }

  /** A required string of 1..max characters. */
  text(name: string, max: number): string {
    const value = this.optionalText(name, max);
    if (value === undefined || value === '') throw new TwirpError('invalid_argument', `${name} is required`);
    return value;
  }

  optionalText(name: string, max: number): string | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new TwirpError('invalid_argument', `${name} must be a string`);
    if (value.length > max) throw new TwirpError('invalid_argument', `${name} is longer than ${max} characters`);
    return value;
  }

  /** An int64 (a JSON string or number), 0 or more. */
  optionalInteger(name: string): number | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
      throw new TwirpError('invalid_argument', `${name} must be a non-negative integer`);
    }
    return number;
  }

  integer(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) throw new TwirpError('invalid_argument', `${name} is required`);
    return value;
  }

  /** A google.protobuf.Timestamp (RFC 3339 string), as epoch milliseconds. */
  optionalTimestamp(name: string): number | undefined {
    const value = this.optionalText(name, 64);
    if (value === undefined) return undefined;
    const time = Date.parse(value);
    if (!Number.isFinite(time)) throw new TwirpError('invalid_argument', `${name} is not an RFC 3339 timestamp`);
    return time;
  }

  /** A repeated string field, each 1..max characters, at most `count` of them. */
  texts(name: string, max: number, count: number): string[] {
    const value = this.body[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.length > count || value.some((v) => typeof v !== 'string' || v.length > max)) {
      throw new TwirpError('invalid_argument', `${name} must be at most ${count} strings of at most ${max} characters`);
    }
    return value as string[];
  }
}
