/**
 * `dockyard demo`: the seed against the local cloud, through the AWS APIs with the AWS SDK,
 * as far as dockyard goes today: the ECR repository (Step 2.1); GitHub as an OIDC identity
 * provider, the role with the seed's trust policy and the two managed policies (Step 3); then
 * the trust chain at work: the job on `main` gets credentials and pushes an image to ECR with
 * them, the seed's workflow (which runs on `master`) is refused exactly as AWS refuses it, and
 * the refusal is explained as `dockyard trust check` explains it before anyone pushes.
 * Idempotent: a second run reuses what exists.
 */
import { AttachRolePolicyCommand, CreateOpenIDConnectProviderCommand, CreateRoleCommand, GetRoleCommand, IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { systemClock } from '../cloud/clock.js';
import { DEFAULTS, dataFiles, resolveDataDir } from '../cloud/config.js';
import type { AdminKey } from '../cloud/state.js';
import { CloudState } from '../cloud/state.js';
import { explainWebIdentityTrust } from '../services/sts/explain.js';
import { CliError, parseFlags, parsePort, stringFlag, type Command } from './command.js';
import { pushDemoImage } from './demo-ecr.js';
import { runningCloud } from './running.js';
import { startDetached } from './up.js';

const USAGE = `Usage: dockyard demo [--data DIR] [--port N]

Starts the cloud if it is not running, then replays the seed's Step 3 (GitHub as an OIDC
provider, the deploy role and its trust policy) and shows which CI jobs may assume the role.`;

const REPO = 'your-username/ecsapp';
const ROLE = 'GitHub_Actions_Role';

export const demoCommand: Command = {
  name: ['demo'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, { data: { type: 'string' }, port: { type: 'string' } }, USAGE);
    if (!flags) return 0;
    const dataDir = resolveDataDir(stringFlag(flags, 'data'));
    let cloud = runningCloud(dataDir);
    if (!cloud) {
      step(`starting the local cloud (data: ${dataDir})`);
      await startDetached(['--port', String(parsePort(stringFlag(flags, 'port'), DEFAULTS.port))], dataDir);
      cloud = runningCloud(dataDir);
      if (!cloud) throw new CliError('the cloud did not start');
    }
    done(`cloud at ${cloud.url}, account ${cloud.accountId}, region ${cloud.region}`);
    const admin = JSON.parse(readFileSync(dataFiles(dataDir).admin, 'utf8')) as AdminKey;
    const client = { endpoint: cloud.url, region: cloud.region, credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey }, maxAttempts: 1 };
    const iam = new IAMClient(client);
    const account = cloud.accountId;

    step('2.1 create the ECR repository my-app');
    const ecr = new ECRClient(client);
    const existingRepo = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['my-app'] })).catch(() => undefined);
    const repositoryUri =
      existingRepo?.repositories?.[0]?.repositoryUri ?? (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'my-app' }))).repository?.repositoryUri;
    if (!repositoryUri) throw new CliError('CreateRepository returned no repository');
    done(`${repositoryUri} (the seed's XXXXXXXXXXXX.dkr.ecr.us-east-1.amazonaws.com/my-app)`);

    step('3.1 add GitHub as an OpenID Connect identity provider (audience sts.amazonaws.com)');
    const providerArn = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
    const providers = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    if (!providers.OpenIDConnectProviderList?.some((p) => p.Arn === providerArn)) {
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'] }));
    }
    done(providerArn);

    step(`    create the role ${ROLE} with the seed's trust policy`);
    const trustPolicy = seedTrustPolicy(account);
    const existing = await iam.send(new GetRoleCommand({ RoleName: ROLE })).catch(() => undefined);
    const roleArn = existing?.Role?.Arn ?? (await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: trustPolicy }))).Role?.Arn;
    if (!roleArn) throw new CliError('CreateRole returned no role');
    done(`${roleArn}\n      admits sub repo:${REPO}:ref:refs/heads/main with aud sts.amazonaws.com`);

    step('    attach AmazonECS_FullAccess and AmazonEC2ContainerRegistryFullAccess');
    for (const name of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess']) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: `arn:aws:iam::aws:policy/${name}` }));
    }
    done('attached');

    const state = new CloudState({ dataDir, issuer: DEFAULTS.issuer }, systemClock);
    try {
      await state.issuer.init();
      const sts = new STSClient({ ...client, credentials: undefined });
      for (const branch of ['main', 'master']) {
        step(`3.3 a job of ${REPO} on ${branch} asks for an OIDC token and calls AssumeRoleWithWebIdentity`);
        const token = await state.issuer.issue({ repository: REPO, ref: `refs/heads/${branch}`, audience: 'sts.amazonaws.com', workflow: 'Deploy my-app to Amazon ECS' });
        try {
          const assumed = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'GitHubActions', WebIdentityToken: token }));
          const creds = assumed.Credentials;
          if (!creds?.AccessKeyId || !creds.SecretAccessKey) throw new CliError('AssumeRoleWithWebIdentity returned no credentials');
          done(`credentials ${creds.AccessKeyId} until ${creds.Expiration?.toISOString()}`);
          const who = await new STSClient({ ...client, credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken } }).send(
            new GetCallerIdentityCommand({}),
          );
          done(`GetCallerIdentity with them: ${who.Arn}`);
          step('4   with those credentials: log docker in to ECR, build and push my-app (the workflow\'s middle steps)');
          const pushed = await pushDemoImage(
            { ...client, credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken } },
            'my-app',
            repositoryUri,
            'demo',
          );
          done(`pushed ${repositoryUri}:demo, DescribeImages: ${pushed.digest} (${pushed.size} bytes)`);
        } catch (error) {
          const e = error as { name?: string; message?: string };
          refused(`STS refused: ${e.name}: ${e.message}`);
          const why = await explainWebIdentityTrust(token, roleArn, systemClock.now(), {
            iam: state.iam,
            keysFor: (issuer) => (issuer === DEFAULTS.issuer ? state.issuer.getKey : undefined),
          });
          for (const s of why.statements) for (const f of s.failures) process.stdout.write(`      why: ${f.detail}\n`);
        }
      }
    } finally {
      state.close();
    }
    process.stdout.write(
      `\nThe seed's workflow runs on pushes to master, so its first deploy fails exactly like this.\n` +
        `Check a role before pushing:\n  bin/dockyard trust check --role-arn ${roleArn} --repo ${REPO} --ref refs/heads/master\n` +
        `Look around with the AWS CLI:\n  eval "$(bin/dockyard env)"\n  /usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" iam get-role --role-name ${ROLE}\n` +
        `  /usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" ecr describe-images --repository-name my-app\n` +
        `Stop the cloud: bin/dockyard down\n`,
    );
    return 0;
  },
};

/** The seed's trust policy (Step 3.1), with the account filled in. */
export function seedTrustPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringLike: { 'token.actions.githubusercontent.com:sub': `repo:${REPO}:ref:refs/heads/main` },
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          },
        },
      ],
    },
    null,
    2,
  );
}

function step(text: string): void {
  process.stdout.write(`\n▸ ${text}\n`);
}
function done(text: string): void {
  process.stdout.write(`  ✓ ${text}\n`);
}
function refused(text: string): void {
  process.stdout.write(`  ✗ ${text}\n`);
}
