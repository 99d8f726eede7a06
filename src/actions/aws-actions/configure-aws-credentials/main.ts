/**
 * dockyard's aws-actions/configure-aws-credentials (v4 behaviour): decide how to get credentials
 * (OIDC token, access-key inputs, existing environment credentials, role chaining), assume the
 * role if one is given, export the credentials and region for later steps, and output the
 * caller's account and ARN. The order of checks, messages and retries follow v4.3.1.
 *
 * Gaps: `http-proxy` is ignored (warned). By design: GetCallerIdentity after AssumeRole uses the
 * new credentials in every path (see CredentialsClient.fresh).
 */
import * as core from '@actions/core';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { runStep } from '../../shared/action-entry.js';
import { assumeRole, type AssumedRole } from './assume-role.js';
import { CredentialsClient } from './credentials-client.js';
import { exportAccountId, exportCredentials, exportRegion, unsetCredentials } from './exports.js';
import { readInputs, translateEnvVariables, type CredentialInputs } from './inputs.js';
import { retryAndBackoff } from './retry.js';
import { errorMessage } from '../../../core/errors.js';

const REGION_PATTERN = /^[a-z0-9-]+$/;
/** Keys without these characters, for the special-characters-workaround input. */
const SPECIAL_CHARACTERS = /[!@#$%^&*()_+\-=[\]{};':"\\|,.<>/?]+/;

/**
 * OIDC is used when a role is given with the ID-token request variables and nothing else
 * supplies credentials. A role without the token is the classic missing `id-token: write`,
 * so that case gets a hint (the run then fails in the credential check).
 */
function useGitHubOidc(inputs: CredentialInputs): boolean {
  const hasToken = Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  const othersAbsent =
    Boolean(inputs.roleToAssume) && !inputs.webIdentityTokenFile && !inputs.accessKeyId && !inputs.roleChaining;
  if (othersAbsent && !hasToken) {
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

async function configureCredentials(): Promise<void> {
  translateEnvVariables();
  const inputs = readInputs();
  const retries = !inputs.disableRetry;

  if (inputs.unsetCurrentCredentials && inputs.outputEnvCredentials) unsetCredentials();
  if (!REGION_PATTERN.test(inputs.region)) throw new Error(`Region is not valid: ${inputs.region}`);
  exportRegion(inputs.region, inputs.outputEnvCredentials);

  const client = new CredentialsClient(inputs.region, inputs.proxyServer);
  if (inputs.useExistingCredentials) {
    if (await callerIsKnown(client)) {
      core.notice('Pre-existing credentials are valid. No need to generate new ones.');
      return;
    }
    core.notice('No valid credentials exist. Running as normal.');
  }

  let sourceAccountId: string | undefined;
  let webIdentityToken: string | undefined;
  if (useGitHubOidc(inputs)) {
    try {
      webIdentityToken = await retryAndBackoff(() => core.getIDToken(inputs.audience), retries, inputs.maxAttempts);
    } catch (error) {
      throw new Error(`getIDToken call failed: ${errorMessage(error)}`);
    }
  } else if (inputs.accessKeyId) {
    if (!inputs.secretAccessKey) {
      throw new Error("'aws-secret-access-key' must be provided if 'aws-access-key-id' is provided");
    }
    // Exported (and so masked) before AssumeRole, which reads them from the environment and
    // whose error messages must not show them.
    exportCredentials(
      { AccessKeyId: inputs.accessKeyId, SecretAccessKey: inputs.secretAccessKey, SessionToken: inputs.sessionToken },
      inputs.outputCredentials,
      inputs.outputEnvCredentials,
    );
  } else if (!inputs.webIdentityTokenFile && !inputs.roleChaining) {
    // Nothing given: proceed only if the environment already holds credentials.
    await client.validateCredentials();
    sourceAccountId = await exportAccountId(client.fresh(), inputs.maskAccountId);
  }

  if (inputs.accessKeyId || inputs.roleChaining) {
    // Also catches secrets that resolved to empty strings.
    await client.validateCredentials(inputs.accessKeyId, inputs.roleChaining);
    sourceAccountId = await exportAccountId(client.fresh(), inputs.maskAccountId);
  }

  if (!inputs.roleToAssume) {
    core.info('Proceeding with IAM user credentials');
    return;
  }

  let role: AssumedRole;
  do {
    role = await retryAndBackoff(
      () =>
        assumeRole({
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
        }),
      retries,
      inputs.maxAttempts,
    );
  } while (inputs.specialCharactersWorkaround && !hasNoSpecialCharacters(role.Credentials));
  core.info(`Authenticated as assumedRoleId ${role.AssumedRoleUser?.AssumedRoleId}`);
  exportCredentials(role.Credentials, inputs.outputCredentials, inputs.outputEnvCredentials);
  // Validated only off GitHub-hosted runners (GITHUB_ACTIONS unset) or with input keys, as v4.
  if (!process.env.GITHUB_ACTIONS || inputs.accessKeyId) {
    await client.validateCredentials(role.Credentials?.AccessKeyId);
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

runStep(configureCredentials);
