/**
 * `dockyard migrate-to-oidc --workflow FILE`: the seed's point, done for a user's own workflow.
 * It reads a deploy workflow that signs with static access keys, creates (or brings up to date)
 * the keyless deploy role its calls need, least privilege, exactly as `dockyard bootstrap` does,
 * and prints the workflow using that role instead of the keys: a unified diff by default, the
 * whole file with --output, or FILE rewritten in place with --write. Everything but the edited
 * lines stays byte for byte (src/bootstrap/oidc-migration.ts).
 *
 * The file is read within GitHub's limits in the parse worker, twice: as a workflow (what it
 * deploys, and whether it is one) and as a text outline (where to edit).
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { bootstrapDeployRole, type BootstrapResult } from '../bootstrap/apply.js';
import { MigrationError, migrateWorkflowText, type OidcMigration } from '../bootstrap/oidc-migration.js';
import { admittedSubjects, roleArn } from '../bootstrap/policies.js';
import { outlineYamlBounded, type OutlineNode } from '../workflow/index.js';
import { AWS_TARGET_USAGE, describeAwsError } from './aws-target.js';
import {
  DEPLOY_TARGET_FLAGS,
  NEEDS_ADMIN,
  printHeading,
  printStep,
  readInput,
  resolveTarget,
} from './bootstrap-input.js';
import { repositoryRoot } from './bootstrap-workflow.js';
import { CliError, UsageError, parseFlags, stringFlag, type Command } from './command.js';
import { unifiedDiff } from './unified-diff.js';
import { errorMessage } from '../core/errors.js';

const USAGE = `Usage: dockyard migrate-to-oidc --workflow FILE [--repo OWNER/NAME] [--write | --output FILE]
                               [--role-name NAME] [--branch B]... [--environment E]...
                               [--cluster C] [--service S] [--ecr-repository R]
                               [--execution-role NAME] [--task-role NAME]
                               [--aws [--region R] | --endpoint-url URL] [--dry-run] [--data DIR]

Moves a deploy workflow from static access keys (configure-aws-credentials with
aws-access-key-id/aws-secret-access-key) to OIDC:
  1. creates, or brings up to date, the deploy role its calls need, as dockyard bootstrap does:
     only OWNER/NAME's jobs on its push branches (or environments) can assume it, and it may only
     push that image and update that service
  2. prints the workflow with role-to-assume instead of the keys, and id-token: write where the
     job's permissions come from; every other line as it was
Then push it; once it deploys, delete the key secrets and the old user's access keys.

  --workflow FILE          the workflow (in a checkout: the role needs OWNER/NAME and the task
                           definition file it renders)
  --repo OWNER/NAME        the repository; default: from FILE's checkout's GitHub or dockyard remote
  --write                  rewrite FILE in place (default: print a unified diff)
  --output FILE            write the migrated workflow to FILE (- for standard output)
  --dry-run                create nothing; print the diff with the role's ARN to be
  the other flags as dockyard bootstrap's (they win over what the workflow says)
${AWS_TARGET_USAGE}`;

const FLAGS = {
  ...DEPLOY_TARGET_FLAGS,
  write: { type: 'boolean' },
  output: { type: 'string' },
} as const;

/** The depth of the outline the edits need: jobs → job → steps → step → with → input → value. */
const OUTLINE_DEPTH = 8;
const PLACEHOLDER_ROLE = 'arn:aws:iam::000000000000:role/placeholder';

export const migrateToOidcCommand: Command = {
  name: ['migrate-to-oidc'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS, USAGE);
    if (!flags) return 0;
    const file = stringFlag(flags, 'workflow');
    if (!file) throw new UsageError(`--workflow is required\n\n${USAGE}`);
    const output = stringFlag(flags, 'output');
    if (flags.write && output !== undefined) throw new UsageError('--write and --output exclude each other');
    const log = process.stderr;

    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const input = await readInput(flags, USAGE, stringFlag(flags, 'repo') ?? repositoryFromCheckout(file));
    const outline = await outlineYamlBounded(file, content, OUTLINE_DEPTH).catch((error: unknown) => {
      throw new CliError(`${file}: ${errorMessage(error)}`);
    });
    if ('errors' in outline) throw new CliError(`${file} is not valid YAML:\n  ${outline.errors.join('\n  ')}`);
    // Before anything is created: a workflow with nothing to migrate, or one that cannot be edited in place, stops here.
    migrate(file, content, outline.root, PLACEHOLDER_ROLE);

    const dryRun = flags['dry-run'] === true;
    const { config, where, target, identityArn } = await resolveTarget(flags, input);
    printHeading(target, where, identityArn, dryRun, input.fromWorkflow, log);
    let result: BootstrapResult;
    try {
      result = await bootstrapDeployRole({ iam: new IAMClient(config), ecr: new ECRClient(config) }, target, {
        roleName: input.roleName,
        dryRun,
        done: (step) => printStep(step, log),
      });
    } catch (error) {
      throw new CliError(`${describeAwsError(error)}\n${NEEDS_ADMIN}`);
    }
    const migrated = migrate(file, content, outline.root, dryRun ? roleArn(target, input.roleName) : result.roleArn);

    const lines = [
      `  admits: ${admittedSubjects(target).join(', ')} (audience sts.amazonaws.com)`,
      ...result.warnings.map((w) => `  ! ${w}`),
      '',
      'In the workflow:',
    ];
    lines.push(...migrated.changes.map((c) => `  ✓ ${c}`), ...migrated.notes.map((n) => `  ! ${n}`));
    if (flags.write) {
      writeFileSync(file, migrated.text);
      lines.push(`  ✓ wrote ${file}`);
    } else if (output !== undefined && output !== '-') {
      writeFileSync(output, migrated.text);
      lines.push(`  ✓ wrote ${output}`);
    } else if (output === '-') {
      process.stdout.write(migrated.text);
    } else {
      const oldLines = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
      process.stdout.write(
        unifiedDiff(
          relative(repositoryRoot(file), file),
          oldLines.map((l) => l.replace(/\r$/, '')),
          migrated.edits,
          content.endsWith('\n'),
        ),
      );
    }
    const secrets = input.fromWorkflow?.keySecrets;
    lines.push(
      '',
      `Push it; once a run deploys with the role, the keys have nothing left to do:`,
      ...[secrets?.accessKeyId, secrets?.secretAccessKey].flatMap((name) =>
        name
          ? [`  dockyard secret delete ${name} --repo ${target.repository}   (on GitHub: gh secret delete ${name})`]
          : [],
      ),
      `  aws iam list-access-keys --user-name USER, then aws iam delete-access-key --user-name USER --access-key-id AKIA…`,
    );
    log.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

function migrate(file: string, content: string, root: OutlineNode | null, role: string): OidcMigration {
  try {
    return migrateWorkflowText(content, root, role);
  } catch (error) {
    if (error instanceof MigrationError) throw new CliError(`${file} cannot be migrated: ${error.message}`);
    throw error;
  }
}

/** OWNER/NAME from the checkout's remotes: a GitHub URL (https or ssh) or a dockyard clone URL (…/git/OWNER/NAME.git). */
function repositoryFromCheckout(file: string): string | undefined {
  let remotes: string;
  try {
    remotes = execFileSync('git', ['-C', repositoryRoot(file), 'remote', '-v'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
  const urls = remotes.split('\n').map((line) => line.split(/\s+/)[1] ?? '');
  // origin first, as git lists remotes by name.
  for (const url of urls) {
    const match =
      /github\.com[:/]([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(url) ??
      /\/git\/([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(url);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
