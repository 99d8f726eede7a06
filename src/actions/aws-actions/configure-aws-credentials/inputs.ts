/**
 * configure-aws-credentials' inputs: the environment-variable aliases it accepts (ROLE_TO_ASSUME
 * for role-to-assume, …), then every input parsed once into a typed record, with the real
 * action's fallbacks (3600 s, GitHubActions, 12 attempts).
 */
import * as core from '@actions/core';
import { inputFlag } from '../../shared/input-flags.js';

/** Inputs that may also be given as plain environment variables (v4's list). */
const ENV_ALIASES = [
  'AWS_REGION',
  'ROLE_TO_ASSUME',
  'WEB_IDENTITY_TOKEN_FILE',
  'ROLE_CHAINING',
  'AUDIENCE',
  'HTTP_PROXY',
  'MASK_AWS_ACCOUNT_ID',
  'ROLE_DURATION_SECONDS',
  'ROLE_EXTERNAL_ID',
  'ROLE_SESSION_NAME',
  'ROLE_SKIP_SESSION_TAGGING',
  'INLINE_SESSION_POLICY',
  'MANAGED_SESSION_POLICIES',
  'OUTPUT_CREDENTIALS',
  'UNSET_CURRENT_CREDENTIALS',
  'DISABLE_RETRY',
  'RETRY_MAX_ATTEMPTS',
  'SPECIAL_CHARACTERS_WORKAROUND',
  'USE_EXISTING_CREDENTIALS',
] as const;

/**
 * Copies each alias set in the environment to its INPUT_ variable unless the input is given.
 * Reproduced quirk: the real action names the target `INPUT_` + the alias with `_` → `-`
 * (INPUT_ROLE-TO-ASSUME), which is what core.getInput reads; and HTTPS_PROXY overrides HTTP_PROXY.
 */
export function translateEnvVariables(env: NodeJS.ProcessEnv = process.env): void {
  if (env.HTTPS_PROXY) env.HTTP_PROXY = env.HTTPS_PROXY;
  for (const alias of ENV_ALIASES) {
    const value = env[alias];
    if (!value) continue;
    const inputKey = `INPUT_${alias.replace(/_/g, '-')}`;
    env[inputKey] = env[inputKey] || value;
  }
}

export interface CredentialInputs {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  roleToAssume: string;
  audience: string;
  maskAccountId: boolean;
  roleExternalId: string;
  webIdentityTokenFile: string;
  roleDurationSeconds: number;
  roleSessionName: string;
  roleSkipSessionTagging: boolean;
  proxyServer: string | undefined;
  inlineSessionPolicy: string;
  managedSessionPolicies: { arn: string }[];
  roleChaining: boolean;
  outputCredentials: boolean;
  outputEnvCredentials: boolean;
  unsetCurrentCredentials: boolean;
  disableRetry: boolean;
  maxAttempts: number;
  specialCharactersWorkaround: boolean;
  useExistingCredentials: boolean;
}

const DEFAULT_ROLE_DURATION_SECONDS = 3600;
const DEFAULT_ROLE_SESSION_NAME = 'GitHubActions';
const DEFAULT_MAX_ATTEMPTS = 12;

/** Reads every input; only aws-region is required (core's "Input required and not supplied: aws-region"). */
export function readInputs(): CredentialInputs {
  const sessionToken = core.getInput('aws-session-token');
  const specialCharactersWorkaround = inputFlag('special-characters-workaround');
  let disableRetry = inputFlag('disable-retry');
  // `parseInt(…) || 12`, as the real action: 0 and garbage both mean the default.
  let maxAttempts = Number.parseInt(core.getInput('retry-max-attempts'), 10) || DEFAULT_MAX_ATTEMPTS;
  if (specialCharactersWorkaround) {
    // The workaround retries until the secret has no special characters, so it forces retries on.
    disableRetry = false;
    maxAttempts = DEFAULT_MAX_ATTEMPTS;
  } else if (maxAttempts < 1) {
    maxAttempts = 1;
  }
  return {
    region: core.getInput('aws-region', { required: true }),
    accessKeyId: core.getInput('aws-access-key-id'),
    secretAccessKey: core.getInput('aws-secret-access-key'),
    sessionToken: sessionToken === '' ? undefined : sessionToken,
    roleToAssume: core.getInput('role-to-assume'),
    audience: core.getInput('audience'),
    maskAccountId: inputFlag('mask-aws-account-id'),
    roleExternalId: core.getInput('role-external-id'),
    webIdentityTokenFile: core.getInput('web-identity-token-file'),
    roleDurationSeconds: Number.parseInt(core.getInput('role-duration-seconds'), 10) || DEFAULT_ROLE_DURATION_SECONDS,
    roleSessionName: core.getInput('role-session-name') || DEFAULT_ROLE_SESSION_NAME,
    roleSkipSessionTagging: inputFlag('role-skip-session-tagging'),
    proxyServer: core.getInput('http-proxy') || process.env.HTTP_PROXY || undefined,
    inlineSessionPolicy: core.getInput('inline-session-policy'),
    managedSessionPolicies: core.getMultilineInput('managed-session-policies').map((arn) => ({ arn })),
    roleChaining: inputFlag('role-chaining'),
    outputCredentials: inputFlag('output-credentials'),
    outputEnvCredentials: inputFlag('output-env-credentials', 'true'),
    unsetCurrentCredentials: inputFlag('unset-current-credentials'),
    disableRetry,
    maxAttempts,
    specialCharactersWorkaround,
    useExistingCredentials: inputFlag('use-existing-credentials'),
  };
}
