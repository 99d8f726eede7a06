/**
 * `dockyard bootstrap`: the least-privilege identity a repository's workflow deploys with, on
 * the local cloud or (with --aws) on AWS: GitHub as an OIDC provider, the task execution role, the
 * ECR repository and a deploy role that trusts only that repository's branches or environments
 * and may only push that image and update that service. With --static-keys, for workflows that
 * still sign with access keys, an IAM user with that same policy instead (bootstrap-static-keys.ts).
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { bootstrapDeployRole, type BootstrapResult } from '../bootstrap/apply.js';
import { admittedSubjects } from '../bootstrap/policies.js';
import {
  DEPLOY_TARGET_FLAGS,
  NEEDS_ADMIN,
  printHeading,
  printStep,
  readInput,
  resolveTarget,
} from './bootstrap-input.js';
import { bootstrapStaticKeys } from './bootstrap-static-keys.js';
import { AWS_TARGET_USAGE, describeAwsError } from './aws-target.js';
import { CliError, UsageError, parseFlags, type Command } from './command.js';

const USAGE = `Usage: dockyard bootstrap --repo OWNER/NAME --cluster C --service S --ecr-repository R
       dockyard bootstrap --repo OWNER/NAME --workflow .github/workflows/deploy.yml
                          [--branch B]... [--environment E]... [--role-name NAME]
                          [--execution-role NAME] [--task-role NAME]
                          [--aws [--region R] | --endpoint-url URL] [--dry-run] [--json] [--data DIR]
       dockyard bootstrap --static-keys --repo OWNER/NAME ... [--user-name NAME]
                          [--set-secrets | --show-secret]

Creates (or brings up to date) what a GitHub Actions workflow needs to deploy without keys,
granting nothing more:
  - GitHub as an OpenID Connect provider (audience sts.amazonaws.com)
  - the ECR repository and the task execution role, when missing
  - a deploy role that only jobs of OWNER/NAME on the given branches (or environments) can assume,
    with an inline policy "dockyard-deploy" allowing exactly: log in to ECR, push to that
    repository, register task definitions, update and describe that one service, and pass the
    execution (and task) role to ECS tasks
Run it again after changing a flag: it updates what differs and leaves the rest alone.

With --static-keys, for a workflow that signs with aws-access-key-id/aws-secret-access-key: an IAM
user (default github-deploy-OWNER-NAME) with the same "dockyard-deploy" policy instead of the role,
and an access key for it, whose secret goes where you say (it is never printed otherwise):
  --set-secrets            store the key in OWNER/NAME's Actions secrets on this machine's git
                           hosting (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, or the names the
                           --workflow reads them from)
  --show-secret            print the key once, with the commands that store it
Without either, the user and its policy are made and no key is.

  --repo OWNER/NAME        the repository whose workflow deploys
  --workflow FILE          read the rest from the deploy workflow (flags still win): its role name
                           and region, push branches or environments, the rendered image's ECR
                           repository, the deploy step's cluster and service, the task definition
                           file's execution and task roles
  --cluster C, --service S the ECS service the workflow updates
  --ecr-repository R       the ECR repository the workflow pushes to
  --branch B               a branch whose pushes may deploy (repeatable; default main)
  --environment E          a deployment environment whose jobs may deploy (repeatable)
  --role-name NAME         the deploy role (default github-deploy-OWNER-NAME)
  --execution-role NAME    the task execution role (default ecsTaskExecutionRole)
  --task-role NAME         the task definition's task role, if it has one
${AWS_TARGET_USAGE}
  --dry-run                only read; print what would change and the two policies
  --json                   print the result as JSON`;

const FLAGS = {
  ...DEPLOY_TARGET_FLAGS,
  json: { type: 'boolean' },
  'static-keys': { type: 'boolean' },
  'user-name': { type: 'string' },
  'set-secrets': { type: 'boolean' },
  'show-secret': { type: 'boolean' },
} as const;

export const bootstrapCommand: Command = {
  name: ['bootstrap'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS, USAGE);
    if (!flags) return 0;
    if (flags['static-keys']) return bootstrapStaticKeys(flags, USAGE);
    for (const name of ['user-name', 'set-secrets', 'show-secret']) {
      if (flags[name] !== undefined) throw new UsageError(`--${name} goes with --static-keys\n\n${USAGE}`);
    }
    const input = await readInput(flags, USAGE);
    const { config, where, target, identityArn } = await resolveTarget(flags, input);
    const json = flags.json === true;
    const dryRun = flags['dry-run'] === true;
    if (!json) printHeading(target, where, identityArn, dryRun, input.fromWorkflow);
    let result: BootstrapResult;
    try {
      result = await bootstrapDeployRole({ iam: new IAMClient(config), ecr: new ECRClient(config) }, target, {
        roleName: input.roleName,
        dryRun,
        done: json ? undefined : printStep,
      });
    } catch (error) {
      throw new CliError(`${describeAwsError(error)}\n${NEEDS_ADMIN}`);
    }

    if (json) {
      process.stdout.write(
        `${JSON.stringify({ accountId: target.accountId, region: target.region, subjects: admittedSubjects(target), dryRun, ...result }, null, 2)}\n`,
      );
      return 0;
    }
    const out = [`  admits: ${admittedSubjects(target).join(', ')} (audience sts.amazonaws.com)`];
    for (const warning of result.warnings) out.push(`  ! ${warning}`);
    if (dryRun) {
      out.push(
        '',
        'Trust policy:',
        JSON.stringify(result.trustPolicy, null, 2),
        '',
        'Permissions policy (dockyard-deploy):',
        JSON.stringify(result.permissionsPolicy, null, 2),
      );
    } else {
      out.push(
        '',
        'In the workflow (the job needs `permissions: id-token: write`):',
        '  - uses: aws-actions/configure-aws-credentials@v4',
        '    with:',
        `      role-to-assume: ${result.roleArn}`,
        `      aws-region: ${target.region}`,
        '',
        `Check a workflow against it before you push: dockyard trust check --workflow .github/workflows/<file> --repo ${target.repository}`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
