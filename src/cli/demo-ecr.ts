/**
 * The ECR part of `dockyard demo`: with the credentials the CI job obtained through OIDC, log
 * docker in to the local ECR (GetAuthorizationToken), build a small image and push it, then
 * show it as DescribeImages reports it: what the seed's workflow does in "Login to Amazon ECR"
 * and "Build and push Docker image".
 */
import { DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './command.js';

export interface DemoClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
}

const PODMAN_SOCKET = '/run/podman/podman.sock';

/** Pushes a small image to `repositoryUri:tag` as the job would; returns what DescribeImages says. */
export async function pushDemoImage(config: DemoClientConfig, repositoryName: string, repositoryUri: string, tag: string): Promise<{ digest: string; size: number }> {
  const ecr = new ECRClient(config);
  const auth = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  if (!auth?.authorizationToken || !auth.proxyEndpoint) throw new CliError('GetAuthorizationToken returned no token');
  const password = Buffer.from(auth.authorizationToken, 'base64').toString('utf8').slice('AWS:'.length);
  const registry = auth.proxyEndpoint.replace(/^https?:\/\//, '');
  const work = mkdtempSync(join(tmpdir(), 'dockyard-demo-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_CONFIG: join(work, 'docker-config'),
    ...(process.env.DOCKER_HOST === undefined && existsSync(PODMAN_SOCKET) ? { DOCKER_HOST: `unix://${PODMAN_SOCKET}` } : {}),
  };
  try {
    writeFileSync(join(work, 'message.txt'), `Hello from my-app, pushed by dockyard demo at ${new Date().toISOString()}\n`);
    writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\nCOPY message.txt /message.txt\n');
    await docker(['login', '--username', 'AWS', '--password-stdin', registry], env, password);
    await docker(['build', '-q', '-t', `${repositoryUri}:${tag}`, work], env);
    await docker(['push', '-q', `${repositoryUri}:${tag}`], env);
    await docker(['rmi', `${repositoryUri}:${tag}`], env).catch(() => undefined);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const described = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
  const image = described.imageDetails?.[0];
  return { digest: image?.imageDigest ?? '?', size: image?.imageSizeInBytes ?? 0 };
}

function docker(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => reject(new CliError(`could not run docker (${error.message}); scripts/setup installs the client and Podman's Docker API`)));
    child.on('close', (status) => (status === 0 ? resolve() : reject(new CliError(`docker ${args[0]} failed:\n${output.trim()}`))));
    child.stdin.end(input ?? '');
  });
}
