/**
 * The three ways configure-aws-credentials assumes a role: with a job's OIDC token
 * (AssumeRoleWithWebIdentity, unsigned, no session tags), with a web identity token file, or
 * with the credentials in the environment (AssumeRole, with session tags describing the run
 * unless role-skip-session-tagging).
 */
import * as core from '@actions/core';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleCommandInput,
  type Credentials,
  type STSClient,
  type Tag,
} from '@aws-sdk/client-sts';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { errorMessage } from '../../../core/errors.js';

/** What either AssumeRole call returns that the action uses. */
export interface AssumedRole {
  Credentials?: Credentials;
  AssumedRoleUser?: { AssumedRoleId?: string; Arn?: string };
}

export interface AssumeRoleParams {
  sts: STSClient;
  roleToAssume: string;
  roleDurationSeconds: number;
  roleSessionName: string;
  roleSkipSessionTagging: boolean;
  sourceAccountId: string | undefined;
  roleExternalId: string;
  webIdentityTokenFile: string;
  webIdentityToken: string | undefined;
  inlineSessionPolicy: string;
  managedSessionPolicies: { arn: string }[];
}

const MAX_TAG_VALUE_LENGTH = 256;

/** Session tag values allow fewer characters than GitHub names do: the rest become `_`. */
export function sanitizeTagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, MAX_TAG_VALUE_LENGTH);
}

/** The session tags describing the run, from the GITHUB_* variables (which must all be set). */
function sessionTags(env: NodeJS.ProcessEnv): { tags: Tag[]; workspace: string } {
  const { GITHUB_REPOSITORY, GITHUB_WORKFLOW, GITHUB_ACTION, GITHUB_ACTOR, GITHUB_SHA, GITHUB_WORKSPACE } = env;
  if (!GITHUB_REPOSITORY || !GITHUB_WORKFLOW || !GITHUB_ACTION || !GITHUB_ACTOR || !GITHUB_SHA || !GITHUB_WORKSPACE) {
    throw new Error('Missing required environment variables. Are you running in GitHub Actions?');
  }
  const tags: Tag[] = [
    { Key: 'GitHub', Value: 'Actions' },
    { Key: 'Repository', Value: GITHUB_REPOSITORY },
    { Key: 'Workflow', Value: sanitizeTagValue(GITHUB_WORKFLOW) },
    { Key: 'Action', Value: GITHUB_ACTION },
    { Key: 'Actor', Value: sanitizeTagValue(GITHUB_ACTOR) },
    { Key: 'Commit', Value: GITHUB_SHA },
  ];
  if (env.GITHUB_REF) tags.push({ Key: 'Branch', Value: sanitizeTagValue(env.GITHUB_REF) });
  return { tags, workspace: GITHUB_WORKSPACE };
}

/** Assumes the role by whichever means the inputs select. */
export async function assumeRole(params: AssumeRoleParams): Promise<AssumedRole> {
  const { tags, workspace } = sessionTags(process.env);
  if (params.roleSkipSessionTagging) core.debug('Role session tagging has been skipped.');
  else core.debug(`${tags.length} role session tags are being used.`);

  // A bare role name is completed with the source account (only the `aws` partition, as the real one).
  let roleArn = params.roleToAssume;
  if (!roleArn.startsWith('arn:aws')) {
    if (params.sourceAccountId === undefined) {
      throw new Error('Source Account ID is needed if the Role Name is provided and not the Role Arn.');
    }
    roleArn = `arn:aws:iam::${params.sourceAccountId}:role/${roleArn}`;
  }

  const common: AssumeRoleCommandInput = {
    RoleArn: roleArn,
    RoleSessionName: params.roleSessionName,
    DurationSeconds: params.roleDurationSeconds,
    ...(params.roleSkipSessionTagging ? {} : { Tags: tags }),
    ...(params.roleExternalId ? { ExternalId: params.roleExternalId } : {}),
    ...(params.inlineSessionPolicy ? { Policy: params.inlineSessionPolicy } : {}),
    ...(params.managedSessionPolicies.length ? { PolicyArns: params.managedSessionPolicies } : {}),
  };

  if (params.webIdentityToken) {
    return withWebIdentity(
      params.sts,
      common,
      params.webIdentityToken,
      'Assuming role with OIDC',
      'Could not assume role with OIDC',
    );
  }
  if (params.webIdentityTokenFile) {
    const path = isAbsolute(params.webIdentityTokenFile)
      ? params.webIdentityTokenFile
      : join(workspace, params.webIdentityTokenFile);
    if (!existsSync(path)) throw new Error(`Web identity token file does not exist: ${path}`);
    return withWebIdentity(
      params.sts,
      common,
      readFileSync(path, 'utf8'),
      'Assuming role with web identity token file',
      'Could not assume role with web identity token file',
    );
  }
  core.info('Assuming role with user credentials');
  try {
    return await params.sts.send(new AssumeRoleCommand(common));
  } catch (error) {
    throw new Error(`Could not assume role with user credentials: ${errorMessage(error)}`);
  }
}

/** AssumeRoleWithWebIdentity takes no session tags (they come from the token), so they are dropped. */
async function withWebIdentity(
  sts: STSClient,
  common: AssumeRoleCommandInput,
  token: string,
  announcement: string,
  failurePrefix: string,
): Promise<AssumedRole> {
  const { Tags: _dropped, ...params } = common;
  core.info(announcement);
  try {
    return await sts.send(new AssumeRoleWithWebIdentityCommand({ ...params, WebIdentityToken: token }));
  } catch (error) {
    throw new Error(`${failurePrefix}: ${errorMessage(error)}`);
  }
}
