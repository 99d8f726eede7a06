/**
 * What `dockyard bootstrap --workflow FILE` reads from a deploy workflow, so the role fits the
 * workflow that will assume it: the role name and region of configure-aws-credentials, the
 * branches its push trigger runs on (or the jobs' environments), the ECR repository of the
 * rendered image, the cluster and service of the deploy step, and the execution and task roles
 * of the task definition file it renders. Only literal values count; what needs run time
 * (`${{ steps.ecr.outputs.registry }}` evaluates to nothing here) is left for the flags.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repositoryOf } from '../deploy/task-definition.js';
import { evaluateStringMap } from '../workflow/index.js';
import { environmentOf, readWorkflowFile, scopeFor } from './trust-workflow.js';

export interface WorkflowDeployInputs {
  roleName?: string;
  region?: string;
  branches: string[];
  environments: string[];
  cluster?: string;
  service?: string;
  ecrRepository?: string;
  executionRole?: string;
  taskRole?: string;
}

const GLOB = /[*?+[\]!]/;

export async function deployInputsFromWorkflow(file: string, repository: string): Promise<WorkflowDeployInputs> {
  const workflow = await readWorkflowFile(file);
  const found: WorkflowDeployInputs = {
    branches: (workflow.on.push?.branches ?? []).filter((b) => !GLOB.test(b)),
    environments: [],
  };
  const scope = scopeFor(repository);
  for (const job of workflow.jobs) {
    const environment = environmentOf(job, repository);
    if (environment && !found.environments.includes(environment)) found.environments.push(environment);
    for (const step of job.steps) {
      const action = step.uses?.split('@')[0];
      if (!action) continue;
      let inputs: Record<string, string>;
      try {
        inputs = evaluateStringMap(step.with, scope);
      } catch {
        continue;
      }
      if (action === 'aws-actions/configure-aws-credentials') {
        found.roleName ??= roleNameOf(inputs['role-to-assume']);
        found.region ??= inputs['aws-region'] || undefined;
      } else if (action === 'aws-actions/amazon-ecs-render-task-definition') {
        // Run-time parts evaluate to nothing: `${{ registry }}/my-app:${{ sha }}` reads "/my-app:".
        const image = inputs.image?.replace(/^\/+/, '');
        if (image && !image.startsWith(':')) found.ecrRepository ??= repositoryOf(image).replace(/^\/+/, '') || undefined;
        if (inputs['task-definition']) Object.assign(found, { ...rolesOf(join(repositoryRoot(file), inputs['task-definition'])), ...pick(found, ['executionRole', 'taskRole']) });
      } else if (action === 'aws-actions/amazon-ecs-deploy-task-definition') {
        found.service ??= inputs.service || undefined;
        found.cluster ??= inputs.cluster || (inputs.service ? 'default' : undefined);
      }
    }
  }
  return found;
}

/** `arn:aws:iam::123:role/path/Name` → `Name`. */
function roleNameOf(arn: string | undefined): string | undefined {
  const match = /^arn:[\w-]+:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn ?? '');
  return match?.[1];
}

/** `.github/workflows/x.yml` lives two folders below the repository's root. */
function repositoryRoot(file: string): string {
  return dirname(dirname(dirname(file)));
}

function rolesOf(taskDefinitionFile: string): Pick<WorkflowDeployInputs, 'executionRole' | 'taskRole'> {
  try {
    const document = JSON.parse(readFileSync(taskDefinitionFile, 'utf8')) as { executionRoleArn?: string; taskRoleArn?: string };
    const executionRole = roleNameOf(document.executionRoleArn);
    const taskRole = roleNameOf(document.taskRoleArn);
    return { ...(executionRole ? { executionRole } : {}), ...(taskRole ? { taskRole } : {}) };
  } catch {
    return {};
  }
}

/** The members of `from` that are set, so values found earlier win. */
function pick<K extends keyof WorkflowDeployInputs>(from: WorkflowDeployInputs, keys: K[]): Partial<WorkflowDeployInputs> {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}
