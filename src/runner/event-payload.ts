/**
 * Event payloads (GITHUB_EVENT_PATH, `github.event`) shaped like GitHub's webhook payloads for
 * `push`, `workflow_dispatch` and `workflow_run`, with URLs pointing at dockyard's git hosting.
 * Gaps: `commits[]` lists only the head commit; ids are dockyard's stable hashes of names.
 */
import type { CommitInfo, PushEvent } from '../git/contract.js';
import { ZERO_SHA } from '../git/contract.js';
import { stableNumericId } from '../identity/claims.js';
import type { Json } from '../workflow/contract.js';
import type { RunRecord } from './types.js';

function repositoryObject(fullName: string, serverUrl: string, defaultBranch: string): Json {
  const [owner = '', name = ''] = fullName.split('/');
  return {
    id: Number(stableNumericId('repository', fullName)),
    name,
    full_name: fullName,
    private: true,
    owner: { login: owner, name: owner, id: Number(stableNumericId('account', owner)), type: 'User' },
    html_url: `${serverUrl}/${fullName}`,
    clone_url: `${serverUrl}/${fullName}.git`,
    url: `${serverUrl}/${fullName}`,
    default_branch: defaultBranch,
    master_branch: defaultBranch,
  };
}

function commitObject(commit: CommitInfo, fullName: string, serverUrl: string, pusher: string): Json {
  return {
    id: commit.sha,
    tree_id: '',
    distinct: true,
    message: commit.message,
    timestamp: commit.timestamp,
    url: `${serverUrl}/${fullName}/commit/${commit.sha}`,
    author: { name: commit.authorName, email: commit.authorEmail, username: pusher },
    committer: { name: commit.authorName, email: commit.authorEmail, username: pusher },
    added: [],
    removed: [],
    modified: [],
  };
}

export function pushPayload(
  event: PushEvent,
  commit: CommitInfo | undefined,
  serverUrl: string,
  defaultBranch: string,
): Json {
  const head = commit === undefined ? null : commitObject(commit, event.repository, serverUrl, event.pusher);
  return {
    ref: event.ref,
    before: event.before,
    after: event.after,
    created: event.before === ZERO_SHA,
    deleted: event.after === ZERO_SHA,
    forced: false,
    base_ref: null,
    compare: `${serverUrl}/${event.repository}/compare/${event.before.slice(0, 12)}...${event.after.slice(0, 12)}`,
    commits: head === null ? [] : [head],
    head_commit: head,
    repository: repositoryObject(event.repository, serverUrl, defaultBranch),
    pusher: { name: event.pusher, email: null },
    sender: { login: event.pusher, id: Number(stableNumericId('account', event.pusher)), type: 'User' },
  };
}

export function dispatchPayload(
  repository: string,
  ref: string,
  workflowFile: string,
  inputs: Record<string, string>,
  actor: string,
  serverUrl: string,
  defaultBranch: string,
): Json {
  return {
    inputs,
    ref,
    repository: repositoryObject(repository, serverUrl, defaultBranch),
    sender: { login: actor, id: Number(stableNumericId('account', actor)), type: 'User' },
    workflow: workflowFile,
  };
}

/**
 * The `workflow_run` event: `action` (requested, in_progress, completed) and the triggering run
 * as GitHub's REST API shows it, with the fields workflows read (conclusion, head_branch,
 * head_sha, id, name, event, run_number, path…), and the workflow.
 */
export function workflowRunPayload(
  action: string,
  run: RunRecord,
  commit: CommitInfo | undefined,
  serverUrl: string,
  defaultBranch: string,
): Json {
  const repository = repositoryObject(run.repository, serverUrl, defaultBranch);
  const actor = { login: run.actor, id: Number(stableNumericId('account', run.actor)), type: 'User' };
  const workflowId = Number(stableNumericId('workflow', `${run.repository}:${run.workflowFile}`));
  const runUrl = `${serverUrl}/${run.repository}/actions/runs/${run.id}`;
  return {
    action,
    workflow_run: {
      id: run.id,
      name: run.workflowName,
      display_title: run.displayTitle,
      path: run.workflowFile,
      head_branch: run.ref.startsWith('refs/heads/')
        ? run.ref.slice('refs/heads/'.length)
        : run.ref.replace(/^refs\/tags\//, ''),
      head_sha: run.sha,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      run_number: run.runNumber,
      run_attempt: run.runAttempt,
      workflow_id: workflowId,
      url: runUrl,
      html_url: runUrl,
      created_at: run.createdAt,
      updated_at: run.completedAt ?? run.startedAt ?? run.createdAt,
      run_started_at: run.startedAt ?? run.createdAt,
      actor,
      triggering_actor: actor,
      pull_requests: [],
      head_commit:
        commit === undefined
          ? null
          : {
              id: commit.sha,
              tree_id: '',
              message: commit.message,
              timestamp: commit.timestamp,
              author: { name: commit.authorName, email: commit.authorEmail },
              committer: { name: commit.authorName, email: commit.authorEmail },
            },
      repository,
      head_repository: repository,
    },
    workflow: { id: workflowId, name: run.workflowName, path: run.workflowFile, state: 'active' },
    repository,
    sender: actor,
  };
}
