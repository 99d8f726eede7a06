/**
 * Runs Debian's AWS CLI v2 (/usr/bin/aws, called explicitly: another `aws` on PATH may be v1)
 * against a test cloud. AWS CLI 2.9 ignores AWS_ENDPOINT_URL, so --endpoint-url is passed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { TestCloud } from './cloud.js';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export const AWS_CLI = '/usr/bin/aws';

export function awsCli(
  cloud: Pick<TestCloud, 'url' | 'region' | 'admin'>,
  args: string[],
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | 'none' = cloud.admin,
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_DEFAULT_REGION: cloud.region,
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  if (credentials !== 'none') {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  }
  const full = [...args, '--endpoint-url', cloud.url, ...(args.includes('--output') ? [] : ['--output', 'json'])];
  if (credentials === 'none') full.push('--no-sign-request');
  return new Promise((resolve, reject) => {
    const child = spawn(AWS_CLI, full, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

/** Runs a command that must succeed and returns its JSON output. */
export async function awsCliJson(
  cloud: Pick<TestCloud, 'url' | 'region' | 'admin'>,
  args: string[],
): Promise<Record<string, unknown>> {
  const result = await awsCli(cloud, args);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout || '{}') as Record<string, unknown>;
}

/** Runs a command that must fail and returns what the CLI printed about it. */
export async function awsCliError(cloud: Pick<TestCloud, 'url' | 'region' | 'admin'>, args: string[]): Promise<string> {
  const result = await awsCli(cloud, args);
  assert.notEqual(result.status, 0, result.stdout);
  return result.stderr;
}
