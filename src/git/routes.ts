/**
 * Which git smart-HTTP request a URL is: the repository, the CGI PATH_INFO for
 * `git http-backend` and the access it needs. Both `/git/OWNER/NAME.git/…` and
 * `/git/OWNER/NAME/…` (actions/checkout's form) are accepted; PATH_INFO always names the `.git`
 * directory. Anything that could step outside the repositories' root (dot segments, encoded
 * characters, backslashes) is refused before a name is even looked at.
 *
 * By design: only the smart protocol's four requests are served; the dumb protocol (plain file
 * fetches) would bypass the access checks' notion of a service, and no supported git needs it.
 */
import { isRepositoryName } from './names.js';
import type { GitAccess } from './tokens.js';

export type GitService = 'git-upload-pack' | 'git-receive-pack';

export interface GitRoute {
  kind: 'git';
  /** `OWNER/NAME`. */
  repository: string;
  service: GitService;
  access: GitAccess;
  /** `/OWNER/NAME.git/info/refs`, `/OWNER/NAME.git/git-receive-pack`, … */
  pathInfo: string;
  /** The query string without `?` (http-backend reads `service` from it). */
  query: string;
}

export interface RouteRefusal {
  kind: 'refused';
  status: 400 | 403 | 404 | 405;
  message: string;
  headers?: Record<string, string>;
}

export const DEFAULT_GIT_PREFIX = '/git';

/** Parses `method url` under `prefix` (default `/git`). */
export function routeGitRequest(
  method: string,
  url: string,
  prefix: string = DEFAULT_GIT_PREFIX,
): GitRoute | RouteRefusal {
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
  const base = `${prefix.replace(/\/+$/, '')}/`;
  if (!path.startsWith(base)) return notFound();
  const rest = path.slice(base.length);
  // Valid names need no escaping, so any `%`, backslash, NUL or dot segment is an attack or a mistake.
  if (
    /[%\\\0]/.test(rest) ||
    rest.split('/').some((segment) => segment === '.' || segment === '..' || segment === '')
  ) {
    return { kind: 'refused', status: 400, message: 'Bad request path.' };
  }
  const [owner, rawName, ...tail] = rest.split('/');
  if (owner === undefined || rawName === undefined) return notFound();
  const name = rawName.endsWith('.git') ? rawName.slice(0, -'.git'.length) : rawName;
  const repository = `${owner}/${name}`;
  if (!isRepositoryName(repository)) return notFound();
  const action = tail.join('/');
  const pathInfo = `/${repository}.git/${action}`;
  const upperMethod = method.toUpperCase();

  if (action === 'info/refs') {
    if (upperMethod !== 'GET' && upperMethod !== 'HEAD') return notAllowed('GET');
    const service = new URLSearchParams(query).get('service');
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
      return {
        kind: 'refused',
        status: 403,
        message: 'dockyard serves git over the smart HTTP protocol only; use git 1.6.6 or later.',
      };
    }
    return { kind: 'git', repository, service, access: accessOf(service), pathInfo, query };
  }
  if (action === 'git-upload-pack' || action === 'git-receive-pack') {
    if (upperMethod !== 'POST') return notAllowed('POST');
    return { kind: 'git', repository, service: action, access: accessOf(action), pathInfo, query };
  }
  return notFound();
}

function accessOf(service: GitService): GitAccess {
  return service === 'git-receive-pack' ? 'write' : 'read';
}

function notFound(): RouteRefusal {
  return { kind: 'refused', status: 404, message: 'Repository not found.' };
}

function notAllowed(allow: string): RouteRefusal {
  return { kind: 'refused', status: 405, message: `Method not allowed; use ${allow}.`, headers: { allow } };
}
