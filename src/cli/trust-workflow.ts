/**
 * What a workflow's jobs would present to STS, read from the workflow file: for every
 * configure-aws-credentials step, the role it assumes, the audience it asks for, whether its
 * job may ask for an OIDC token at all (`id-token: write`), and the refs its push trigger runs
 * on. `dockyard trust check --workflow FILE` runs STS's checks on each of those before anyone
 * pushes: the seed's workflow (on master) against its trust policy (main) is the case it exists for.
 *
 * Only literal values can be checked: a role or branch written as an expression that needs run
 * time (secrets, vars, matrix) is reported as unknown rather than guessed.
 */
import { readFile } from 'node:fs/promises';
import {
  effectivePermissions,
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  parseWorkflowFileBounded,
  type JobDefinition,
  type WorkflowDefinition,
} from '../workflow/index.js';
import { CliError } from './command.js';
import { errorMessage } from '../core/errors.js';

export interface PlannedAssume {
  job: string;
  step: string;
  /** undefined when `role-to-assume` is missing or not literal. */
  roleArn?: string;
  audience: string;
  /** False when the job's effective permissions do not grant id-token: write. */
  canRequestToken: boolean;
  /** undefined when the job has none; the environment decides the token's `sub`. */
  environment?: string;
  /** Why the step cannot be checked (an expression, no role), if it cannot. */
  unknown?: string;
}

export interface WorkflowTrustPlan {
  /** Refs the push trigger runs on (`refs/heads/main`), from literal branch and tag filters. */
  refs: string[];
  /** Push filters that are patterns and so name no single ref. */
  patterns: string[];
  assumes: PlannedAssume[];
}

const CREDENTIALS_ACTION = /^aws-actions\/configure-aws-credentials@/;
const GLOB = /[*?+[\]!]/;

export function planWorkflowTrust(workflow: WorkflowDefinition, repository: string): WorkflowTrustPlan {
  const push = workflow.on.push;
  const refs: string[] = [];
  const patterns: string[] = [];
  for (const [list, prefix] of [
    [push?.branches, 'refs/heads/'],
    [push?.tags, 'refs/tags/'],
  ] as const) {
    for (const name of list ?? [])
      (GLOB.test(name) ? patterns : refs).push(GLOB.test(name) ? name : `${prefix}${name}`);
  }
  const assumes: PlannedAssume[] = [];
  for (const job of workflow.jobs) {
    const permissions = effectivePermissions(workflow, job);
    for (const step of job.steps) {
      if (!step.uses || !CREDENTIALS_ACTION.test(step.uses)) continue;
      const name = step.name ? (safeString(() => evaluateString(step.name, scopeFor(repository))) ?? step.id) : step.id;
      const planned: PlannedAssume = {
        job: job.id,
        step: name,
        audience: 'sts.amazonaws.com',
        canRequestToken: permissions['id-token'] === 'write',
      };
      const environment = environmentOf(job, repository);
      if (environment) planned.environment = environment;
      let inputs: Record<string, string> | undefined;
      try {
        inputs = evaluateStringMap(step.with, scopeFor(repository));
      } catch (error) {
        planned.unknown = `its inputs need run-time values (${errorMessage(error)})`;
      }
      if (inputs) {
        const role = inputs['role-to-assume'];
        if (!role) planned.unknown = 'it has no role-to-assume (access keys or another provider)';
        else if (!role.startsWith('arn:'))
          planned.unknown = `role-to-assume "${role}" is not a role ARN (OIDC needs the full ARN)`;
        else planned.roleArn = role;
        if (inputs.audience) planned.audience = inputs.audience;
      }
      assumes.push(planned);
    }
  }
  return { refs, patterns, assumes };
}

/** What is known before a push: the repository; contexts filled at run time stay empty (also used by bootstrap-workflow.ts). */
export function scopeFor(repository: string) {
  return {
    contexts: {
      github: { repository, repository_owner: repository.split('/')[0] ?? '', event_name: 'push' },
      env: {},
      vars: {},
      secrets: {},
      steps: {},
      inputs: {},
      matrix: {},
    },
    state: { status: 'success' as const },
  };
}

export function environmentOf(job: JobDefinition, repository: string): string | undefined {
  if (!job.environment) return undefined;
  const token = job.environment;
  return safeString(() => {
    const value = evaluateToken(token, scopeFor(repository));
    // `environment: {name: prod, url: …}` is a mapping; its name is what counts.
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.name === 'string')
      return value.name;
    return '';
  });
}

function safeString(read: () => string): string | undefined {
  try {
    const value = read();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * A workflow file, parsed with the limits a push gets (parseWorkflowFileBounded); a CliError saying
 * why when it cannot be read or is not a workflow.
 */
export async function readWorkflowFile(file: string): Promise<WorkflowDefinition> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = await parseWorkflowFileBounded(file, content);
  if (!parsed.workflow) throw new CliError(`${file} is not a valid workflow:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.workflow;
}
