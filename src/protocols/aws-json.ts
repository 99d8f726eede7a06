/**
 * awsJson1_1 (ECR, ECS, CloudWatch Logs): POST with X-Amz-Target `Prefix.Operation` and a JSON
 * body; JSON responses with timestamps as epoch seconds (fractional), errors as
 * { "__type": "Code", "message": "…" } plus the x-amzn-ErrorType header.
 */
import { AwsError } from '../core/errors.js';
import type { ApiResponse } from './http-types.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Parses the request body; an empty body is an empty input, as the SDKs sometimes send. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // AWS's JSON services answer unparseable bodies with SerializationException.
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return parsed as Record<string, unknown>;
}

export function jsonResult(output: unknown, requestId: string): ApiResponse {
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: JSON.stringify(toWire(output ?? {})),
  };
}

export function jsonError(error: AwsError, requestId: string): ApiResponse {
  return {
    status: error.status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': `${error.code}:` },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** Dates become epoch seconds (JSON.stringify would make them ISO strings before a replacer sees them). */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}
