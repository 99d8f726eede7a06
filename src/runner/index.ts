/**
 * dockyard's GitHub-Actions-compatible runner: pushes and dispatches become workflow runs whose
 * jobs run on this host, like a self-hosted runner's, with real OIDC tokens for the local cloud.
 *
 * Fidelity (details in each module's header)
 * - Reproduced: run/job/step records with GitHub's statuses and conclusions; needs/if/matrix
 *   (fail-fast, max-parallel)/outputs/env/defaults/permissions/environment/timeout-minutes/
 *   concurrency; the default environment variables and contexts; shells and their templates;
 *   file commands and workflow commands with GitHub's messages; masking; JavaScript actions
 *   (pre/main/post, state) and composite actions; `ACTIONS_ID_TOKEN_REQUEST_*` only with
 *   `id-token: write`.
 * - By design: jobs run on this host (runs-on is recorded, not matched); JavaScript actions run
 *   on dockyard's own Node whatever `using:` says; actions resolve from the action cache, then the
 *   actions server over git smart HTTP (not GitHub's tarball API), then the built-ins; secrets live in the state database; runs do not survive a restart (they are marked
 *   cancelled); DOCKER_CONFIG is per job; the host's AWS_* variables are not passed to jobs.
 * - Gaps: reusable workflows, job containers, service containers, Docker actions and
 *   `docker://` steps fail with a clear message; no re-runs (attempt is always 1); no artifacts or
 *   caches service; no REST API behind GITHUB_API_URL; pull_request and other events do not
 *   trigger runs.
 */
export { Runner, WorkflowDispatchError, type RunnerDeps } from './runner.js';
export { RepoSettings, RepoSettingsError } from './settings.js';
export { ActionCache, ActionSpecError } from './action-cache.js';
export { ActionServerSettings } from './actions/action-server-settings.js';

export type { RunEvent, RunRecord } from './types.js';
