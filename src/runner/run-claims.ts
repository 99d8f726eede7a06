/**
 * The claims a job of a run presents in its OIDC token (GitHub's: repository, ref, commit,
 * event, actor, workflow, run ids; the job's environment decides `sub` when it has one). The
 * job's ID-token broker issues them; the console's trust check asks with a run's own.
 */
import type { JobClaimsInput } from '../identity/claims.js';
import type { RunRecord } from './types.js';

export function runTokenClaims(run: RunRecord, environment?: string): JobClaimsInput {
  return {
    repository: run.repository,
    ref: run.ref,
    sha: run.sha,
    eventName: run.event,
    ...(environment !== undefined ? { environment } : {}),
    actor: run.actor,
    workflow: run.workflowName,
    workflowFile: run.workflowFile,
    runId: run.id,
    runNumber: run.runNumber,
    runAttempt: run.runAttempt,
  };
}
