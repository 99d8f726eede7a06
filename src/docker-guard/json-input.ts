/**
 * Reading what a client sent: request bodies as bounded JSON, and typed accessors over parsed
 * JSON that refuse a wrong type with a message naming the field (the engine would answer a
 * confusing 500 for most of them).
 */
import type { IncomingMessage } from 'node:http';
import { GuardRefusal, badRequest } from './refusal.js';
import { errorMessage } from '../core/errors.js';

/** The largest JSON body the guard reads (a container create is a few KiB). */
export const MAX_JSON_BODY = 1024 * 1024;

/** A JSON object as parsed. */
export type JsonObject = Record<string, unknown>;

/** Reads a request body up to `limit` bytes without buffering more. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const tooLarge = () => new GuardRefusal(413, `the request body is larger than ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? '0') > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Parses a body as a JSON object; an empty body is `{}` (Docker accepts a bodiless start). */
export function parseObject(body: Buffer, what: string): JsonObject {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`${what}: the request body is not valid JSON (${errorMessage(error)})`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${what}: the request body must be a JSON object`);
  return value as JsonObject;
}

/** The object at `key` (absent or null: undefined). */
export function objectAt(parent: JsonObject, key: string, where: string): JsonObject | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${where}.${key} must be an object`);
  return value as JsonObject;
}

/** The string at `key` ('' when absent or null). */
export function stringAt(parent: JsonObject, key: string, where: string): string {
  const value = parent[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw badRequest(`${where}.${key} must be a string`);
  return value;
}

/** The array at `key` ([] when absent or null). */
export function arrayAt(parent: JsonObject, key: string, where: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest(`${where}.${key} must be an array`);
  return value;
}

/** The strings of the array at `key`. */
export function stringsAt(parent: JsonObject, key: string, where: string): string[] {
  return arrayAt(parent, key, where).map((item, i) => {
    if (typeof item !== 'string') throw badRequest(`${where}.${key}[${i}] must be a string`);
    return item;
  });
}

/** The objects of the array at `key`. */
export function objectsAt(parent: JsonObject, key: string, where: string): JsonObject[] {
  return arrayAt(parent, key, where).map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw badRequest(`${where}.${key}[${i}] must be an object`);
    return item as JsonObject;
  });
}

/** The string map at `key` ({} when absent or null), e.g. Labels. */
export function stringMapAt(parent: JsonObject, key: string, where: string): Record<string, string> {
  const value = objectAt(parent, key, where) ?? {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw badRequest(`${where}.${key}.${k} must be a string`);
  }
  return value as Record<string, string>;
}

/** Parses a JSON query parameter (Docker's `filters`, `buildargs`, …); absent: undefined. */
export function queryJson(search: URLSearchParams, name: string): unknown {
  const raw = search.get(name);
  if (raw === null || raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest(`the ${name} parameter is not valid JSON`);
  }
}

/** Case folding as Go's encoding/json matches keys: ASCII case, and `ſ`/`K` (U+017F, U+212A) as s and k. */
function fold(key: string): string {
  return key.toUpperCase().toLowerCase();
}

/**
 * Renames keys that match one of `fields` but for case to the field's own spelling, in place.
 * The engine decodes JSON as Go does, matching keys case-insensitively, so `"privileged": true`
 * is HostConfig.Privileged to it; two spellings of one field are refused as ambiguous.
 */
export function canonicalKeys(object: JsonObject, fields: readonly string[], where: string): JsonObject {
  const byLower = new Map(fields.map((f) => [fold(f), f]));
  const seen = new Map<string, string>();
  for (const key of Object.keys(object)) {
    const field = byLower.get(fold(key));
    if (field === undefined) continue;
    const earlier = seen.get(field);
    if (earlier !== undefined) throw badRequest(`${where}: ${earlier} and ${key} name the same field`);
    seen.set(field, key);
    if (key !== field) {
      object[field] = object[key];
      delete object[key];
    }
  }
  return object;
}
