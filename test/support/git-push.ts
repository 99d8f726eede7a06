/**
 * A repository pushed to a running cloud the way a user pushes it: files written to a fresh
 * working tree, committed, `git push`ed over HTTP with the admin key (the post-receive hook
 * starts the runs), and the run that push started, once it has ended; and what a job that
 * pushes to ECR needs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import type { Cloud } from '../../src/cloud/cloud.js';
import type { Runner } from '../../src/runner/index.js';
import type { RunRecord } from '../../src/runner/types.js';
import { seedTrustPolicy } from './cloud.js';

const exec = promisify(execFile);

/** Where to push: the cloud's port and its admin key. */
export interface PushTarget {
  port: number | string;
  admin: { accessKeyId: string; secretAccessKey: string };
}

/** Writes `files` into `tree` (a new directory), commits them and pushes to `repository`'s main. */
export async function pushFiles(
  target: PushTarget,
  tree: string,
  repository: string,
  files: Record<string, string>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(tree, path, '..'), { recursive: true });
    writeFileSync(join(tree, path), content);
  }
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Mona',
    GIT_AUTHOR_EMAIL: 'mona@example.com',
    GIT_COMMITTER_NAME: 'Mona',
    GIT_COMMITTER_EMAIL: 'mona@example.com',
    GIT_TERMINAL_PROMPT: '0',
  };
  await exec('git', ['init', '-q', '-b', 'main'], { cwd: tree, env });
  await exec('git', ['add', '-A'], { cwd: tree, env });
  await exec('git', ['commit', '-q', '-m', 'push'], { cwd: tree, env });
  const remote = `http://${target.admin.accessKeyId}:${encodeURIComponent(target.admin.secretAccessKey)}@127.0.0.1:${target.port}/git/${repository}.git`;
  // The push returns once its runs have ended (the hook streams them): jobs in containers take a while.
  await exec('git', ['push', '-q', remote, 'HEAD:refs/heads/main'], { cwd: tree, env, timeout: 300_000 });
}

/** The latest run of `repository`, once it has ended, with its whole log. */
export async function finishedRun(runner: Runner, repository: string): Promise<{ run: RunRecord; log: string }> {
  const latest = runner.listRuns({ repository, limit: 1 })[0];
  if (latest === undefined) throw new Error(`no run of ${repository}`);
  const run = await runner.waitFor(latest.id);
  return { run, log: runner.readLog(run.id) };
}

/**
 * What a job pushing to ECR needs in a cloud: GitHub's OIDC provider, role `roleName` that
 * `repository`'s main branch may assume (with ECR's full-access managed policy), the ECR
 * repository `ecrRepository` and the hosted repository.
 */
export async function prepareEcrPushJob(
  cloud: Cloud,
  options: { roleName: string; repository: string; ecrRepository: string },
): Promise<void> {
  const config = {
    endpoint: cloud.url,
    region: cloud.region,
    credentials: { accessKeyId: cloud.state.admin.accessKeyId, secretAccessKey: cloud.state.admin.secretAccessKey },
    maxAttempts: 1,
  };
  const iam = new IAMClient(config);
  await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: options.roleName,
      AssumeRolePolicyDocument: seedTrustPolicy(cloud.accountId, `repo:${options.repository}:ref:refs/heads/main`),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: options.roleName,
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess',
    }),
  );
  await new ECRClient(config).send(new CreateRepositoryCommand({ repositoryName: options.ecrRepository }));
  await cloud.ci.repositories.create(options.repository);
}
