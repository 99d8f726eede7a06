/**
 * Building and pushing an image the way the seed's workflow does (amazon-ecr-login, then
 * `docker build` and `docker push`), with the docker client against whichever engine runs here.
 * The registry login goes into a throw-away DOCKER_CONFIG, so the user's own is never touched
 * and no password outlives the command.
 */
import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverEndpoint, formatEndpoint } from '../engine/endpoint.js';

export interface BuildAndPush {
  /** The build context (a directory with a Dockerfile). */
  context: string;
  /** The full reference to build and push: `<repositoryUri>:<tag>`. */
  image: string;
  /** docker's own output goes here (the terminal's stderr, so --json output stays clean). */
  output: number;
}

export async function buildAndPush(ecr: ECRClient, request: BuildAndPush): Promise<void> {
  const registry = request.image.slice(0, request.image.indexOf('/'));
  const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken;
  if (!token) throw new Error('GetAuthorizationToken returned no token');
  const password = Buffer.from(token, 'base64').toString('utf8').replace(/^AWS:/, '');
  const config = mkdtempSync(join(tmpdir(), 'dockyard-deploy-docker-'));
  const env = {
    ...process.env,
    DOCKER_CONFIG: config,
    DOCKER_HOST: process.env.DOCKER_HOST ?? formatEndpoint(discoverEndpoint()),
  };
  try {
    await docker(['login', '--username', 'AWS', '--password-stdin', registry], env, request.output, password);
    await docker(['build', '-t', request.image, request.context], env, request.output);
    await docker(['push', request.image], env, request.output);
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

function docker(args: string[], env: NodeJS.ProcessEnv, output: number, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, stdio: ['pipe', output, output] });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'ENOENT'
            ? 'the docker client is not installed (scripts/setup-engine installs it)'
            : `docker ${args[0]}: ${error.message}`,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`docker ${args[0]} failed (exit ${code}); its output is above`)),
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}
