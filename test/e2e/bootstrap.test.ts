/**
 * `dockyard bootstrap`: the deploy role it creates admits only the repository's branch, and its
 * credentials can do exactly what the seed's workflow does (log in to ECR, push the image,
 * register a task definition passing the execution role, update and describe the service) and
 * nothing next to it: another repository, another service, another role to pass, IAM itself.
 * Real clients throughout: the CLI itself, the AWS CLI with the assumed credentials, skopeo.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { awsCli } from '../support/aws-cli.js';
import type { TestCloud } from '../support/cloud.js';
import { dockyard, startDockyardCloud, type DockyardProcess } from '../support/dockyard-cli.js';
import { writeRandomLayout } from '../support/oci-layout.js';
import { run } from '../support/run.js';
import { readFileSync } from 'node:fs';

const EXAMPLE = fileURLToPath(new URL('../../../examples/seed-app', import.meta.url));
const REPO = 'acme/shop';
const ROLE = 'github-deploy-acme-shop';
const BOOTSTRAP = ['bootstrap', '--repo', REPO, '--cluster', 'apps', '--service', 'shop', '--ecr-repository', 'shop'];

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

describe('dockyard bootstrap', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-bootstrap-'));
  let proc: DockyardProcess;
  let cloud: Pick<TestCloud, 'url' | 'region' | 'admin'>;
  let accountId = '';

  before(async () => {
    proc = await startDockyardCloud(['--data', dataDir]);
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as TestCloud['admin'];
    cloud = { url: proc.url, region: 'us-east-1', admin };
    accountId = (JSON.parse((await awsCli(cloud, ['sts', 'get-caller-identity'])).stdout) as { Account: string })
      .Account;
  });
  after(async () => {
    await proc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const admin = async (args: string[]): Promise<string> => {
    const result = await awsCli(cloud, args);
    assert.equal(result.status, 0, `aws ${args.slice(0, 2).join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const assume = async (ref: string): Promise<{ status: number; stderr: string; credentials?: Credentials }> => {
    const token = (
      await dockyard(['token', '--repo', REPO, '--ref', ref, '--audience', 'sts.amazonaws.com', '--data', dataDir])
    ).stdout.trim();
    const result = await awsCli(
      cloud,
      [
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        `arn:aws:iam::${accountId}:role/${ROLE}`,
        '--role-session-name',
        'deploy',
        '--web-identity-token',
        token,
      ],
      'none',
    );
    if (result.status !== 0) return { status: result.status, stderr: result.stderr };
    const c = (
      JSON.parse(result.stdout) as {
        Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      }
    ).Credentials;
    return {
      status: 0,
      stderr: '',
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    };
  };

  it('creates the provider, the repository, the execution role and the deploy role, then changes nothing on a rerun', async () => {
    const first = await dockyard([...BOOTSTRAP, '--data', dataDir]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /deploy role github-deploy-acme-shop: created/);
    assert.match(first.stdout, new RegExp(`role-to-assume: arn:aws:iam::${accountId}:role/${ROLE}`));
    const again = await dockyard([...BOOTSTRAP, '--data', dataDir, '--json']);
    assert.equal(again.status, 0, again.stderr);
    const result = JSON.parse(again.stdout) as { steps: { what: string; outcome: string }[]; subjects: string[] };
    assert.deepEqual(
      result.steps.map((s) => s.outcome),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'],
    );
    assert.deepEqual(result.subjects, ['repo:acme/shop:ref:refs/heads/main']);

    const role = JSON.parse(await admin(['iam', 'get-role', '--role-name', ROLE])) as {
      Role: { AssumeRolePolicyDocument: { Statement: { Condition: unknown }[] } };
    };
    assert.deepEqual(role.Role.AssumeRolePolicyDocument.Statement[0]?.Condition, {
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/shop:ref:refs/heads/main',
      },
    });
    assert.match(
      await admin(['iam', 'list-attached-role-policies', '--role-name', 'ecsTaskExecutionRole']),
      /AmazonECSTaskExecutionRolePolicy/,
    );
    assert.match(await admin(['ecr', 'describe-repositories', '--repository-names', 'shop']), /repository\/shop/);
  });

  it('admits only the named branch', async () => {
    const refused = await assume('refs/heads/feature');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /AccessDenied.*Not authorized to perform sts:AssumeRoleWithWebIdentity/);
    assert.equal((await assume('refs/heads/main')).status, 0);
  });

  it("grants the workflow's calls on its own resources and nothing beside them", async () => {
    // What the administrator's Step 2 made: a cluster with this service and another one.
    await admin(['ecs', 'create-cluster', '--cluster-name', 'apps']);
    const subnet = (
      await admin(['ec2', 'describe-subnets', '--query', 'Subnets[0].SubnetId', '--output', 'text'])
    ).trim();
    await admin([
      'iam',
      'create-role',
      '--role-name',
      'admin-ish',
      '--assume-role-policy-document',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    ]);
    const taskDef = (executionRole: string) =>
      JSON.stringify({
        family: 'shop',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${accountId}:role/${executionRole}`,
        containerDefinitions: [
          { name: 'shop', image: `${accountId}.dkr.ecr.us-east-1.amazonaws.com/shop:1`, essential: true },
        ],
      });
    await admin(['ecs', 'register-task-definition', '--cli-input-json', taskDef('ecsTaskExecutionRole')]);
    for (const service of ['shop', 'other']) {
      await admin([
        'ecs',
        'create-service',
        '--cluster',
        'apps',
        '--service-name',
        service,
        '--task-definition',
        'shop',
        '--desired-count',
        '0',
        '--launch-type',
        'FARGATE',
        '--network-configuration',
        `awsvpcConfiguration={subnets=[${subnet}],assignPublicIp=ENABLED}`,
      ]);
    }
    await admin(['ecr', 'create-repository', '--repository-name', 'other']);

    const { credentials } = await assume('refs/heads/main');
    assert.ok(credentials);
    const as = (args: string[]) => awsCli(cloud, args, credentials);
    const denied = async (args: string[], action: string) => {
      const result = await as(args);
      assert.notEqual(result.status, 0, `${args.join(' ')} should be denied`);
      assert.match(result.stderr, new RegExp(`AccessDenied.*not authorized to perform: ${action}`));
    };

    // amazon-ecr-login and docker push, as skopeo does it.
    const password = await as(['ecr', 'get-login-password']);
    assert.equal(password.status, 0, password.stderr);
    const work = mkdtempSync(join(tmpdir(), 'dockyard-bootstrap-image-'));
    try {
      await writeRandomLayout(join(work, 'layout'), 'v1', 4096);
      const push = (repository: string) =>
        run('skopeo', [
          'copy',
          '--dest-tls-verify=false',
          '--dest-creds',
          `AWS:${password.stdout.trim()}`,
          `oci:${join(work, 'layout')}:v1`,
          `docker://localhost:${proc.port}/${repository}:1`,
        ]);
      const pushed = await push('shop');
      assert.equal(pushed.status, 0, pushed.stderr);
      const elsewhere = await push('other');
      assert.notEqual(elsewhere.status, 0);
      assert.match(elsewhere.stderr, /denied|unauthorized|403/i);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }

    // amazon-ecs-deploy-task-definition: register (passing the execution role), update, describe.
    const registered = await as([
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      taskDef('ecsTaskExecutionRole'),
    ]);
    assert.equal(registered.status, 0, registered.stderr);
    await denied(['ecs', 'register-task-definition', '--cli-input-json', taskDef('admin-ish')], 'iam:PassRole');
    const updated = await as([
      'ecs',
      'update-service',
      '--cluster',
      'apps',
      '--service',
      'shop',
      '--task-definition',
      'shop:2',
    ]);
    assert.equal(updated.status, 0, updated.stderr);
    assert.equal((await as(['ecs', 'describe-services', '--cluster', 'apps', '--services', 'shop'])).status, 0);
    await denied(
      ['ecs', 'update-service', '--cluster', 'apps', '--service', 'other', '--task-definition', 'shop:2'],
      'ecs:UpdateService',
    );
    await denied(['ecs', 'delete-service', '--cluster', 'apps', '--service', 'shop', '--force'], 'ecs:DeleteService');
    await denied(['ecr', 'delete-repository', '--repository-name', 'shop', '--force'], 'ecr:DeleteRepository');
    await denied(['iam', 'list-roles'], 'iam:ListRoles');
  });

  it('updates only what a changed flag changes, and warns about broader policies on the role', async () => {
    await admin([
      'iam',
      'attach-role-policy',
      '--role-name',
      ROLE,
      '--policy-arn',
      'arn:aws:iam::aws:policy/AmazonECS_FullAccess',
    ]);
    const result = await dockyard([...BOOTSTRAP, '--branch', 'main', '--branch', 'release', '--data', dataDir]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /= deploy policy dockyard-deploy: unchanged/);
    assert.match(result.stdout, /✓ deploy role github-deploy-acme-shop: updated/);
    assert.match(
      result.stdout,
      /! github-deploy-acme-shop also has AmazonECS_FullAccess attached.*aws iam detach-role-policy --role-name github-deploy-acme-shop/,
    );
    assert.equal((await assume('refs/heads/release')).status, 0);
  });

  it('reads only on a dry run, and talks to any endpoint with the usual credential chain', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: cloud.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cloud.admin.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const args = [
      'bootstrap',
      '--repo',
      'acme/api',
      '--cluster',
      'apps',
      '--service',
      'api',
      '--ecr-repository',
      'api',
      '--endpoint-url',
      cloud.url,
      '--region',
      'us-east-1',
      '--dry-run',
    ];
    const dry = await dockyard(args, env);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /~ deploy role github-deploy-acme-api: would create/);
    assert.match(dry.stdout, /"Resource": "arn:aws:ecs:us-east-1:\d{12}:service\/apps\/api"/);
    const roles = await admin(['iam', 'list-roles', '--query', 'Roles[].RoleName']);
    assert.doesNotMatch(roles, /acme-api/);
    assert.equal((await awsCli(cloud, ['ecr', 'describe-repositories', '--repository-names', 'api'])).status, 254);
  });

  it("reads what it needs from the seed's workflow, and the workflow then passes the trust check", async () => {
    const workflow = join(EXAMPLE, '.github', 'workflows', 'deployment.yaml');
    const result = await dockyard([
      'bootstrap',
      '--repo',
      'your-username/ecsapp',
      '--workflow',
      workflow,
      '--data',
      dataDir,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /the workflow says: role GitHub_Actions_Role; region us-east-1; branches main; ECR repository my-app; service my-app-cluster\/my-app-service; execution role ecsTaskExecutionRole/,
    );
    assert.match(result.stdout, /deploy role GitHub_Actions_Role: created/);
    const policy = JSON.parse(
      await admin(['iam', 'get-role-policy', '--role-name', 'GitHub_Actions_Role', '--policy-name', 'dockyard-deploy']),
    ) as { PolicyDocument: { Statement: { Sid: string; Resource: unknown }[] } };
    const resource = (sid: string) => policy.PolicyDocument.Statement.find((s) => s.Sid === sid)?.Resource;
    assert.equal(resource('PushTheImage'), `arn:aws:ecr:us-east-1:${accountId}:repository/my-app`);
    assert.equal(
      resource('DeployTheService'),
      `arn:aws:ecs:us-east-1:${accountId}:service/my-app-cluster/my-app-service`,
    );
    const checked = await dockyard([
      'trust',
      'check',
      '--workflow',
      workflow,
      '--repo',
      'your-username/ecsapp',
      '--data',
      dataDir,
    ]);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
  });

  it('refuses bad input with the usage, and a caller without IAM rights with the reason', async () => {
    const missing = await dockyard(['bootstrap', '--repo', REPO, '--data', dataDir]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--cluster is required/);
    const pattern = await dockyard([...BOOTSTRAP, '--branch', 'release/*', '--data', dataDir]);
    assert.equal(pattern.status, 2);
    assert.match(pattern.stderr, /exact names, not patterns/);
    const { credentials } = await assume('refs/heads/main');
    assert.ok(credentials);
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const refused = await dockyard([...BOOTSTRAP, '--endpoint-url', cloud.url, '--region', 'us-east-1'], env);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /AccessDenied.*needs an administrator's credentials/s);
    assert.doesNotMatch(refused.stderr, /\n\s+at /);
  });
});
