/**
 * The STS client configure-aws-credentials works through, and its credential check. The client
 * takes its credentials from the SDK's default chain (environment first), and its endpoint from
 * AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, which is how a job reaches the local cloud.
 *
 * Gap: `http-proxy` is accepted but not applied (no proxy agent without a new dependency; the
 * local cloud is reached directly). It is reported with a warning.
 */
import * as core from '@actions/core';
import { STSClient } from '@aws-sdk/client-sts';
import { errorMessage } from '../../../core/errors.js';

const USER_AGENT = 'configure-aws-credentials-for-github-actions';

export class CredentialsClient {
  private client: STSClient | undefined;

  constructor(
    private readonly region: string,
    proxyServer: string | undefined,
  ) {
    if (proxyServer)
      core.warning(`dockyard's configure-aws-credentials does not use proxies; ignoring http-proxy ${proxyServer}`);
  }

  /**
   * A client whose credentials are read from the environment as it is now. Unlike the real
   * action, which keeps one client (whose first resolved credentials then stick), a new client
   * is made after credentials change, so GetCallerIdentity reports the new identity.
   */
  fresh(): STSClient {
    this.client = new STSClient({ region: this.region, customUserAgent: USER_AGENT });
    return this.client;
  }

  /** The current client (created on first use). */
  get sts(): STSClient {
    return this.client ?? this.fresh();
  }

  /**
   * Checks that the default credential chain yields credentials, and (unless chaining roles)
   * that they are the ones the action just exported.
   */
  async validateCredentials(expectedAccessKeyId?: string, roleChaining = false): Promise<void> {
    let accessKeyId: string;
    try {
      const credentials = await new STSClient({}).config.credentials();
      if (!credentials.accessKeyId) throw new Error('Access key ID empty after loading credentials');
      accessKeyId = credentials.accessKeyId;
    } catch (error) {
      throw new Error(`Credentials could not be loaded, please check your action inputs: ${errorMessage(error)}`);
    }
    if (!roleChaining && expectedAccessKeyId && expectedAccessKeyId !== accessKeyId) {
      throw new Error(
        'Unexpected failure: Credentials loaded by the SDK do not match the access key ID configured by the action',
      );
    }
  }
}
