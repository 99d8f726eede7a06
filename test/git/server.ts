/**
 * A real HTTP server on 127.0.0.1 mounting the git hosting and its push-hook endpoint the way
 * the cloud does: admin credentials and job tokens are accepted, pushes are recorded and
 * answered with progress lines.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import {
  GitRepositories,
  InMemoryGitAccessTokens,
  PUSH_HOOK_PATH,
  createGitHttpHandler,
  createPushHookHandler,
  type PushEvent,
} from '../../src/git/index.js';

export const ADMIN = { user: 'AKIAIOSFODNN7EXAMPLE', password: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const HOOK_SECRET = 'test-hook-secret-0123456789';

export interface GitServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  repositories: GitRepositories;
  tokens: InMemoryGitAccessTokens;
  /** Every push the hook reported, in order (without their push ids: those are in `pushIds`). */
  pushes: PushEvent[][];
  /** The push id of each reported push's events (one per push, as they share it). */
  pushIds: (string | undefined)[];
  /** Headers of every request to the git endpoints. */
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  /** Replaces what a push does (default: one progress line per ref). */
  onPush: (events: PushEvent[], progress: (line: string) => void) => Promise<void>;
  /** `http://user:pass@127.0.0.1:PORT/git/OWNER/NAME.git` (or without `.git`). */
  url(fullName: string, credentials?: { user: string; password: string }, suffix?: string): string;
  close(): Promise<void>;
}

export async function startGitServer(dataDir: string): Promise<GitServer> {
  const tokens = new InMemoryGitAccessTokens();
  let dispatch: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async () => {};
  const server: Server = createServer((req, res) => void dispatch(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const repositories = new GitRepositories({
    root: join(dataDir, 'git'),
    serverUrl: `${origin}/git`,
    hookUrl: `${origin}${PUSH_HOOK_PATH}`,
  });

  const state: GitServer = {
    origin,
    repositories,
    tokens,
    pushes: [],
    pushIds: [],
    requests: [],
    onPush: async (events, progress) => {
      for (const event of events)
        progress(
          `dockyard: received ${event.ref} ${event.before.slice(0, 7)}..${event.after.slice(0, 7)} from ${event.pusher}`,
        );
    },
    url: (fullName, credentials, suffix = '.git') => {
      const auth =
        credentials === undefined
          ? ''
          : `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`;
      return `http://${auth}${origin.slice('http://'.length)}/git/${fullName}${suffix}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const git = createGitHttpHandler({
    repositories,
    logger: silentLogger,
    hookSecret: HOOK_SECRET,
    authenticate: (user, password, { repository, access }) =>
      (user === ADMIN.user && password === ADMIN.password) || tokens.verify(password, repository, access),
  });
  const hook = createPushHookHandler({
    hookSecret: HOOK_SECRET,
    logger: silentLogger,
    onPush: (events, progress) => {
      state.pushes.push(events.map(({ pushId: _pushId, ...event }) => event));
      const ids = new Set(events.map((event) => event.pushId));
      state.pushIds.push(ids.size === 1 ? [...ids][0] : `${ids.size} different push ids`);
      return state.onPush(events, progress);
    },
  });
  dispatch = async (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith(`${PUSH_HOOK_PATH}/`)) return hook(req, res);
    state.requests.push({ method: req.method ?? '', url, headers: req.headers });
    if (url.startsWith('/git/')) return git(req, res);
    res.writeHead(404).end();
  };
  return state;
}
