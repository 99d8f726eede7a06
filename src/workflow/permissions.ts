/**
 * effectivePermissions: the GITHUB_TOKEN (and OIDC) permissions a job runs with.
 *
 * GitHub's rules: the job's `permissions:` replace the workflow's (they are not merged); with neither,
 * the repository default applies, for which dockyard uses GitHub's "permissive" default (what a push
 * in a personal repository gets: everything `write` but `id-token: none` and `models: read`; see
 * PERMISSIVE_DEFAULT). `read-all`/`write-all` set every scope; `{}` sets every scope to `none`; once
 * any scope is listed, every scope not listed is `none`.
 *
 * By design: `id-token` is never granted implicitly, so OIDC needs an explicit `id-token: write`, as
 * on GitHub. `write-all` grants `id-token: write`, as GitHub documents.
 */
import type { JobDefinition, PermissionLevel, Permissions, PermissionsSpec, WorkflowDefinition } from './contract.js';

/** The scopes GitHub's `permissions:` key accepts. */
export const PERMISSION_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;

export type PermissionScope = (typeof PERMISSION_SCOPES)[number];

/**
 * GitHub's permissive default token permissions, from its GITHUB_TOKEN reference table: `id-token` is
 * none (it must be asked for) and `models` read; every other scope read/write.
 */
export const PERMISSIVE_DEFAULT: Readonly<Record<PermissionScope, PermissionLevel>> = {
  actions: 'write',
  attestations: 'write',
  checks: 'write',
  contents: 'write',
  deployments: 'write',
  discussions: 'write',
  'id-token': 'none',
  issues: 'write',
  models: 'read',
  packages: 'write',
  pages: 'write',
  'pull-requests': 'write',
  'repository-projects': 'write',
  'security-events': 'write',
  statuses: 'write',
};

/** The permissions a job runs with: one entry per GitHub scope (plus any unknown scope the file named). */
export function effectivePermissions(workflow: WorkflowDefinition, job: JobDefinition): Permissions {
  const spec = job.permissions ?? workflow.permissions;
  return spec === undefined ? { ...PERMISSIVE_DEFAULT } : resolvePermissions(spec);
}

/** One `permissions:` value → a level for every scope. */
export function resolvePermissions(spec: PermissionsSpec): Permissions {
  if (spec === 'read-all' || spec === 'write-all') {
    const level: PermissionLevel = spec === 'read-all' ? 'read' : 'write';
    return Object.fromEntries(PERMISSION_SCOPES.map((scope) => [scope, level]));
  }
  const permissions: Permissions = Object.fromEntries(PERMISSION_SCOPES.map((scope) => [scope, 'none']));
  return { ...permissions, ...spec };
}

/** Whether `granted` allows `wanted` (`write` implies `read`). */
export function permits(granted: PermissionLevel | undefined, wanted: Exclude<PermissionLevel, 'none'>): boolean {
  if (granted === 'write') return true;
  return granted === 'read' && wanted === 'read';
}

const RANK: Readonly<Record<PermissionLevel, number>> = { none: 0, read: 1, write: 2 };

/**
 * The permissions of a job in a called (reusable) workflow, given what the caller's job has
 * (`ceiling`). GitHub's rules: with no `permissions:` in the called workflow or job, the job has
 * the caller's; a called workflow may only lower them, and asking for more fails the call with
 * "The nested job '<id>' is requesting '<scope>: <level>', but is only allowed '<scope>: <level>'."
 */
export function calledJobPermissions(
  workflow: WorkflowDefinition,
  job: JobDefinition,
  ceiling: Permissions,
): { permissions: Permissions } | { error: string } {
  const spec = job.permissions ?? workflow.permissions;
  if (spec === undefined) return { permissions: { ...ceiling } };
  const wanted = resolvePermissions(spec);
  for (const [scope, level] of Object.entries(wanted)) {
    const allowed = ceiling[scope] ?? 'none';
    if (RANK[level] > RANK[allowed])
      return {
        error: `The nested job '${job.id}' is requesting '${scope}: ${level}', but is only allowed '${scope}: ${allowed}'.`,
      };
  }
  return { permissions: wanted };
}
