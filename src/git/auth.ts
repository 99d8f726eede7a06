/**
 * Authentication for git over HTTP. Every request needs credentials, reads included, because
 * every hosted repository is private. The credentials are HTTP Basic; who may do what is the
 * injected `authenticate` callback's decision (the wiring accepts admin access keys and job
 * tokens), so this module knows no secrets itself.
 *
 * Statuses: no or undecodable credentials → 401 with a Basic challenge, which is what makes git
 * ask its credential helpers; rejected credentials → 401 as well; credentials that are good but
 * not enough (a read-only token pushing) → 403.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GitAccess } from './tokens.js';

/** Sent with every 401 so git (and browsers) know to ask for a user name and password. */
export const BASIC_CHALLENGE = 'Basic realm="dockyard"';

export interface BasicCredentials {
  user: string;
  password: string;
}

/** What a request wants to do. */
export interface GitAccessRequest {
  /** `OWNER/NAME`. */
  repository: string;
  access: GitAccess;
}

/**
 * Decides whether credentials may perform `request`: true allows, false means "unknown
 * credentials" (401) and 'forbidden' means "known, but not allowed" (403). A plain `false` for a
 * write is asked again as a read; a yes then also makes it a 403.
 */
export type GitAuthenticator = (
  user: string,
  password: string,
  request: GitAccessRequest,
) => boolean | 'forbidden' | Promise<boolean | 'forbidden'>;

export type GitAuthorization = { ok: true; user: string } | { ok: false; status: 401 | 403; message: string };

/** Parses `Authorization: Basic base64(user:password)`; undefined when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Runs a request's credentials through the authenticator. */
export async function authorizeGitRequest(
  headers: IncomingHttpHeaders,
  request: GitAccessRequest,
  authenticate: GitAuthenticator,
): Promise<GitAuthorization> {
  const credentials = parseBasicAuthorization(headers.authorization);
  if (credentials === undefined || credentials.password === '') {
    return {
      ok: false,
      status: 401,
      message: 'Authentication required: use an access key id and secret, or a job token, as user name and password.',
    };
  }
  const { user, password } = credentials;
  const verdict = await authenticate(user, password, request);
  if (verdict === true) return { ok: true, user };
  if (
    verdict === 'forbidden' ||
    (request.access === 'write' && (await authenticate(user, password, { ...request, access: 'read' })) === true)
  ) {
    const what = request.access === 'write' ? 'push to' : 'read';
    return {
      ok: false,
      status: 403,
      message: `Permission to ${what} ${request.repository} denied to ${printable(user)}.`,
    };
  }
  return { ok: false, status: 401, message: `Invalid credentials for ${request.repository}.` };
}

/** A user name as it may appear in a message or a header: no control characters, not too long. */
export function printable(user: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const clean = user.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 97)}...` : clean;
}
