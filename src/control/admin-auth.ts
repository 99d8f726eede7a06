/**
 * The admin key as an HTTP credential: Basic with the access key id as user and the secret as
 * password. The control API and git pushes accept it; it lives in admin.json (mode 0600), so
 * only the account that runs the cloud can use it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface AdminCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

export function basicAuthorization(admin: AdminCredential): string {
  return `Basic ${Buffer.from(`${admin.accessKeyId}:${admin.secretAccessKey}`).toString('base64')}`;
}

/** Parses `Authorization: Basic …` into user and password; undefined when absent or malformed. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Timing-safe comparison of the given credentials with the admin key. */
export function isAdmin(user: string, password: string, admin: AdminCredential): boolean {
  return same(user, admin.accessKeyId) && same(password, admin.secretAccessKey);
}

function same(a: string, b: string): boolean {
  // Digests have equal length, so timingSafeEqual never throws and length does not leak.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
