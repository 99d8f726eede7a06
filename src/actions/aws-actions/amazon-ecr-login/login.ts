/**
 * amazon-ecr-login's main step: GetAuthorizationToken for the default registry (or the
 * `registries` account IDs), `docker login` to each proxyEndpoint, outputs registry and
 * docker_username_/docker_password_<registry>, and the registries saved for the post step's
 * logout.
 *
 * By design: the password goes to `docker login --password-stdin`, not `-p` as the real action
 * passes it, so it never appears in a process listing; failures keep the real wording.
 * Gaps: registry-type `public` fails (dockyard has no ECR Public); `http-proxy` is ignored (warned).
 */
import * as core from '@actions/core';
import { ECRClient, GetAuthorizationTokenCommand, type AuthorizationData } from '@aws-sdk/client-ecr';
import { runCommand } from '../../shared/run-command.js';
import { errorMessage } from '../../../core/errors.js';

const USER_AGENT = 'amazon-ecr-login-for-github-actions';

/** Where v1 and v2 differ. */
export interface LoginVariant {
  /** v1 masks only on `true` (default false); v2 masks unless `false` (default true). */
  masksPassword(input: string): boolean;
  unmaskedWarning: string;
}

const UNMASKED =
  'Your docker password is not masked. See https://github.com/aws-actions/amazon-ecr-login#docker-credentials for more information.';

export const V2: LoginVariant = {
  masksPassword: (input) => (input.toLowerCase() || 'true') !== 'false',
  unmaskedWarning: UNMASKED,
};

export const V1: LoginVariant = {
  masksPassword: (input) => input.toLowerCase() === 'true',
  unmaskedWarning:
    'Your docker password is not masked. See https://github.com/aws-actions/amazon-ecr-login#docker-credentials ' +
    "for more information. The default value of the 'mask-password' input has changed from 'false' to 'true' in the v2 release. " +
    'See https://github.com/aws-actions/amazon-ecr-login/issues/526 for more information.',
};

/** Output names allow only [a-zA-Z0-9_]; everything else in the registry URI becomes `_`. */
export function outputSuffix(registryUri: string): string {
  return registryUri.replace(/[^a-zA-Z0-9_]+/g, '_');
}

export async function login(variant: LoginVariant): Promise<void> {
  const httpProxy = core.getInput('http-proxy');
  const maskPassword = variant.masksPassword(core.getInput('mask-password'));
  const registries = core.getInput('registries');
  const registryType = core.getInput('registry-type').toLowerCase() || 'private';
  const skipLogout = core.getInput('skip-logout').toLowerCase() === 'true';
  const loggedIn: string[] = [];
  try {
    if (registryType !== 'private' && registryType !== 'public') {
      throw new Error("Invalid input for 'registry-type', possible options are [private, public]");
    }
    if (!maskPassword) core.warning(variant.unmaskedWarning);
    if (httpProxy) core.warning(`dockyard's amazon-ecr-login does not use proxies; ignoring http-proxy ${httpProxy}`);
    if (registryType === 'public') {
      throw new Error(
        "registry-type 'public' is not supported: dockyard has no Amazon ECR Public registry (public.ecr.aws)",
      );
    }

    const authorizationData = await authorizationTokens(registries ? registries.split(',') : undefined);
    for (const data of authorizationData) {
      const [user = '', password = ''] = Buffer.from(data.authorizationToken ?? '', 'base64')
        .toString('utf8')
        .split(':', 2);
      const proxyEndpoint = data.proxyEndpoint ?? '';
      const registryUri = proxyEndpoint.replace(/^https?:\/\//, '');
      core.info(`Logging into registry ${registryUri}`);
      if (authorizationData.length === 1) core.setOutput('registry', registryUri);

      const result = await runCommand('docker', ['login', '-u', user, '--password-stdin', proxyEndpoint], {
        stdin: password,
      });
      if (result.exitCode !== 0) {
        core.debug(result.stdout);
        throw new Error(`Could not login to registry ${registryUri}: ${result.stderr}`);
      }
      const suffix = outputSuffix(registryUri);
      if (maskPassword) {
        core.setSecret(password);
        core.debug('Your docker password is masked.');
      }
      core.setOutput(`docker_username_${suffix}`, user);
      core.setOutput(`docker_password_${suffix}`, password);
      loggedIn.push(registryUri);
    }
  } catch (error) {
    core.setFailed(errorMessage(error));
  }
  // Saved even after a later registry failed: the earlier ones are logged in and need a logout.
  if (loggedIn.length > 0) {
    if (!skipLogout) core.saveState('registries', loggedIn.join());
    core.debug(`'skip-logout' is ${skipLogout} for ${loggedIn.length} registries.`);
  }
}

async function authorizationTokens(registryIds: string[] | undefined): Promise<AuthorizationData[]> {
  // No region given: the SDK takes AWS_REGION, as configure-aws-credentials exported it.
  const ecr = new ECRClient({ customUserAgent: USER_AGENT });
  const response = await ecr.send(new GetAuthorizationTokenCommand(registryIds ? { registryIds } : {}));
  if (!Array.isArray(response.authorizationData)) throw new Error('Amazon ECR authorization token is invalid');
  if (response.authorizationData.length === 0)
    throw new Error('Amazon ECR authorization token does not contain any authorization data');
  return response.authorizationData;
}
