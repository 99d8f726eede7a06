/**
 * The docker CLI's client configuration as a CLI plugin sees it: the config directory
 * (`--config`, DOCKER_CONFIG, ~/.docker), registry credentials from config.json (`auths`,
 * `credHelpers`, `credsStore` through `docker-credential-<name> get`, as the CLI runs them), and
 * the engine endpoint (`-H`, DOCKER_HOST, else the CLI's default socket).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Docker Hub's names: credentials for it are stored under the index server's URL. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/** What a plugin takes from the CLI's global options and the environment. */
export interface ClientSettings {
  configDir: string;
  /** DOCKER_HOST as the CLI would use it. */
  host: string;
}

/** A registry credential as the engine's X-Registry-Auth carries it. */
export interface RegistryCredential {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The config directory and endpoint, from the global options the CLI passed and the environment. */
export function clientSettings(
  global: { config?: string; host?: string },
  env: NodeJS.ProcessEnv = process.env,
): ClientSettings {
  const configDir = global.config ?? env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  const host = global.host ?? env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return { configDir, host };
}

function readConfig(configDir: string): ConfigFile {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ConfigFile) : {};
  } catch (error) {
    throw new Error(`loading config file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The key credentials for `host` are stored under (Docker Hub's is its index URL). */
export function credentialKey(host: string): string {
  return DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB_KEY : host;
}

/** The registry host of an auths key (`https://host/v1/` → `host`). */
function keyHost(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** Credentials for one registry host, or undefined when the configuration has none. */
export function credentialFor(configDir: string, host: string): RegistryCredential | undefined {
  const config = readConfig(configDir);
  const key = credentialKey(host);
  const helper = config.credHelpers?.[key] ?? config.credHelpers?.[host] ?? config.credsStore;
  if (helper) {
    const fromHelper = helperGet(helper, key);
    if (fromHelper) return fromHelper;
  }
  for (const [name, entry] of Object.entries(config.auths ?? {})) {
    if (name !== key && keyHost(name) !== host) continue;
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress: key };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0)
        throw new Error(`invalid auth configuration file: the credentials of ${name} are not user:password`);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: key };
    }
    if (entry.username !== undefined)
      return { username: entry.username, password: entry.password ?? '', serveraddress: key };
  }
  return undefined;
}

/** Every credential the configuration holds, keyed by registry (X-Registry-Config for builds). */
export function allCredentials(configDir: string): Record<string, RegistryCredential> {
  const config = readConfig(configDir);
  const out: Record<string, RegistryCredential> = {};
  for (const name of Object.keys(config.auths ?? {})) {
    const credential = credentialFor(configDir, keyHost(name) === 'index.docker.io' ? 'docker.io' : keyHost(name));
    if (credential) out[name] = credential;
  }
  return out;
}

/** `docker-credential-<helper> get`, as the CLI runs it; a helper that has nothing answers undefined. */
function helperGet(helper: string, server: string): RegistryCredential | undefined {
  if (!/^[a-zA-Z0-9_.-]+$/.test(helper)) throw new Error(`invalid credentials helper name ${helper}`);
  const result = spawnSync(`docker-credential-${helper}`, ['get'], {
    input: server,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.error) throw new Error(`error getting credentials - err: ${result.error.message}, out: \`\``);
  if (result.status !== 0) {
    if (/credentials not found/i.test(result.stdout)) return undefined;
    throw new Error(`error getting credentials - err: exit status ${result.status}, out: \`${result.stdout.trim()}\``);
  }
  const parsed = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
  if (parsed.Username === '<token>') return { identitytoken: parsed.Secret ?? '', serveraddress: server };
  return { username: parsed.Username ?? '', password: parsed.Secret ?? '', serveraddress: server };
}

/** A header value the engine decodes (base64url JSON, padded, as Go's URLEncoding wants). */
export function encodeAuthHeader(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
