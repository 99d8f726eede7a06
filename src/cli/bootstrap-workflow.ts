/**
 * What `dockyard bootstrap --workflow FILE` (and `migrate-to-oidc`) read from a deploy workflow,
 * so the identity fits the workflow that will use it: the role name and region of
 * configure-aws-credentials, the secrets a static-key workflow reads its keys from, the branches
 * its push trigger runs on (or the jobs' environments), the ECR repository of the rendered image
 * (or, failing that, of the `docker push` in a `run:` step), the cluster and service of the deploy
 * step, and the execution and task roles of the task definition file it renders.
 *
 * Only values known before a run count: literals, and `env` values (workflow, job, step) that are
 * themselves literal, as GitHub's starter workflow writes them (`service: ${{ env.ECS_SERVICE }}`).
 * What needs run time (`${{ steps.ecr.outputs.registry }}` evaluates to nothing here) is left for
 * the flags.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repositoryOf } from '../deploy/task-definition.js';
import { evaluateString, mappingEntries, mappingValue, sourceText, type TemplateToken } from '../workflow/index.js';
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
  /** The secrets configure-aws-credentials reads static keys from (`${{ secrets.NAME }}`), if it does. */
  keySecrets?: { accessKeyId?: string; secretAccessKey?: string };
}

const GLOB = /[*?+[\]!]/;
const CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials';
const SECRET_REFERENCE = /^\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

export async function deployInputsFromWorkflow(file: string, repository: string): Promise<WorkflowDeployInputs> {
  const workflow = await readWorkflowFile(file);
  const found: WorkflowDeployInputs = {
    branches: (workflow.on.push?.branches ?? []).filter((b) => !GLOB.test(b)),
    environments: [],
  };
  const workflowEnv = knownValues(workflow.env, {}, repository);
  for (const job of workflow.jobs) {
    const environment = environmentOf(job, repository);
    if (environment && !found.environments.includes(environment)) found.environments.push(environment);
    const jobEnv = { ...workflowEnv, ...knownValues(job.env, workflowEnv, repository) };
    for (const step of job.steps) {
      const env = { ...jobEnv, ...knownValues(step.env, jobEnv, repository) };
      const action = step.uses?.split('@')[0];
      if (!action) {
        found.ecrRepository ??= pushedRepository(step.run, env, repository);
        continue;
      }
      const inputs = knownValues(step.with, env, repository);
      if (action === CREDENTIALS_ACTION) {
        found.roleName ??= roleNameOf(inputs['role-to-assume']);
        found.region ??= inputs['aws-region'] || undefined;
        const accessKeyId = secretNameOf(mappingValue(step.with, 'aws-access-key-id'));
        const secretAccessKey = secretNameOf(mappingValue(step.with, 'aws-secret-access-key'));
        if (accessKeyId || secretAccessKey)
          found.keySecrets ??= {
            ...(accessKeyId ? { accessKeyId } : {}),
            ...(secretAccessKey ? { secretAccessKey } : {}),
          };
      } else if (action === 'aws-actions/amazon-ecs-render-task-definition') {
        const image = repositoryIn(inputs.image);
        if (image) found.ecrRepository ??= image;
        if (inputs['task-definition'])
          Object.assign(found, {
            ...rolesOf(join(repositoryRoot(file), inputs['task-definition'])),
            ...pick(found, ['executionRole', 'taskRole']),
          });
      } else if (action === 'aws-actions/amazon-ecs-deploy-task-definition') {
        found.service ??= inputs.service || undefined;
        found.cluster ??= inputs.cluster || (inputs.service ? 'default' : undefined);
      }
    }
  }
  return found;
}

/** A mapping's values that evaluate before a run (each on its own: one that needs run time does not spoil the rest). */
function knownValues(
  token: TemplateToken | undefined,
  env: Record<string, string>,
  repository: string,
): Record<string, string> {
  const scope = scopeFor(repository);
  scope.contexts.env = env;
  const values: Record<string, string> = {};
  for (const [key, value] of mappingEntries(token)) {
    try {
      values[key] = evaluateString(value, scope);
    } catch {
      // Needs run time (or is not a string): left to the flags.
    }
  }
  return values;
}

/** The repository of an image reference whose run-time parts evaluated to nothing: `/my-app:` → my-app. */
function repositoryIn(image: string | undefined): string | undefined {
  const text = image?.replace(/^\/+/, '');
  if (!text || text.startsWith(':')) return undefined;
  return repositoryOf(text).replace(/^\/+/, '') || undefined;
}

/**
 * The repository a `run:` step pushes to, as GitHub's starter workflow writes it:
 * `docker push $ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG`, shell variables taken from the step's
 * known env (the registry, a step output, is unknown and drops out).
 */
function pushedRepository(
  run: TemplateToken | undefined,
  env: Record<string, string>,
  repository: string,
): string | undefined {
  if (!run) return undefined;
  let script: string;
  try {
    const scope = scopeFor(repository);
    scope.contexts.env = env;
    script = evaluateString(run, scope);
  } catch {
    return undefined;
  }
  const pushed = /\bdocker\s+(?:image\s+)?push\s+(?:--?[\w-]+(?:=\S+)?\s+)*["']?([^\s"';|&]+)/.exec(script)?.[1];
  if (!pushed) return undefined;
  const expanded = pushed.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_all, name: string) => env[name] ?? '');
  return repositoryIn(expanded);
}

/** `${{ secrets.AWS_ACCESS_KEY_ID }}` → AWS_ACCESS_KEY_ID. */
function secretNameOf(token: TemplateToken | undefined): string | undefined {
  return token ? SECRET_REFERENCE.exec(sourceText(token).trim())?.[1] : undefined;
}

/** `arn:aws:iam::123:role/path/Name` → `Name`. */
function roleNameOf(arn: string | undefined): string | undefined {
  const match = /^arn:[\w-]+:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn ?? '');
  return match?.[1];
}

/** `.github/workflows/x.yml` lives two folders below the repository's root. */
export function repositoryRoot(file: string): string {
  return dirname(dirname(dirname(file)));
}

function rolesOf(taskDefinitionFile: string): Pick<WorkflowDeployInputs, 'executionRole' | 'taskRole'> {
  try {
    const document = JSON.parse(readFileSync(taskDefinitionFile, 'utf8')) as {
      executionRoleArn?: string;
      taskRoleArn?: string;
    };
    const executionRole = roleNameOf(document.executionRoleArn);
    const taskRole = roleNameOf(document.taskRoleArn);
    return { ...(executionRole ? { executionRole } : {}), ...(taskRole ? { taskRole } : {}) };
  } catch {
    return {};
  }
}

/** The members of `from` that are set, so values found earlier win. */
function pick<K extends keyof WorkflowDeployInputs>(
  from: WorkflowDeployInputs,
  keys: K[],
): Partial<WorkflowDeployInputs> {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}
