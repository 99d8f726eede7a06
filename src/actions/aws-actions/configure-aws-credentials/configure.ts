/**
 * dockyard's aws-actions/configure-aws-credentials, v3 to v6 (v1 and v2: ./legacy.ts): decide
 * how to get credentials (OIDC token, access-key inputs, existing environment credentials, role
 * chaining), assume the role if one is given, export the credentials and region for later steps
 * (v6: or write them to an AWS profile), and output the caller's account and ARN. The order of
 * checks, messages and retries follow v4.3.1, v5.1.1 and v6.2.3, each major where it differs:
 * - v5: force-skip-oidc; allowed-account-ids, checked wherever the credentials are validated
 *   (reproduced: with OIDC on GitHub, where nothing is validated after AssumeRole, never);
 *   action-timeout-s.
 * - v6: role session names checked before any call; every credential check is a
 *   GetCallerIdentity, retried like AssumeRole; the assumed credentials are always validated
 *   and allowed-account-ids applies to the final account; aws-profile; sts-endpoint;
 *   custom-tags (warned and unused with OIDC or a token file).
 *
 * Gaps: `http-proxy`/`no-proxy` are ignored (warned). By design: GetCallerIdentity after
 * AssumeRole uses the new credentials in every path (see CredentialsClient.fresh).
 */
import * as core from '@actions/core';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { errorMessage } from '../../../core/errors.js';
import { assumeRole, type AssumedRole } from './assume-role.js';
import { checkAllowedAccount, CredentialsClient } from './credentials-client.js';
import { exportAccountId, exportCredentials, exportIdentity, exportRegion, unsetCredentials } from './exports.js';
import { readInputs, translateEnvVariables, type CredentialInputs, type CurrentMajor } from './inputs.js';
import { writeProfileFiles } from './profile-files.js';
import { retryAndBackoff, type RetryReport } from './retry.js';

const REGION_PATTERN = /^[a-z0-9-]+$/;
const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]*$/;
/** Keys without these characters, for the special-characters-workaround input. */
const SPECIAL_CHARACTERS = /[!@#$%^&*()_+\-=[\]{};':"\\|,.<>/?]+/;

/**
 * OIDC is used when a role is given with the ID-token request variables and nothing else
 * supplies credentials. A role without the token is the classic missing `id-token: write`,
 * so that case gets a hint (the run then fails in the credential check).
 */
function useGitHubOidc(inputs: CredentialInputs, hint: boolean): boolean {
  if (inputs.forceSkipOidc) return false;
  const hasToken = Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  const othersAbsent =
    Boolean(inputs.roleToAssume) && !inputs.webIdentityTokenFile && !inputs.accessKeyId && !inputs.roleChaining;
  if (hint && othersAbsent && !hasToken) {
    core.info(
      'It looks like you might be trying to authenticate with OIDC. Did you mean to set the `id-token` permission? ' +
        'If you are not trying to authenticate with OIDC and the action is working successfully, you can ignore this message.',
    );
  }
  return othersAbsent && hasToken;
}

function hasNoSpecialCharacters(credentials: AssumedRole['Credentials']): boolean {
  if (!credentials) return false;
  return (
    !SPECIAL_CHARACTERS.test(credentials.AccessKeyId ?? '') &&
    !SPECIAL_CHARACTERS.test(credentials.SecretAccessKey ?? '')
  );
}

/** The credentials as the SDK takes them explicitly, when both halves are there. */
function asIdentity(
  credentials:
    | { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined }
    | undefined,
) {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) return undefined;
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
  };
}

/** The main step of configure-aws-credentials `major` (v3 runs as 4). */
export async function configureCredentials(major: CurrentMajor): Promise<void> {
  translateEnvVariables(major);
  const inputs = readInputs(major);
  let timer: NodeJS.Timeout | undefined;
  if (inputs.timeoutSeconds > 0) {
    core.info(`Setting a global timeout of ${inputs.timeoutSeconds} seconds for the action`);
    timer = setTimeout(() => {
      core.setFailed(`Action timed out after ${inputs.timeoutSeconds} seconds`);
      process.exit(1);
    }, inputs.timeoutSeconds * 1000);
  }
  try {
    await configure(major, inputs);
  } finally {
    clearTimeout(timer);
  }
}

async function configure(major: CurrentMajor, inputs: CredentialInputs): Promise<void> {
  if (inputs.forceSkipOidc && inputs.roleToAssume && !inputs.accessKeyId && !inputs.webIdentityTokenFile) {
    throw new Error(
      "If 'force-skip-oidc' is true and 'role-to-assume' is set, 'aws-access-key-id' or 'web-identity-token-file' must be set",
    );
  }
  const report = (label: string): RetryReport =>
    major >= 6 ? { style: 'info', label } : major === 5 ? { style: 'debug' } : { style: 'none' };
  const withRetry = <T>(fn: () => Promise<T>, label: string) =>
    retryAndBackoff(fn, !inputs.disableRetry, inputs.maxAttempts, report(label));
  const allowed = inputs.allowedAccountIds;

  if (inputs.unsetCurrentCredentials && inputs.outputEnvCredentials) unsetCredentials();
  if (!REGION_PATTERN.test(inputs.region)) throw new Error(`Region is not valid: ${inputs.region}`);
  if (major >= 6) {
    const name = inputs.roleSessionName;
    if (name.length < 2 || name.length > 64)
      throw new Error(`Role session name must be between 2 and 64 characters, got ${name.length}: '${name}'`);
    if (!ROLE_SESSION_NAME_PATTERN.test(name))
      throw new Error(
        `Role session name is not valid: '${name}'. Must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
  }
  exportRegion(inputs.region, inputs.outputEnvCredentials);

  const client = new CredentialsClient(inputs.region, inputs.proxyServer, inputs.stsEndpoint);
  if (inputs.useExistingCredentials) {
    if (await callerIsKnown(client)) {
      core.notice('Pre-existing credentials are valid. No need to generate new ones.');
      return;
    }
    core.notice('No valid credentials exist. Running as normal.');
  }

  const oidc = useGitHubOidc(inputs, true);
  let sourceAccountId: string | undefined;
  let webIdentityToken: string | undefined;
  if (oidc) {
    try {
      webIdentityToken = await withRetry(() => core.getIDToken(inputs.audience), 'getIDToken');
    } catch (error) {
      throw new Error(`getIDToken call failed: ${errorMessage(error)}`);
    }
  } else if (inputs.accessKeyId) {
    if (!inputs.secretAccessKey) {
      throw new Error("'aws-secret-access-key' must be provided if 'aws-access-key-id' is provided");
    }
    // Exported (and so masked) before AssumeRole, which reads them from the environment and
    // whose error messages must not show them.
    const keys = {
      AccessKeyId: inputs.accessKeyId,
      SecretAccessKey: inputs.secretAccessKey,
      SessionToken: inputs.sessionToken,
    };
    exportCredentials(keys, inputs.outputCredentials, inputs.outputEnvCredentials);
    if (inputs.awsProfile) writeProfileFiles(inputs.awsProfile, keys, inputs.region, inputs.overwriteAwsProfile);
  } else if (!inputs.webIdentityTokenFile && !inputs.roleChaining) {
    // Nothing given: proceed only if the environment already holds credentials.
    if (major >= 6) {
      const identity = await withRetry(
        () => client.identify(undefined, undefined, inputs.roleChaining),
        'validateCredentials',
      );
      // The source account is not the final one when a role is assumed: that one is checked after.
      if (!inputs.roleToAssume) checkAllowedAccount(allowed, identity.Account);
      sourceAccountId = exportIdentity(identity, inputs.maskAccountId);
    } else {
      await client.validateCredentials(major, undefined, inputs.roleChaining, allowed);
      sourceAccountId = await exportAccountId(client.fresh(), inputs.maskAccountId);
    }
  }

  if (inputs.accessKeyId || inputs.roleChaining) {
    // Also catches secrets that resolved to empty strings.
    if (major >= 6) {
      const explicit =
        inputs.outputEnvCredentials || !inputs.accessKeyId
          ? undefined
          : asIdentity({
              AccessKeyId: inputs.accessKeyId,
              SecretAccessKey: inputs.secretAccessKey,
              SessionToken: inputs.sessionToken,
            });
      const identity = await withRetry(
        () => client.identify(explicit, inputs.accessKeyId, inputs.roleChaining),
        'validateCredentials',
      );
      if (!inputs.roleToAssume) checkAllowedAccount(allowed, identity.Account);
      sourceAccountId = identity.Account;
      if (inputs.outputEnvCredentials) exportIdentity(identity, inputs.maskAccountId);
    } else {
      await client.validateCredentials(major, inputs.accessKeyId, inputs.roleChaining, allowed);
      sourceAccountId = await exportAccountId(client.fresh(), inputs.maskAccountId);
    }
  }
  if (major >= 6 && inputs.customTags && (oidc || inputs.webIdentityTokenFile)) {
    core.warning(
      "'custom-tags' is set but will be ignored because session tags cannot be applied when using OIDC or web identity token authentication. " +
        'Tags are controlled by the identity provider token claims in these authentication flows.',
    );
  }

  if (!inputs.roleToAssume) {
    core.info('Proceeding with IAM user credentials');
    if (inputs.awsProfile && inputs.outputEnvCredentials) core.exportVariable('AWS_PROFILE', inputs.awsProfile);
    return;
  }

  let role: AssumedRole;
  do {
    role = await withRetry(
      () =>
        assumeRole({
          major,
          sts: client.sts,
          sourceAccountId,
          roleToAssume: inputs.roleToAssume,
          roleExternalId: inputs.roleExternalId,
          roleDurationSeconds: inputs.roleDurationSeconds,
          roleSessionName: inputs.roleSessionName,
          roleSkipSessionTagging: inputs.roleSkipSessionTagging,
          webIdentityTokenFile: inputs.webIdentityTokenFile,
          webIdentityToken,
          inlineSessionPolicy: inputs.inlineSessionPolicy,
          managedSessionPolicies: inputs.managedSessionPolicies,
          transitiveTagKeys: inputs.transitiveTagKeys,
          customTags: inputs.customTags,
        }),
      'AssumeRole',
    );
  } while (inputs.specialCharactersWorkaround && !hasNoSpecialCharacters(role.Credentials));
  core.info(`Authenticated as assumedRoleId ${role.AssumedRoleUser?.AssumedRoleId}`);
  exportCredentials(role.Credentials, inputs.outputCredentials, inputs.outputEnvCredentials);
  if (major >= 6) {
    const identity = await withRetry(() => client.identify(asIdentity(role.Credentials)), 'validateCredentials');
    checkAllowedAccount(allowed, identity.Account);
    if (inputs.outputEnvCredentials) exportIdentity(identity, inputs.maskAccountId);
    if (inputs.awsProfile) {
      if (!role.Credentials) throw new Error('AssumeRole call succeeded but returned no credentials');
      // With input keys (or off GitHub) the profile the keys were written to is replaced by the session.
      writeProfileFiles(
        inputs.awsProfile,
        role.Credentials,
        inputs.region,
        Boolean(inputs.accessKeyId) || !process.env.GITHUB_ACTIONS || inputs.overwriteAwsProfile,
      );
      if (inputs.outputEnvCredentials) core.exportVariable('AWS_PROFILE', inputs.awsProfile);
    }
    return;
  }
  // Validated only off GitHub-hosted runners (GITHUB_ACTIONS unset) or with input keys, as v4 and v5.
  if (!process.env.GITHUB_ACTIONS || inputs.accessKeyId) {
    await client.validateCredentials(major, role.Credentials?.AccessKeyId, major >= 5 && inputs.roleChaining, allowed);
  }
  if (inputs.outputEnvCredentials) await exportAccountId(client.fresh(), inputs.maskAccountId);
}

async function callerIsKnown(client: CredentialsClient): Promise<boolean> {
  try {
    return Boolean((await client.fresh().send(new GetCallerIdentityCommand({}))).Account);
  } catch {
    return false;
  }
}
