/**
 * `dockyard bootstrap --static-keys`: the old shape, for a workflow that signs with
 * aws-access-key-id/aws-secret-access-key from repository secrets. An IAM user with exactly the
 * deploy role's permissions policy, and an access key whose secret is never printed unless asked:
 * --set-secrets writes it straight into the repository's Actions secrets on this machine's git
 * hosting, --show-secret prints it once with the commands that store it. Without either no key
 * is made, since a secret shown nowhere is lost (AWS never returns it again).
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { DeleteAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { resolveDataDir } from '../cloud/config.js';
import { bootstrapDeployUser, type DeployUserResult } from '../bootstrap/apply.js';
import { defaultRoleName } from '../bootstrap/policies.js';
import { NEEDS_ADMIN, printHeading, printStep, readInput, resolveTarget } from './bootstrap-input.js';
import { describeAwsError } from './aws-target.js';
import { CliError, UsageError, stringFlag, type Flags } from './command.js';
import { ControlClient } from './control-client.js';

const USER_NAME = /^[\w+=,.@-]{1,64}$/;

export async function bootstrapStaticKeys(flags: Flags, usage: string): Promise<number> {
  for (const name of ['role-name', 'branch', 'environment']) {
    if (flags[name] !== undefined)
      throw new UsageError(
        `--${name} is for the keyless role; an access key works from any branch, which is why keyless is safer\n\n${usage}`,
      );
  }
  if (flags['set-secrets'] && flags['show-secret'])
    throw new UsageError('--set-secrets and --show-secret exclude each other: the secret goes to one place');
  const input = await readInput(flags, usage);
  const userName = stringFlag(flags, 'user-name') ?? defaultRoleName(input.target.repository);
  if (!USER_NAME.test(userName))
    throw new UsageError(`${userName} is not a valid user name (up to 64 of A-Z a-z 0-9 +=,.@_-)`);
  const resolved = await resolveTarget(flags, input);
  const { config, where, target } = resolved;
  const setSecrets = flags['set-secrets'] === true;
  if (setSecrets && !resolved.local) {
    throw new UsageError(
      `--set-secrets stores the key in this machine's git hosting; ${target.repository}'s workflows on GitHub read GitHub's secrets: use --show-secret and gh secret set`,
    );
  }
  const json = flags.json === true;
  const dryRun = flags['dry-run'] === true;
  const secretNames = {
    accessKeyId: input.fromWorkflow?.keySecrets?.accessKeyId ?? 'AWS_ACCESS_KEY_ID',
    secretAccessKey: input.fromWorkflow?.keySecrets?.secretAccessKey ?? 'AWS_SECRET_ACCESS_KEY',
  };
  // Before anything is made: the running cloud takes the secrets (as `dockyard secret set` does, even
  // for a repository not created yet); without it the key would have nowhere to go.
  const control = setSecrets ? ControlClient.forDataDir(resolveDataDir(stringFlag(flags, 'data'))) : undefined;
  if (control) await control.get(`/repos/${target.repository}/secrets`);
  if (!json) printHeading(target, where, resolved.identityArn, dryRun, input.fromWorkflow);

  const iam = new IAMClient(config);
  let result: DeployUserResult;
  try {
    result = await bootstrapDeployUser({ iam, ecr: new ECRClient(config) }, target, {
      userName,
      dryRun,
      createKey: setSecrets || flags['show-secret'] === true,
      done: json ? undefined : printStep,
    });
  } catch (error) {
    throw new CliError(
      error instanceof Error && !('$metadata' in error) ? error.message : `${describeAwsError(error)}\n${NEEDS_ADMIN}`,
    );
  }
  const key = result.accessKey;
  if (key && control) {
    try {
      await control.put(`/repos/${target.repository}/secrets/${secretNames.accessKeyId}`, { value: key.accessKeyId });
      await control.put(`/repos/${target.repository}/secrets/${secretNames.secretAccessKey}`, {
        value: key.secretAccessKey,
      });
    } catch (error) {
      // The secret is in no one's hands: the key goes rather than lingering unusable.
      await iam
        .send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key.accessKeyId }))
        .catch(() => undefined);
      throw error;
    }
  }

  if (json) {
    const { accessKey, ...rest } = result;
    const shown = accessKey && (flags['show-secret'] ? accessKey : { accessKeyId: accessKey.accessKeyId });
    process.stdout.write(
      `${JSON.stringify({ accountId: target.accountId, region: target.region, dryRun, ...rest, ...(shown ? { accessKey: shown } : {}), secretNames }, null, 2)}\n`,
    );
    return 0;
  }
  const out: string[] = result.warnings.map((warning) => `  ! ${warning}`);
  if (dryRun) {
    out.push('', 'Permissions policy (dockyard-deploy):', JSON.stringify(result.permissionsPolicy, null, 2));
  } else if (key && control) {
    out.push(
      `  ✓ stored ${key.accessKeyId} in ${target.repository}'s secrets ${secretNames.accessKeyId} and ${secretNames.secretAccessKey}`,
    );
  } else if (key) {
    out.push(
      '',
      'The access key, shown this once (AWS never shows the secret again):',
      `  ${secretNames.accessKeyId}=${key.accessKeyId}`,
      `  ${secretNames.secretAccessKey}=${key.secretAccessKey}`,
      `Store both as ${target.repository}'s secrets (here: dockyard secret set NAME --repo ${target.repository}, which reads the value from stdin; on GitHub: gh secret set NAME --repo ${target.repository}).`,
    );
  } else {
    out.push(
      '',
      'No access key was made: say where its secret goes. Run again with --set-secrets (stored in the',
      `repository's secrets here) or --show-secret (printed once), or make one and store it yourself:`,
      `  aws iam create-access-key --user-name ${userName}`,
      `  dockyard secret set ${secretNames.accessKeyId} --repo ${target.repository}`,
      `  dockyard secret set ${secretNames.secretAccessKey} --repo ${target.repository}`,
    );
  }
  if (!dryRun) {
    out.push(
      '',
      'In the workflow:',
      '  - uses: aws-actions/configure-aws-credentials@v4',
      '    with:',
      `      aws-access-key-id: \${{ secrets.${secretNames.accessKeyId} }}`,
      `      aws-secret-access-key: \${{ secrets.${secretNames.secretAccessKey} }}`,
      `      aws-region: ${target.region}`,
      '',
      `Any run that can read these secrets deploys with this key, from any branch, until it is deleted.`,
      `Keyless is safer: dockyard migrate-to-oidc --workflow .github/workflows/<file> --repo ${target.repository}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
