/**
 * The SigV4 signing key, HMAC-SHA256 chained over "AWS4"+secret, date, region, service and
 * "aws4_request". Deriving it costs four HMACs; a client signs many requests with one key per day,
 * so a small LRU of derived keys makes verification one SHA-256 and one HMAC.
 */
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';

/** Derives the signing key for one secret and scope. */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  let key = createHmac('sha256', `AWS4${secretAccessKey}`).update(date, 'utf8').digest();
  key = createHmac('sha256', key).update(region, 'utf8').digest();
  key = createHmac('sha256', key).update(service, 'utf8').digest();
  return createHmac('sha256', key).update('aws4_request', 'utf8').digest();
}

/**
 * A bounded least-recently-used cache of derived signing keys, keyed by secret and scope (so a
 * rotated or revoked secret simply stops being looked up). Holds secrets-derived material only in
 * memory and never exposes its keys.
 */
export class SigningKeyCache {
  readonly #capacity: number;
  readonly #keys = new Map<string, Buffer>();

  /** @param capacity how many derived keys to keep; the oldest unused one goes first. */
  constructor(capacity = 512) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** The signing key for this secret and scope, derived once and then served from the cache. */
  get(secretAccessKey: string, date: string, region: string, service: string): Buffer {
    // NUL cannot occur in a scope element that passed validation, so the id is unambiguous.
    const id = `${date}\0${region}\0${service}\0${secretAccessKey}`;
    const cached = this.#keys.get(id);
    if (cached !== undefined) {
      // Re-insert so Map order stays least-recently-used first.
      this.#keys.delete(id);
      this.#keys.set(id, cached);
      return cached;
    }
    const key = deriveSigningKey(secretAccessKey, date, region, service);
    this.#keys.set(id, key);
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.keys().next();
      if (oldest.done !== true) this.#keys.delete(oldest.value);
    }
    return key;
  }

  /** How many keys are cached (for tests and diagnostics). */
  get size(): number {
    return this.#keys.size;
  }
}
