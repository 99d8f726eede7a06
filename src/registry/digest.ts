/**
 * Content digests as the OCI image spec defines them (`algorithm:encoded`). The registry
 * accepts the two registered algorithms a real client may name: sha256 (every client, the
 * default) and sha512 (allowed by the spec, used by the conformance suite).
 */

/** A digest the registry can verify. */
export interface Digest {
  algorithm: 'sha256' | 'sha512';
  /** Lowercase hex. */
  hex: string;
}

const PATTERN = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; undefined for anything else. */
export function parseDigest(text: string | null | undefined): Digest | undefined {
  if (!text || !PATTERN.test(text)) return undefined;
  const colon = text.indexOf(':');
  return { algorithm: text.slice(0, colon) as Digest['algorithm'], hex: text.slice(colon + 1) };
}

/** Whether `text` is a digest in the syntax the registry accepts. */
export function isDigest(text: string): boolean {
  return PATTERN.test(text);
}

/** `algorithm:hex`. */
export function formatDigest(digest: Digest): string {
  return `${digest.algorithm}:${digest.hex}`;
}
