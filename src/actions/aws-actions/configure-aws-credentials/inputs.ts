/**
 * configure-aws-credentials' inputs for the TypeScript majors (v3/v4, v5, v6): the
 * environment-variable aliases they accept (ROLE_TO_ASSUME for role-to-assume, …), then every
 * input parsed once into a typed record, with the real action's fallbacks (3600 s, GitHubActions,
 * 12 attempts). What changed between majors, as read from each release:
 * - v5: booleans are read strictly (YAML 1.2's core schema; `yes` fails the step); new inputs
 *   allowed-account-ids and force-skip-oidc; v5.1 no-proxy and action-timeout-s;
 *   use-existing-credentials is taken as set when it is any non-empty text (`false` included).
 * - v6: aws-profile and overwrite-aws-profile (v6.1), transitive-tag-keys, custom-tags and
 *   sts-endpoint (v6.2); output-env-credentials defaults to false when aws-profile is given.
 */
import * as core from '@actions/core';
import { inputFlag, strictFlag } from '../../shared/input-flags.js';

/** The majors that share this code (v3 runs as v4: ../../../../docs/decisions.md, decision 50). */
export type CurrentMajor = 4 | 5 | 6;

/** Inputs that may also be given as plain environment variables, by the major that added them. */
const ENV_ALIASES: readonly [string, CurrentMajor][] = [
  ...(
    [
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
    ] as const
  ).map((name): [string, CurrentMajor] => [name, 4]),
  ['NO_PROXY', 5],
  ['TRANSITIVE_TAG_KEYS', 6],
  ['OVERWRITE_AWS_PROFILE', 6],
];

/**
 * Copies each alias set in the environment to its INPUT_ variable unless the input is given.
 * Reproduced quirk: the real action names the target `INPUT_` + the alias with `_` → `-`
 * (INPUT_ROLE-TO-ASSUME), which is what core.getInput reads; and HTTPS_PROXY overrides HTTP_PROXY.
 */
export function translateEnvVariables(major: CurrentMajor = 4, env: NodeJS.ProcessEnv = process.env): void {
  if (env.HTTPS_PROXY) env.HTTP_PROXY = env.HTTPS_PROXY;
  for (const [alias, since] of ENV_ALIASES) {
    const value = env[alias];
    if (since > major || !value) continue;
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
  noProxy: string;
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
  /** allowed-account-ids (v5), split on commas; [''] when not given, as the real action has it. */
  allowedAccountIds: string[];
  forceSkipOidc: boolean;
  /** action-timeout-s (v5.1); 0 for none. */
  timeoutSeconds: number;
  /** v6 */
  awsProfile: string;
  overwriteAwsProfile: boolean;
  transitiveTagKeys: string[];
  customTags: string;
  stsEndpoint: string;
}

const DEFAULT_ROLE_DURATION_SECONDS = 3600;
const DEFAULT_ROLE_SESSION_NAME = 'GitHubActions';
const DEFAULT_MAX_ATTEMPTS = 12;

/** Reads every input as `major` reads it; only aws-region is required (core's "Input required and not supplied: aws-region"). */
export function readInputs(major: CurrentMajor = 4): CredentialInputs {
  const flag = (name: string, fallback = false) =>
    major >= 5 ? strictFlag(name, fallback) : inputFlag(name, fallback ? 'true' : 'false');
  const sessionToken = core.getInput('aws-session-token');
  const awsProfile = major >= 6 ? core.getInput('aws-profile') : '';
  const specialCharactersWorkaround = flag('special-characters-workaround');
  let disableRetry = flag('disable-retry');
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
    maskAccountId: flag('mask-aws-account-id'),
    roleExternalId: core.getInput('role-external-id'),
    webIdentityTokenFile: core.getInput('web-identity-token-file'),
    roleDurationSeconds: Number.parseInt(core.getInput('role-duration-seconds'), 10) || DEFAULT_ROLE_DURATION_SECONDS,
    roleSessionName: core.getInput('role-session-name') || DEFAULT_ROLE_SESSION_NAME,
    roleSkipSessionTagging: flag('role-skip-session-tagging'),
    proxyServer: core.getInput('http-proxy') || process.env.HTTP_PROXY || undefined,
    noProxy: major >= 5 ? core.getInput('no-proxy') : '',
    inlineSessionPolicy: core.getInput('inline-session-policy'),
    managedSessionPolicies: core.getMultilineInput('managed-session-policies').map((arn) => ({ arn })),
    roleChaining: flag('role-chaining'),
    outputCredentials: flag('output-credentials'),
    outputEnvCredentials: flag('output-env-credentials', major >= 6 ? !awsProfile : true),
    unsetCurrentCredentials: flag('unset-current-credentials'),
    disableRetry,
    maxAttempts,
    specialCharactersWorkaround,
    // Reproduced quirk (v5, v6): read as text and tested for truth, so `false` turns it on.
    useExistingCredentials:
      major >= 5 ? core.getInput('use-existing-credentials') !== '' : flag('use-existing-credentials'),
    allowedAccountIds:
      major >= 5
        ? core
            .getInput('allowed-account-ids')
            .split(',')
            .map((id) => id.trim())
        : [''],
    forceSkipOidc: major >= 5 ? flag('force-skip-oidc') : false,
    timeoutSeconds: major >= 5 ? Number.parseInt(core.getInput('action-timeout-s'), 10) || 0 : 0,
    awsProfile,
    overwriteAwsProfile: major >= 6 ? flag('overwrite-aws-profile') : false,
    transitiveTagKeys: major >= 6 ? core.getMultilineInput('transitive-tag-keys') : [],
    customTags: major >= 6 ? core.getInput('custom-tags') : '',
    stsEndpoint: major >= 6 ? core.getInput('sts-endpoint') : '',
  };
}
