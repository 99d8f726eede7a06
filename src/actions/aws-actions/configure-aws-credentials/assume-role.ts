/**
 * The three ways configure-aws-credentials (v3–v6) assumes a role: with a job's OIDC token
 * (AssumeRoleWithWebIdentity, unsigned, no session tags), with a web identity token file, or
 * with the credentials in the environment (AssumeRole, with session tags describing the run
 * unless role-skip-session-tagging; ./session-tags.ts).
 *
 * v6 also sends transitive-tag-keys (those among the tags sent), retries once without its
 * droppable tags when STS finds the packed tags too large, and refuses a token file that is a
 * symbolic link or in a linked directory (Kubernetes' projected service-account token excepted).
 */
import * as core from '@actions/core';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleCommandInput,
  type Credentials,
  type STSClient,
} from '@aws-sdk/client-sts';
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { errorMessage } from '../../../core/errors.js';
import type { CurrentMajor } from './inputs.js';
import { DROPPABLE_TAGS, parseCustomTags, runTags } from './session-tags.js';

/** What either AssumeRole call returns that the action uses. */
export interface AssumedRole {
  Credentials?: Credentials;
  AssumedRoleUser?: { AssumedRoleId?: string; Arn?: string };
}

export interface AssumeRoleParams {
  major: CurrentMajor;
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
  transitiveTagKeys?: string[];
  customTags?: string;
}

/** Assumes the role by whichever means the inputs select. */
export async function assumeRole(params: AssumeRoleParams): Promise<AssumedRole> {
  const { GITHUB_REPOSITORY, GITHUB_WORKFLOW, GITHUB_ACTION, GITHUB_ACTOR, GITHUB_SHA, GITHUB_WORKSPACE } = process.env;
  if (!GITHUB_REPOSITORY || !GITHUB_WORKFLOW || !GITHUB_ACTION || !GITHUB_ACTOR || !GITHUB_SHA || !GITHUB_WORKSPACE) {
    throw new Error('Missing required environment variables. Are you running in GitHub Actions?');
  }
  const runTagList = runTags(process.env, params.major);
  const allTags = params.customTags ? [...runTagList, ...parseCustomTags(params.customTags, runTagList)] : runTagList;
  const tags = params.roleSkipSessionTagging ? undefined : allTags;
  if (tags === undefined) core.debug('Role session tagging has been skipped.');
  else core.debug(`${tags.length} role session tags are being used${params.major >= 6 ? ':' : '.'}`);
  const transitive =
    tags === undefined ? undefined : params.transitiveTagKeys?.filter((key) => tags.some((tag) => tag.Key === key));

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
    ...(tags ? { Tags: tags } : {}),
    ...(transitive?.length ? { TransitiveTagKeys: transitive } : {}),
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
      : join(GITHUB_WORKSPACE, params.webIdentityTokenFile);
    const token =
      params.major >= 6 ? readTokenFileNoLinks(path) : existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (token === undefined) throw new Error(`Web identity token file does not exist: ${path}`);
    return withWebIdentity(
      params.sts,
      common,
      token,
      'Assuming role with web identity token file',
      'Could not assume role with web identity token file',
    );
  }
  core.info('Assuming role with user credentials');
  try {
    return await params.sts.send(new AssumeRoleCommand(common));
  } catch (error) {
    if (params.major >= 6 && (error as { name?: string }).name === 'PackedPolicyTooLargeException') {
      core.info('Session tag size is too large; dropping droppable tags and retrying.');
      const droppable = new Set(DROPPABLE_TAGS.map((tag) => tag.key));
      return params.sts.send(
        new AssumeRoleCommand({
          ...common,
          ...(common.Tags ? { Tags: common.Tags.filter((tag) => !droppable.has(tag.Key ?? '')) } : {}),
        }),
      );
    }
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
  const { Tags: _tags, TransitiveTagKeys: _transitive, ...params } = common;
  core.info(announcement);
  try {
    return await sts.send(new AssumeRoleWithWebIdentityCommand({ ...params, WebIdentityToken: token }));
  } catch (error) {
    throw new Error(`${failurePrefix}: ${errorMessage(error)}`);
  }
}

/** Kubelet projects service-account tokens through links: the one place v6 follows them. */
const KUBERNETES_TOKEN = /^\/var\/run\/secrets\/[^/]+\/serviceaccount\/token$/;

/** v6's read of the token file: no link (nor linked parent), a regular file; undefined when it does not exist. */
function readTokenFileNoLinks(path: string): string | undefined {
  const followLinks = KUBERNETES_TOKEN.test(posix.normalize(path));
  if (!followLinks) {
    const isLink = (p: string) => {
      try {
        return lstatSync(p).isSymbolicLink();
      } catch {
        return false;
      }
    };
    if (dirname(path) !== path && isLink(dirname(path)))
      throw new Error(`Refusing ${path} (parent directory is a symbolic link)`);
    if (isLink(path)) throw new Error(`Refusing ${path} (path is a symbolic link)`);
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (followLinks ? 0 : constants.O_NOFOLLOW));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new Error(`Refusing ${path} (path is a symbolic link)`);
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} (path is not a regular file)`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
