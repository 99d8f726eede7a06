/**
 * docker/login-action (v2–v4) on dockyard: `docker login --password-stdin` for each registry, as
 * the real action runs it, and for Amazon ECR registries (`<account>.dkr.ecr.<region>.amazonaws.com`,
 * or `ecr: true`) the password first fetched from ECR's GetAuthorizationToken in the registry's
 * region with the job's AWS credentials (or `username`/`password` as an access key pair), and the
 * login made to each proxyEndpoint ECR answers — the cloud's registry here. `registry-auth`
 * (a YAML list) and `scope` (a per-scope docker config under buildx's config directory) as v3.
 * The post step logs out unless `logout: false`.
 *
 * Gaps: Amazon ECR Public (public.ecr.aws) fails, as dockyard has none; proxies are not used.
 */
import * as core from '@actions/core';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCommand } from '../../shared/run-command.js';

const ECR_REGISTRY = /^(([0-9]{12})\.(dkr\.ecr|dkr-ecr)\.(.+)\.(on\.aws|amazonaws\.(com(.cn)?|eu)))(\/([^:]+)(:.+)?)?$/;
const ECR_PUBLIC = /public\.ecr\.aws|ecr-public\.aws\.com/;

/** One registry to log into. */
export interface Auth {
  registry: string;
  username: string;
  password: string;
  scope: string;
  ecr: string;
  configDir: string;
}

/** True for an ECR (or ECR Public) registry name. */
export function isEcr(registry: string): boolean {
  return ECR_REGISTRY.test(registry) || ECR_PUBLIC.test(registry);
}

function dockerConfigDir(): string {
  return process.env.DOCKER_CONFIG || join(process.env.HOME || homedir(), '.docker');
}

/** The docker config directory of a scoped login (empty: the job's own). */
export function scopeToConfigDir(registry: string, scope?: string): string {
  if (/^(1|true)$/i.test(process.env.DOCKER_LOGIN_SCOPE_DISABLED ?? '') || !scope) return '';
  let dir = join(
    process.env.BUILDX_CONFIG || join(dockerConfigDir(), 'buildx'),
    'config',
    registry === 'docker.io' ? 'registry-1.docker.io' : registry,
  );
  if (scope.startsWith('@')) dir += scope;
  else dir = join(dir, scope);
  return dir;
}

/** The registries the inputs name. */
export function authList(inputs: {
  registry: string;
  username: string;
  password: string;
  scope: string;
  ecr: string;
  registryAuth: string;
}): Auth[] {
  if (inputs.registryAuth && (inputs.registry || inputs.username || inputs.password || inputs.scope || inputs.ecr))
    throw new Error('Cannot use registry-auth with other inputs');
  if (!inputs.registryAuth) {
    return [
      {
        registry: inputs.registry || 'docker.io',
        username: inputs.username,
        password: inputs.password,
        scope: inputs.scope,
        ecr: inputs.ecr || 'auto',
        configDir: scopeToConfigDir(inputs.registry, inputs.scope),
      },
    ];
  }
  const parsed = parse(inputs.registryAuth, { maxAliasCount: 100 }) as unknown;
  if (!Array.isArray(parsed)) throw new Error('registry-auth must be a YAML list of registries');
  const auths = parsed.map((raw: unknown) => {
    const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const str = (key: string) => (typeof a[key] === 'string' || typeof a[key] === 'number' ? String(a[key]) : '');
    if (str('password')) core.setSecret(str('password'));
    return {
      registry: str('registry') || 'docker.io',
      username: str('username'),
      password: str('password'),
      scope: str('scope'),
      ecr: str('ecr') || 'auto',
      configDir: scopeToConfigDir(str('registry') || 'docker.io', str('scope')),
    };
  });
  if (auths.length === 0) throw new Error('No registry to login');
  return auths;
}

async function loginExec(registry: string, username: string, password: string, scope: string): Promise<void> {
  const configDir = scopeToConfigDir(registry, scope);
  const env = configDir ? { ...process.env, DOCKER_CONFIG: configDir } : process.env;
  core.info(configDir ? `Logging into ${registry} (scope ${scope})...` : `Logging into ${registry}...`);
  const result = await runCommand('docker', ['login', '--password-stdin', '--username', username, registry], {
    stdin: password,
    env,
  });
  if (result.stderr.length > 0 && result.exitCode !== 0) throw new Error(result.stderr.trim());
  if (result.exitCode !== 0) throw new Error(`docker login ${registry} failed with exit code ${result.exitCode}`);
  core.info('Login Succeeded!');
}

async function loginEcr(auth: Auth): Promise<string[]> {
  core.info('Retrieving registries data through AWS SDK...');
  if (ECR_PUBLIC.test(auth.registry))
    throw new Error('Amazon ECR Public (public.ecr.aws) is not available: dockyard has no ECR Public registry');
  const match = ECR_REGISTRY.exec(auth.registry);
  const region = match?.[4] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
  const accounts = match?.[2]
    ? [match[2], ...(process.env.AWS_ACCOUNT_IDS ? process.env.AWS_ACCOUNT_IDS.split(',') : [])]
    : [];
  const registryIds = accounts.filter((id, i) => accounts.indexOf(id) === i);
  core.info(`AWS ECR detected with ${region} region`);
  const credentials =
    auth.username && auth.password ? { accessKeyId: auth.username, secretAccessKey: auth.password } : undefined;
  const ecr = new ECRClient({
    customUserAgent: 'docker-login-action',
    ...(region ? { region } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const answer = await ecr.send(new GetAuthorizationTokenCommand(registryIds.length > 0 ? { registryIds } : {}));
  if (!Array.isArray(answer.authorizationData) || answer.authorizationData.length === 0)
    throw new Error('Could not retrieve an authorization token from AWS ECR');
  const logged: string[] = [];
  for (const data of answer.authorizationData) {
    const [username = '', password = ''] = Buffer.from(data.authorizationToken ?? '', 'base64')
      .toString('utf8')
      .split(':', 2);
    core.setSecret(username);
    core.setSecret(password);
    await loginExec(data.proxyEndpoint ?? '', username, password, auth.scope);
    logged.push(data.proxyEndpoint ?? '');
  }
  return logged;
}

/** Logs into one registry; answers the registries logged into. */
export async function login(auth: Auth): Promise<string[]> {
  if (/true/i.test(auth.ecr) || (auth.ecr === 'auto' && isEcr(auth.registry))) return loginEcr(auth);
  if (!auth.username && !auth.password) throw new Error('Username and password required');
  if (!auth.username) throw new Error('Username required');
  if (!auth.password) throw new Error('Password required');
  await loginExec(auth.registry, auth.username, auth.password, auth.scope);
  return [auth.registry];
}

/** `docker logout` (post step); a failure is a warning, as in the real action. */
export async function logout(registry: string, configDir: string): Promise<void> {
  const env = configDir ? { ...process.env, DOCKER_CONFIG: configDir } : process.env;
  if (configDir) core.info(`Alternative config dir: ${configDir}`);
  const result = await runCommand('docker', ['logout', registry], { env });
  if (result.stderr.length > 0 && result.exitCode !== 0) core.warning(result.stderr.trim());
}
