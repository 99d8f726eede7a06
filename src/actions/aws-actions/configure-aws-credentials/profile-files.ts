/**
 * configure-aws-credentials v6.1's `aws-profile`: the credentials written to the shared
 * credentials file as `[NAME]` and the region to the config file as `[profile NAME]` (`[default]`
 * for default), at AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE or ~/.aws/. An existing profile
 * is kept unless overwrite-aws-profile; files are 0600 in a 0700 directory, and a link in their
 * place is refused, as v6 refuses it.
 */
import * as core from '@actions/core';
import type { Credentials } from '@aws-sdk/client-sts';
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { errorMessage } from '../../../core/errors.js';

type Ini = Record<string, Record<string, string>>;

/** INI sections and keys (comments and blank lines dropped, as the real action's parser drops them). */
export function parseIni(text: string): Ini {
  const result: Ini = {};
  let section: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith(';') || trimmed.startsWith('#')) continue;
    const header = /^\[([^\]]*)\]$/.exec(trimmed);
    if (header) {
      section = header[1] === '__proto__' ? undefined : header[1];
      if (section !== undefined) result[section] ??= {};
      continue;
    }
    const at = trimmed.indexOf('=');
    if (section !== undefined && at > 0) {
      const key = trimmed.slice(0, at).trim();
      if (key !== '__proto__') (result[section] as Record<string, string>)[key] = trimmed.slice(at + 1).trim();
    }
  }
  return result;
}

export function stringifyIni(data: Ini): string {
  return `${Object.entries(data)
    .map(([name, values]) =>
      [`[${name}]`, ...Object.entries(values).map(([key, value]) => `${key} = ${value}`)].join('\n'),
    )
    .join('\n\n')}\n`;
}

/** v6's profile name rules. */
function checkProfileName(name: string): void {
  if (!name || name.trim() === '') throw new Error('aws-profile must not be empty');
  if (/\s/.test(name)) throw new Error('aws-profile must not contain whitespace');
  if (/[[\]]/.test(name)) throw new Error('aws-profile must not contain brackets');
  if (name.includes('/') || name.includes('\\')) throw new Error('aws-profile must not contain path separators');
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function refuseLinks(path: string): void {
  if (isLink(dirname(path))) throw new Error(`Refusing ${path} (parent directory is a symbolic link)`);
  if (isLink(path)) throw new Error(`Refusing ${path} (path is a symbolic link)`);
}

function mergeSection(file: string, section: string, values: Record<string, string>, overwrite: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (isLink(dirname(file))) throw new Error(`Refusing ${dirname(file)} (path is a symbolic link)`);
  refuseLinks(file);
  const ini = existsSync(file) ? parseIni(readFileSync(file, 'utf8')) : {};
  if (ini[section] && !overwrite) {
    throw new Error(
      `Profile with name "${section}" already exists. Please use the overwrite-aws-profile input if you want to overwrite existing profiles.`,
    );
  }
  ini[section] = values;
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${file} (path is not a regular file)`);
    fchmodSync(fd, 0o600);
    writeFileSync(fd, stringifyIni(ini));
  } finally {
    closeSync(fd);
  }
}

/** Writes the profile's credentials and region; failures carry v6's "Failed to write AWS profile" prefix. */
export function writeProfileFiles(
  profile: string,
  credentials: Partial<Credentials>,
  region: string,
  overwrite: boolean,
): void {
  try {
    checkProfileName(profile);
    const credentialsFile = process.env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials');
    const configFile = process.env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config');
    const keys: Record<string, string> = {};
    if (credentials.AccessKeyId) keys.aws_access_key_id = credentials.AccessKeyId;
    if (credentials.SecretAccessKey) keys.aws_secret_access_key = credentials.SecretAccessKey;
    if (credentials.SessionToken) keys.aws_session_token = credentials.SessionToken;
    core.info(`Writing credentials to profile: ${profile}`);
    mergeSection(credentialsFile, profile, keys, overwrite);
    core.info(`Writing config to profile: ${profile}`);
    mergeSection(configFile, profile === 'default' ? 'default' : `profile ${profile}`, { region }, overwrite);
    core.info(`✓ Successfully configured AWS profile: ${profile}`);
  } catch (error) {
    throw new Error(`Failed to write AWS profile '${profile}': ${errorMessage(error)}`);
  }
}
