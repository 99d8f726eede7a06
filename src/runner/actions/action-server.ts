/**
 * The actions server: where `uses: owner/name@ref` is fetched from when no copy pinned by commit
 * is in the action cache. github.com by default; a GitHub Enterprise Server, a Gitea/Forgejo, a
 * mirror or dockyard's own git hosting with `dockyard up --actions-url URL` (one start) or
 * `dockyard actions server URL` (kept in the data directory); `off` resolves offline only.
 *
 * This module only checks what users give (no database: `up --detach` loads it);
 * ./action-server-settings.ts keeps the setting.
 */
export const DEFAULT_ACTIONS_URL = 'https://github.com';
/** The word that turns the server off (offline: the action cache and the built-ins). */
export const ACTIONS_SERVER_OFF = 'off';

const MAX_URL_LENGTH = 2048;
const MAX_TOKEN_LENGTH = 4096;

/** A URL or token a user gave that cannot be used; the message says why. */
export class ActionServerSettingError extends Error {
  override readonly name = 'ActionServerSettingError';
}

/** Where actions are fetched from, and with what credentials. */
export interface ActionServer {
  /** The base URL: repositories are `<url>/<owner>/<name>` (no trailing slash). */
  url: string;
  /** Sent as HTTP Basic credentials: `USER:PASSWORD` as given, any other token as `x-access-token:TOKEN`. */
  token?: string;
  /**
   * Where git fetches the one repository this server stands for, when not `<url>/<owner>/<name>`:
   * the cloud's own hosting gives a hosted repository's bare directory (read locally, no token).
   */
  repositoryUrl?: string;
}

/** Which server is in use and why; `server` is undefined when resolution is offline. */
export interface ActionServerChoice {
  server: ActionServer | undefined;
  source: 'default' | 'setting' | 'flag';
}

/** Checks an actions server URL (http or https, no credentials, query or fragment); returns it without a trailing slash. */
export function checkActionsUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > MAX_URL_LENGTH)
    throw new ActionServerSettingError(`The actions server URL is longer than ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ActionServerSettingError(
      `"${trimmed.slice(0, 100)}" is not a URL (e.g. https://github.com, https://ghe.example.com, http://localhost:4566).`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ActionServerSettingError(`The actions server must be an http or https URL, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '')
    throw new ActionServerSettingError(
      'Put no credentials in the actions server URL; give a token instead (--token-stdin), which is never printed.',
    );
  if (url.search !== '' || url.hash !== '')
    throw new ActionServerSettingError('The actions server URL takes no query or fragment.');
  return url.toString().replace(/\/+$/, '');
}

/** Checks a token: one line of printable characters. */
export function checkActionsToken(token: string): string {
  const trimmed = token.trim();
  if (trimmed === '') throw new ActionServerSettingError('The token is empty.');
  if (trimmed.length > MAX_TOKEN_LENGTH)
    throw new ActionServerSettingError(`The token is longer than ${MAX_TOKEN_LENGTH} characters.`);
  if (!/^[\x21-\x7e]+$/.test(trimmed))
    throw new ActionServerSettingError('The token must be one line of printable characters without spaces.');
  return trimmed;
}

/** `--actions-url` as given at `dockyard up`: a URL, or `off`. */
export function parseActionsUrlFlag(text: string): string {
  return text.trim().toLowerCase() === ACTIONS_SERVER_OFF ? ACTIONS_SERVER_OFF : checkActionsUrl(text);
}
