/**
 * configure-aws-credentials v1 (v1.7.0) and v2 (v2.2.0), the JavaScript majors on the AWS SDK
 * v2, whose behaviour differs from v3 on in what a workflow notices:
 * - defaults: the account ID is masked unless mask-aws-account-id is given and not `true`;
 *   role-duration-seconds is 6 hours (1 hour with OIDC; v2: also with aws-session-token or
 *   role-chaining);
 * - AssumeRole is always retried, 12 attempts with backoff (no disable-retry or
 *   retry-max-attempts), and its errors are STS's own message, with no "Could not assume role"
 *   prefix; getIDToken is not retried;
 * - without OIDC the credentials are always validated and the account exported first, even with
 *   a web identity token file; the outputs are aws-account-id only; no inputs from environment
 *   variables; v1 has no http-proxy, role-chaining or session policies (v2 added them);
 * - session tags: Workflow sanitised with v1's pattern (whose `.-@` is a character range),
 *   Actor only losing square brackets, Branch as GITHUB_REF is.
 *
 * Gaps: `http-proxy` is announced as the real one announces it, then ignored (warned); an error
 * the AWS SDK v2 words differently (other than "no credentials") keeps the SDK v3 wording.
 */
import * as core from '@actions/core';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  STSClient,
  type AssumeRoleCommandInput,
  type Tag,
} from '@aws-sdk/client-sts';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { errorMessage } from '../../../core/errors.js';
import { callerIdentity } from './credentials-client.js';
import { exportCredentials, exportRegion } from './exports.js';
import { retryAndBackoff } from './retry.js';

export type LegacyMajor = 1 | 2;

const MAX_ACTION_RUNTIME = 6 * 3600;
const SHORT_ROLE_DURATION = 3600;
const DEFAULT_ROLE_SESSION_NAME = 'GitHubActions';
const REGION_PATTERN = /^[a-z0-9-]+$/;
const USER_AGENT = 'configure-aws-credentials-for-github-actions';
/** The AWS SDK v2's words for an empty credential chain (the v3 SDK says "Could not load credentials from any providers"). */
const SDK_V2_NO_CREDENTIALS = 'Missing credentials in config, if using AWS_CONFIG_FILE, set AWS_SDK_LOAD_CONFIG=1';

const flag = (name: string) => (core.getInput(name) || 'false').toLowerCase() === 'true';

function stsClient(region: string): STSClient {
  return new STSClient({ region, customUserAgent: USER_AGENT });
}

/** The main step of v1 or v2. */
export async function configureLegacyCredentials(major: LegacyMajor): Promise<void> {
  const accessKeyId = core.getInput('aws-access-key-id');
  const audience = core.getInput('audience');
  const secretAccessKey = core.getInput('aws-secret-access-key');
  const region = core.getInput('aws-region', { required: true });
  const sessionToken = core.getInput('aws-session-token');
  const maskAccountId = core.getInput('mask-aws-account-id');
  const roleToAssume = core.getInput('role-to-assume');
  const roleExternalId = core.getInput('role-external-id');
  const roleChaining = major >= 2 && flag('role-chaining');
  const durationInput = Number.parseInt(core.getInput('role-duration-seconds'), 10) || undefined;
  let roleDurationSeconds =
    durationInput ?? (major >= 2 && (sessionToken || roleChaining) ? SHORT_ROLE_DURATION : MAX_ACTION_RUNTIME);
  const roleSessionName = core.getInput('role-session-name') || DEFAULT_ROLE_SESSION_NAME;
  const roleSkipSessionTagging = flag('role-skip-session-tagging');
  const webIdentityTokenFile = core.getInput('web-identity-token-file');
  const proxyServer = major >= 2 ? core.getInput('http-proxy') : '';
  const inlineSessionPolicy = major >= 2 ? core.getInput('inline-session-policy') : '';
  const managedSessionPolicies = major >= 2 ? core.getMultilineInput('managed-session-policies') : [];

  if (!REGION_PATTERN.test(region)) throw new Error(`Region is not valid: ${region}`);
  exportRegion(region, true);
  const oidc = Boolean(
    roleToAssume &&
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN &&
    !accessKeyId &&
    !webIdentityTokenFile &&
    !roleChaining,
  );

  if (accessKeyId) {
    if (!secretAccessKey)
      throw new Error("'aws-secret-access-key' must be provided if 'aws-access-key-id' is provided");
    exportCredentials(
      { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken || undefined },
      false,
      true,
    );
  }
  if (major >= 2) announceProxy(proxyServer);

  let sourceAccountId: string | undefined;
  let webIdentityToken: string | undefined;
  if (oidc) {
    webIdentityToken = await core.getIDToken(audience);
    roleDurationSeconds = durationInput ?? SHORT_ROLE_DURATION;
  } else {
    await validateCredentials(accessKeyId, roleChaining);
    sourceAccountId = await exportAccountId(maskAccountId, region);
  }

  if (!roleToAssume) return;
  const request = {
    sourceAccountId,
    region,
    roleToAssume,
    roleExternalId,
    roleDurationSeconds,
    roleSessionName,
    roleSkipSessionTagging,
    webIdentityTokenFile,
    webIdentityToken,
    inlineSessionPolicy,
    managedSessionPolicies,
  };
  const credentials = await retryAndBackoff(() => assumeRole(request), true, 12);
  exportCredentials(credentials, false, true);
  // As v3 on: validated off GitHub-hosted runners (GITHUB_ACTIONS unset) or with input keys.
  if (!process.env.GITHUB_ACTIONS || accessKeyId) await validateCredentials(credentials.AccessKeyId, false);
  await exportAccountId(maskAccountId, region);
}

/** v2 says which proxy it configures; dockyard then says it does not use it. */
function announceProxy(proxyServer: string): void {
  const fromEnvironment = process.env.HTTP_PROXY || process.env.http_proxy;
  if (!proxyServer && !fromEnvironment) return;
  if (proxyServer) console.log(`Setting proxy from actions input: ${proxyServer}`);
  else console.log(`Setting proxy from environment: ${fromEnvironment}`);
  core.warning(`dockyard's configure-aws-credentials does not use proxies; ignoring ${proxyServer || fromEnvironment}`);
}

async function validateCredentials(expectedAccessKeyId: string | undefined, roleChaining: boolean): Promise<void> {
  let accessKeyId: string;
  try {
    const credentials = await new STSClient({}).config.credentials();
    if (!credentials.accessKeyId) throw new Error('Access key ID empty after loading credentials');
    accessKeyId = credentials.accessKeyId;
  } catch (error) {
    const message = errorMessage(error);
    throw new Error(
      `Credentials could not be loaded, please check your action inputs: ${message.startsWith('Could not load credentials from any providers') ? SDK_V2_NO_CREDENTIALS : message}`,
    );
  }
  if (!roleChaining && expectedAccessKeyId && expectedAccessKeyId !== accessKeyId) {
    throw new Error(
      'Unexpected failure: Credentials loaded by the SDK do not match the access key ID configured by the action',
    );
  }
}

/** Outputs aws-account-id, masked unless mask-aws-account-id is given and is not `true`. */
async function exportAccountId(maskAccountId: string, region: string): Promise<string> {
  const { Account } = await callerIdentity(stsClient(region));
  if (!maskAccountId || maskAccountId.toLowerCase() === 'true') core.setSecret(Account);
  core.setOutput('aws-account-id', Account);
  return Account;
}

interface LegacyAssumeRole {
  sourceAccountId: string | undefined;
  region: string;
  roleToAssume: string;
  roleExternalId: string;
  roleDurationSeconds: number;
  roleSessionName: string;
  roleSkipSessionTagging: boolean;
  webIdentityTokenFile: string;
  webIdentityToken: string | undefined;
  inlineSessionPolicy: string;
  managedSessionPolicies: string[];
}

async function assumeRole(params: LegacyAssumeRole) {
  const { GITHUB_REPOSITORY, GITHUB_WORKFLOW, GITHUB_ACTION, GITHUB_ACTOR, GITHUB_SHA, GITHUB_REF, GITHUB_WORKSPACE } =
    process.env;
  if (!GITHUB_REPOSITORY || !GITHUB_WORKFLOW || !GITHUB_ACTION || !GITHUB_ACTOR || !GITHUB_SHA) {
    throw new Error('Missing required environment value. Are you running in GitHub Actions?');
  }
  let roleArn = params.roleToAssume;
  if (!roleArn.startsWith('arn:aws')) {
    if (!params.sourceAccountId)
      throw new Error('Source Account ID is needed if the Role Name is provided and not the Role Arn.');
    roleArn = `arn:aws:iam::${params.sourceAccountId}:role/${roleArn}`;
  }
  const tags: Tag[] = [
    { Key: 'GitHub', Value: 'Actions' },
    { Key: 'Repository', Value: GITHUB_REPOSITORY },
    // Reproduced: v1's pattern, in which `.-@` is the range from `.` to `@`.
    { Key: 'Workflow', Value: GITHUB_WORKFLOW.replace(/[^\p{L}\p{Z}\p{N}_:/=+.-@-]/gu, '_').slice(0, 256) },
    { Key: 'Action', Value: GITHUB_ACTION },
    { Key: 'Actor', Value: GITHUB_ACTOR.replace(/\[|\]/g, '_') },
    { Key: 'Commit', Value: GITHUB_SHA },
    ...(GITHUB_REF ? [{ Key: 'Branch', Value: GITHUB_REF }] : []),
  ];
  if (params.roleSkipSessionTagging) core.debug('Role session tagging has been skipped.');
  else core.debug(`${tags.length} role session tags are being used.`);
  const request: AssumeRoleCommandInput = {
    RoleArn: roleArn,
    RoleSessionName: params.roleSessionName,
    DurationSeconds: params.roleDurationSeconds,
    ...(params.roleSkipSessionTagging ? {} : { Tags: tags }),
    ...(params.roleExternalId ? { ExternalId: params.roleExternalId } : {}),
    ...(params.inlineSessionPolicy ? { Policy: params.inlineSessionPolicy } : {}),
    ...(params.managedSessionPolicies.length
      ? { PolicyArns: params.managedSessionPolicies.map((arn) => ({ arn })) }
      : {}),
  };
  const sts = stsClient(params.region);
  const { Tags: _tags, ...withoutTags } = request;
  let token = params.webIdentityToken;
  if (token === undefined && params.webIdentityTokenFile) {
    core.debug(
      'webIdentityTokenFile provided. Will call sts:AssumeRoleWithWebIdentity and take session tags from token contents.',
    );
    const path = isAbsolute(params.webIdentityTokenFile)
      ? params.webIdentityTokenFile
      : join(GITHUB_WORKSPACE ?? '', params.webIdentityTokenFile);
    if (!existsSync(path)) throw new Error(`Web identity token file does not exist: ${path}`);
    try {
      token = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`Web identity token file could not be read: ${errorMessage(error)}`);
    }
  }
  const result =
    token === undefined
      ? await sts.send(new AssumeRoleCommand(request))
      : await sts.send(new AssumeRoleWithWebIdentityCommand({ ...withoutTags, WebIdentityToken: token }));
  return {
    AccessKeyId: result.Credentials?.AccessKeyId,
    SecretAccessKey: result.Credentials?.SecretAccessKey,
    SessionToken: result.Credentials?.SessionToken,
  };
}
