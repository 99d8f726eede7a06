/**
 * dockyard's git hosting: private repositories served over git's smart HTTP protocol by git's
 * own `git http-backend`, HTTP Basic authentication (admin credentials or job tokens), and push
 * events reported from each repository's post-receive hook to the cloud, whose progress lines
 * the pusher sees live as `remote: …`, and journaled before the refs move, so that a push whose
 * report never arrived is handed over when the cloud next starts (push-journal.ts).
 *
 * Fidelity:
 * - Reproduced: clone URLs with and without `.git` (actions/checkout uses the latter, from
 *   GITHUB_SERVER_URL); 401 with a Basic challenge so git asks for credentials, 403 for
 *   credentials that may read but not push; "Repository not found." for unknown repositories;
 *   GitHub's owner and name rules; fetching any reachable commit by sha; partial clone filters.
 * - By design: every repository is private (reads need credentials too); a job token is the
 *   password with any user name (as GITHUB_TOKEN is used); names are case-sensitive; names
 *   ending in `.git` are refused; a push to the repository's directory is not reported.
 * - Gaps: no SSH, dumb HTTP, LFS, branch protection or REST API for repositories; a push whose
 *   report was cut short (the cloud died, the client disconnected) starts its runs only when
 *   the cloud next starts; git older than 2.28 runs no reference-transaction hook, so its
 *   pushes are not journaled.
 * - Client quirks: git shows a text/plain error body as `remote: …`, so every refusal is one.
 */
export * from './contract.js';
export { RepositoryNameError } from './names.js';
export { GitHostedRepository } from './hosted-repository.js';
export { GitRepositories } from './repositories.js';

export { DEFAULT_GIT_TOKEN_TTL_MS, InMemoryGitAccessTokens } from './tokens.js';
export { authorizeGitRequest, parseBasicAuthorization, type GitAuthenticator } from './auth.js';
export { createGitHttpHandler } from './http-backend.js';
export { routeGitRequest } from './routes.js';
export { PUSH_HOOK_PATH, createPushHookHandler, generateHookSecret, progressLines } from './push-hook.js';
export { newPushId, parsePushLines } from './push-lines.js';
export { PushJournal } from './push-journal.js';
export { removeAbandonedPushFiles } from './abandoned-pushes.js';
export { PUSH_PROCESS_MARKER } from './http-backend.js';
export { HOOK_ENV, JOURNAL_DIR, postReceiveScript } from './hook-script.js';
