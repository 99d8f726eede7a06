/**
 * What configure-aws-credentials hands to later steps: the credentials and region as masked
 * environment variables (and, on request, as step outputs), and the account and caller ARN
 * as outputs.
 */
import * as core from '@actions/core';
import type { Credentials, STSClient } from '@aws-sdk/client-sts';
import { callerIdentity, type CallerIdentity } from './credentials-client.js';

/** Masks the credentials, then exports and/or outputs them. */
export function exportCredentials(
  creds: Partial<Credentials> | undefined,
  outputCredentials: boolean,
  outputEnvCredentials: boolean,
): void {
  // Masked first, so that no later message (an AssumeRole error included) can print them.
  for (const secret of [creds?.AccessKeyId, creds?.SecretAccessKey, creds?.SessionToken]) {
    if (secret) core.setSecret(secret);
  }
  if (outputEnvCredentials) {
    if (creds?.AccessKeyId) core.exportVariable('AWS_ACCESS_KEY_ID', creds.AccessKeyId);
    if (creds?.SecretAccessKey) core.exportVariable('AWS_SECRET_ACCESS_KEY', creds.SecretAccessKey);
    if (creds?.SessionToken) core.exportVariable('AWS_SESSION_TOKEN', creds.SessionToken);
    // Long-term keys after a session: a stale token from an earlier step would poison them.
    else if (process.env.AWS_SESSION_TOKEN) core.exportVariable('AWS_SESSION_TOKEN', '');
  }
  if (outputCredentials) {
    if (creds?.AccessKeyId) core.setOutput('aws-access-key-id', creds.AccessKeyId);
    if (creds?.SecretAccessKey) core.setOutput('aws-secret-access-key', creds.SecretAccessKey);
    if (creds?.SessionToken) core.setOutput('aws-session-token', creds.SessionToken);
    // Reproduced quirk: the Date goes through core's JSON conversion, so the output is a quoted ISO string.
    if (creds?.Expiration) core.setOutput('aws-expiration', creds.Expiration);
  }
}

/**
 * Blanks the credential and region variables (and AWS_PROFILE when v6 set one): the runner
 * cannot unset a variable, and the AWS CLI and SDKs treat an empty one as absent.
 */
export function unsetCredentials(profile = false): void {
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
  ]) {
    core.exportVariable(name, '');
  }
  if (profile) core.exportVariable('AWS_PROFILE', '');
}

export function exportRegion(region: string, outputEnvCredentials: boolean): void {
  if (!outputEnvCredentials) return;
  core.exportVariable('AWS_DEFAULT_REGION', region);
  core.exportVariable('AWS_REGION', region);
}

/** GetCallerIdentity → outputs aws-account-id and authenticated-arn (masked on request); returns the account. */
export async function exportAccountId(sts: STSClient, maskAccountId: boolean): Promise<string> {
  return exportIdentity(await callerIdentity(sts), maskAccountId);
}

/** Outputs aws-account-id and authenticated-arn of a known identity (masked on request); returns the account. */
export function exportIdentity(identity: CallerIdentity, maskAccountId: boolean): string {
  if (maskAccountId) {
    core.setSecret(identity.Account);
    core.setSecret(identity.Arn);
  }
  core.setOutput('aws-account-id', identity.Account);
  core.setOutput('authenticated-arn', identity.Arn);
  return identity.Account;
}
