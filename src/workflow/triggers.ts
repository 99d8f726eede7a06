/**
 * matchesPush: whether a push triggers a workflow, with GitHub's `on.push` filter rules.
 *
 * - Only created or updated refs: GitHub never starts a `push` run for a deleted branch or tag
 *   (`deleted: true` never matches; callers may also just not ask).
 * - Branch filters (`branches`, `branches-ignore`) see branch names (`refs/heads/` removed), tag
 *   filters see tag names. When only branch filters are given, tag pushes do not trigger, and vice
 *   versa; with neither, every branch and tag push does.
 * - Every list is ordered: a later matching pattern wins and `!` negates (glob.ts); a ref or file
 *   that an `-ignore` list selects is excluded.
 * - Path filters apply only to branch pushes ("Path filters are not evaluated for pushes of tags"),
 *   and only when the changed files are known: GitHub skips them when it has no diff (a new branch, or
 *   more than 1,000 commits), and so do we when `changedFiles` is undefined.
 * - `paths`: at least one changed file must be selected; `paths-ignore`: at least one changed file
 *   must not be ignored. Both must hold when both branch/tag and path filters are given.
 * - Only the first 300 changed files count: GitHub's "Diffs are limited to 300 files. If there are
 *   files changed that aren't matched in the first 300 files returned by the filter, the workflow
 *   will not run."
 */
import type { PushEventInfo, PushFilter, WorkflowDefinition } from './contract.js';
import { matchesFilterList } from './glob.js';

const BRANCH_PREFIX = 'refs/heads/';
const TAG_PREFIX = 'refs/tags/';
/** The changed files path filters see, at most. */
export const MAX_DIFF_FILES = 300;

/** Whether this push (of a created or updated ref) starts the workflow. */
export function matchesPush(workflow: WorkflowDefinition, event: PushEventInfo): boolean {
  const filter = workflow.on.push;
  if (filter === undefined || event.deleted === true) return false;
  return matchesPushFilter(filter, event);
}

/** The filter half of matchesPush, for one `on.push` value. */
export function matchesPushFilter(filter: PushFilter, event: PushEventInfo): boolean {
  const isBranch = event.ref.startsWith(BRANCH_PREFIX);
  const isTag = event.ref.startsWith(TAG_PREFIX);
  if (!isBranch && !isTag) return false;

  const hasBranchFilter = filter.branches !== undefined || filter['branches-ignore'] !== undefined;
  const hasTagFilter = filter.tags !== undefined || filter['tags-ignore'] !== undefined;
  if (isBranch) {
    if (!hasBranchFilter && hasTagFilter) return false;
    const name = event.ref.slice(BRANCH_PREFIX.length);
    if (!refSelected(name, filter.branches, filter['branches-ignore'])) return false;
    return pathsSelected(filter, event.changedFiles);
  }
  if (!hasTagFilter && hasBranchFilter) return false;
  // A tag push with only path filters still triggers: path filters are not evaluated for tags.
  return refSelected(event.ref.slice(TAG_PREFIX.length), filter.tags, filter['tags-ignore']);
}

function refSelected(name: string, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (include !== undefined && !matchesFilterList(include, name)) return false;
  if (ignore !== undefined && matchesFilterList(ignore, name)) return false;
  return true;
}

function pathsSelected(filter: PushFilter, allChangedFiles: string[] | undefined): boolean {
  if (allChangedFiles === undefined) return true;
  const changedFiles = allChangedFiles.slice(0, MAX_DIFF_FILES);
  const include = filter.paths;
  if (include !== undefined && !changedFiles.some((file) => matchesFilterList(include, file))) return false;
  const ignore = filter['paths-ignore'];
  if (ignore !== undefined && changedFiles.every((file) => matchesFilterList(ignore, file))) return false;
  return true;
}

/** What a run did, for `on.workflow_run` matching. */
export interface WorkflowRunEventInfo {
  /** The triggering workflow's `name:` (or file path when it has none), as GitHub matches it. */
  workflowName: string;
  action: 'requested' | 'in_progress' | 'completed';
  /** The triggering run's branch (`head_branch`); empty for a tag. */
  headBranch: string;
}

/**
 * Whether another workflow's run starts this workflow: its name is listed in `workflows`, the
 * activity is one of `types` (all of them when none is given, as GitHub does), and its branch
 * passes `branches`/`branches-ignore` with the push rules (ordered lists, `!` negation, globs).
 */
export function matchesWorkflowRun(workflow: WorkflowDefinition, event: WorkflowRunEventInfo): boolean {
  const filter = workflow.on.workflow_run;
  if (filter === undefined || !filter.workflows.includes(event.workflowName)) return false;
  if (filter.types.length > 0 && !filter.types.includes(event.action)) return false;
  return refSelected(event.headBranch, filter.branches, filter['branches-ignore']);
}
