/**
 * The STS client configure-aws-credentials works through, and its credential checks. The client
 * takes its credentials from the SDK's default chain (environment first), or explicit ones, and
 * its endpoint from `sts-endpoint` (v6.2), else AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, which is
 * how a job reaches the local cloud.
 *
 * Gap: `http-proxy` and `no-proxy` are accepted but not applied (no proxy agent without a new
 * dependency; the local cloud is reached directly). They are reported with a warning.
 */
import * as core from '@actions/core';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { errorMessage } from '../../../core/errors.js';
import type { CurrentMajor } from './inputs.js';

const USER_AGENT = 'configure-aws-credentials-for-github-actions';

/** Who the credentials are. */
export interface CallerIdentity {
  Account: string;
  Arn: string;
}

export class CredentialsClient {
  private client: STSClient | undefined;

  constructor(
    private readonly region: string,
    proxyServer: string | undefined,
    private readonly stsEndpoint = '',
  ) {
    if (proxyServer)
      core.warning(`dockyard's configure-aws-credentials does not use proxies; ignoring http-proxy ${proxyServer}`);
  }

  /**
   * A client whose credentials are read from the environment as it is now (or are `credentials`).
   * Unlike the real action, which keeps one client (whose first resolved credentials then stick),
   * a new client is made after credentials change, so GetCallerIdentity reports the new identity.
   */
  fresh(credentials?: AwsCredentialIdentity): STSClient {
    const client = new STSClient({
      region: this.region,
      customUserAgent: USER_AGENT,
      ...(this.stsEndpoint ? { endpoint: this.stsEndpoint } : {}),
      ...(credentials ? { credentials } : {}),
    });
    if (credentials === undefined) this.client = client;
    return client;
  }

  /** The current client (created on first use). */
  get sts(): STSClient {
    return this.client ?? this.fresh();
  }

  /** The access key the default credential chain finds now; throws the action's "could not be loaded". */
  private async loadedAccessKeyId(): Promise<string> {
    try {
      const credentials = await new STSClient({}).config.credentials();
      if (!credentials.accessKeyId) throw new Error('Access key ID empty after loading credentials');
      return credentials.accessKeyId;
    } catch (error) {
      throw new Error(`Credentials could not be loaded, please check your action inputs: ${errorMessage(error)}`);
    }
  }

  /**
   * v4 and v5: checks that the default credential chain yields credentials, that (unless chaining
   * roles) they are the ones the action just exported, and (v5, allowed-account-ids) that their
   * account is allowed.
   */
  async validateCredentials(
    major: CurrentMajor,
    expectedAccessKeyId?: string,
    roleChaining = false,
    allowedAccountIds: string[] = [''],
  ): Promise<void> {
    const accessKeyId = await this.loadedAccessKeyId();
    if (major >= 5 && allowedAccountIds.length > 0 && allowedAccountIds[0] !== '') {
      let account: string | undefined;
      try {
        account = (await callerIdentity(this.fresh())).Account;
      } catch (error) {
        throw new Error(`Could not validate account ID of credentials: ${errorMessage(error)}`);
      }
      checkAllowedAccount(allowedAccountIds, account);
    }
    if (!roleChaining && expectedAccessKeyId && expectedAccessKeyId !== accessKeyId) {
      throw new Error(
        major >= 5
          ? 'Credentials loaded by the SDK do not match the expected access key ID configured by the action'
          : 'Unexpected failure: Credentials loaded by the SDK do not match the access key ID configured by the action',
      );
    }
  }

  /**
   * v6: proves the credentials work with GetCallerIdentity and returns who they are: `credentials`
   * when given, else the default chain's (checked against `expectedAccessKeyId` unless chaining).
   */
  async identify(
    credentials?: AwsCredentialIdentity,
    expectedAccessKeyId?: string,
    roleChaining = false,
  ): Promise<CallerIdentity> {
    if (credentials === undefined) {
      const accessKeyId = await this.loadedAccessKeyId();
      if (!roleChaining && expectedAccessKeyId && expectedAccessKeyId !== accessKeyId) {
        throw new Error(
          'Credentials loaded by the SDK do not match the expected access key ID configured by the action',
        );
      }
    }
    try {
      return await callerIdentity(this.fresh(credentials));
    } catch (error) {
      throw new Error(`Credentials could not be loaded, please check your action inputs: ${errorMessage(error)}`);
    }
  }
}

/** GetCallerIdentity, with the action's message when it names no account. */
export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (!identity.Account || !identity.Arn)
    throw new Error('Could not get Account ID or ARN from STS. Did you set credentials?');
  return { Account: identity.Account, Arn: identity.Arn };
}

/** allowed-account-ids (v5): nothing to check when not given. */
export function checkAllowedAccount(allowed: string[], account: string | undefined): void {
  if (allowed.length === 0 || allowed[0] === '') return;
  if (!account || !allowed.includes(account)) {
    throw new Error(
      `The account ID of the provided credentials (${account ?? 'unknown'}) does not match any of the expected account IDs: ${allowed.join(', ')}`,
    );
  }
}
