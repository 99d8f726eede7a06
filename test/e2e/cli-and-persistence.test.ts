/**
 * Acceptance: the CLI (`up --detach`, `env`, `token`, `trust check`, `down`) and durability:
 * after `kill -9` and a restart, providers, roles, policies, signing keys and unexpired
 * sessions are all still there.
 */
import {
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { AttachRolePolicyCommand, CreateRoleCommand, GetPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedTrustPolicy } from '../support/cloud.js';
import { dockyard } from '../support/dockyard-cli.js';
import { waitForExit } from '../../src/host/processes.js';

interface Endpoint {
  url: string;
  pid: number;
  region: string;
  accountId: string;
}

describe('dockyard CLI and durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-cli-'));
  const env = { DOCKYARD_DATA: dataDir };
  let endpoint: Endpoint;
  let admin: { accessKeyId: string; secretAccessKey: string };
  const config = () => ({ endpoint: endpoint.url, region: endpoint.region, credentials: admin, maxAttempts: 1 });
  const readEndpoint = () => JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as Endpoint;

  before(async () => {
    const up = await dockyard(['up', '--detach', '--port', '0', '--account-id', '123456789012'], env);
    assert.equal(up.status, 0, up.stderr);
    assert.match(up.stdout, /dockyard is up at http:\/\/127\.0\.0\.1:\d+/);
    endpoint = readEndpoint();
  });
  after(async () => {
    await dockyard(['down'], env);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints export lines with the admin key, stored 0600', async () => {
    const out = await dockyard(['env'], env);
    assert.equal(out.status, 0, out.stderr);
    const vars = Object.fromEntries([...out.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    assert.equal(vars.AWS_ENDPOINT_URL, endpoint.url);
    assert.equal(vars.AWS_REGION, 'us-east-1');
    assert.equal(vars.AWS_DEFAULT_REGION, 'us-east-1');
    assert.match(vars.AWS_ACCESS_KEY_ID ?? '', /^AKIA[A-Z2-7]{16}$/);
    admin = { accessKeyId: vars.AWS_ACCESS_KEY_ID as string, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY as string };
    assert.equal(statSync(join(dataDir, 'admin.json')).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  });

  it('refuses a second `up` on the same data directory', async () => {
    const again = await dockyard(['up', '--port', '0'], env);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already running/);
  });

  it('explains trust before a push and keeps everything across kill -9', async () => {
    const iam = new IAMClient(config());
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'GitHub_Actions_Role',
        AssumeRolePolicyDocument: seedTrustPolicy('123456789012'),
        MaxSessionDuration: 7200,
      }),
    );
    const roleArn = role.Role?.Arn as string;
    const policy = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'deploy',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*' }],
        }),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'GitHub_Actions_Role', PolicyArn: policy.Policy?.Arn }));

    const refused = await dockyard(
      ['trust', 'check', '--role-arn', roleArn, '--repo', 'your-username/ecsapp', '--ref', 'refs/heads/master'],
      env,
    );
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stdout, /would refuse/);
    assert.match(refused.stdout, /repo:your-username\/ecsapp:ref:refs\/heads\/master/);
    assert.match(refused.stdout, /StringLike/);
    assert.match(refused.stdout, /repo:your-username\/ecsapp:ref:refs\/heads\/main/);
    const admitted = await dockyard(
      ['trust', 'check', '--role-arn', roleArn, '--repo', 'your-username/ecsapp', '--ref', 'refs/heads/main'],
      env,
    );
    assert.equal(admitted.status, 0, admitted.stdout + admitted.stderr);

    const token = (
      await dockyard(
        ['token', '--repo', 'your-username/ecsapp', '--ref', 'main', '--audience', 'sts.amazonaws.com'],
        env,
      )
    ).stdout.trim();
    const sts = new STSClient(config());
    const assumed = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'before-crash',
        WebIdentityToken: token,
      }),
    );
    const c = assumed.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);

    process.kill(endpoint.pid, 'SIGKILL');
    assert.ok(await waitForExit([endpoint.pid], 10_000), 'the killed cloud exits');
    const restarted = await dockyard(['up', '--detach', '--port', '0'], env);
    assert.equal(restarted.status, 0, restarted.stderr);
    endpoint = readEndpoint();

    const iam2 = new IAMClient(config());
    assert.equal((await iam2.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList?.length, 1);
    const got = await iam2.send(new GetRoleCommand({ RoleName: 'GitHub_Actions_Role' }));
    assert.equal(got.Role?.MaxSessionDuration, 7200);
    assert.equal((await iam2.send(new GetPolicyCommand({ PolicyArn: policy.Policy?.Arn }))).Policy?.AttachmentCount, 1);
    // The session from before the crash still works, and the token minted before it still verifies (same keys).
    const who = await new STSClient({
      ...config(),
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    }).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:aws:sts::123456789012:assumed-role/GitHub_Actions_Role/before-crash');
    const again = await new STSClient(config()).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'after-crash',
        WebIdentityToken: token,
      }),
    );
    assert.ok(again.Credentials?.AccessKeyId);
  });

  it('stops with `down`', async () => {
    const down = await dockyard(['down'], env);
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stdout, /stopped/);
    await assert.rejects(fetch(`${endpoint.url}/_dockyard/health`));
    const again = await dockyard(['down'], env);
    assert.match(again.stdout, /not running/);
  });

  it('has --help on every command', async () => {
    for (const command of [
      ['up'],
      ['down'],
      ['env'],
      ['demo'],
      ['token'],
      ['trust', 'check'],
      ['keys', 'list'],
      ['keys', 'rotate'],
      ['keys', 'remove'],
      ['endpoint'],
    ]) {
      const help = await dockyard([...command, '--help']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, /^Usage: dockyard /);
    }
  });
});
