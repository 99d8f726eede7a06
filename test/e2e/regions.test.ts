/**
 * Regions and accounts with the AWS CLI v2 and skopeo: each regional service (ECR, ECS, EC2,
 * CloudWatch Logs, Secrets Manager, SSM) answers `--region eu-west-1` with eu-west-1 ARNs and
 * its own state, IAM and STS are global, a region outside AWS's partition is refused; the
 * registry serves eu-west-1's repositories at their ECR host path and refuses another
 * account's; state survives a restart; the account id changes at start while no resource
 * carries it and is refused, naming what exists, once one does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeTinyImageLayout } from '../../src/images/tiny-image.js';
import { awsCli } from '../support/aws-cli.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { dockyard } from '../support/dockyard-cli.js';
import { run, runOk } from '../support/run.js';

const ACCOUNT = '111122223333';

/** GET /v2/<repository>/tags/list on the cloud's port with `host` as the Host header. */
function tagsList(port: number, host: string, password: string, repository: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/v2/${repository}/tags/list`,
        headers: { host, authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(body) as unknown));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
const HOME = 'us-east-1';
const OTHER = 'eu-west-1';

describe('regions and the account id', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-regions-'));
  let cloud: TestCloud;

  /** The CLI in `region`, its JSON output; fails the test if the command fails. */
  const cli = async (region: string, args: string[]): Promise<Record<string, unknown>> => {
    const result = await awsCli({ ...cloud, region }, args);
    assert.equal(result.status, 0, `${args.join(' ')} --region ${region}: ${result.stderr}`);
    return JSON.parse(result.stdout || '{}') as Record<string, unknown>;
  };
  /** The CLI in `region`, which must fail; what it printed. */
  const cliError = async (region: string, args: string[]): Promise<string> => {
    const result = await awsCli({ ...cloud, region }, args);
    assert.notEqual(result.status, 0, `${args.join(' ')} --region ${region} succeeded: ${result.stdout}`);
    return result.stderr;
  };

  before(async () => {
    // A fresh data directory takes another account at its first start and, with nothing in it, at the next.
    const first = await startTestCloud({ dataDir });
    assert.equal(first.accountId, '000000000000');
    await first.stop();
    cloud = await startTestCloud({ dataDir, accountId: ACCOUNT });
  });
  after(async () => {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('moved the cloud to the account given at start while nothing carried the old one', async () => {
    const me = await cli(OTHER, ['sts', 'get-caller-identity']);
    assert.equal(me.Account, ACCOUNT);
    assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    const groups = await cli(OTHER, ['ec2', 'describe-security-groups', '--group-names', 'default']);
    const [group] = groups.SecurityGroups as { OwnerId: string }[];
    assert.equal(group?.OwnerId, ACCOUNT);
  });

  it('keeps each regional service apart per region, with the region in its ARNs', async () => {
    const repo = (await cli(OTHER, ['ecr', 'create-repository', '--repository-name', 'team/app'])).repository as {
      repositoryArn: string;
      repositoryUri: string;
      registryId: string;
    };
    assert.equal(repo.repositoryArn, `arn:aws:ecr:${OTHER}:${ACCOUNT}:repository/team/app`);
    assert.equal(repo.repositoryUri, `localhost:${cloud.port}/${ACCOUNT}.dkr.ecr.${OTHER}.amazonaws.com/team/app`);
    assert.equal(repo.registryId, ACCOUNT);
    assert.deepEqual((await cli(HOME, ['ecr', 'describe-repositories'])).repositories, []);
    const home = (await cli(HOME, ['ecr', 'create-repository', '--repository-name', 'team/app'])).repository as {
      repositoryArn: string;
      repositoryUri: string;
    };
    assert.equal(home.repositoryArn, `arn:aws:ecr:${HOME}:${ACCOUNT}:repository/team/app`);
    assert.equal(home.repositoryUri, `localhost:${cloud.port}/team/app`, 'the home region keeps its short URIs');

    const cluster = (await cli(OTHER, ['ecs', 'create-cluster', '--cluster-name', 'apps'])).cluster as {
      clusterArn: string;
    };
    assert.equal(cluster.clusterArn, `arn:aws:ecs:${OTHER}:${ACCOUNT}:cluster/apps`);
    assert.deepEqual((await cli(HOME, ['ecs', 'list-clusters'])).clusterArns, []);
    assert.deepEqual((await cli(OTHER, ['ecs', 'list-clusters'])).clusterArns, [cluster.clusterArn]);

    await cli(OTHER, ['logs', 'create-log-group', '--log-group-name', '/ecs/app']);
    const logGroups = (await cli(OTHER, ['logs', 'describe-log-groups'])).logGroups as { arn: string }[];
    assert.deepEqual(
      logGroups.map((g) => g.arn),
      [`arn:aws:logs:${OTHER}:${ACCOUNT}:log-group:/ecs/app:*`],
    );
    assert.deepEqual((await cli(HOME, ['logs', 'describe-log-groups'])).logGroups, []);

    const secret = await cli(OTHER, ['secretsmanager', 'create-secret', '--name', 'db', '--secret-string', 'pw']);
    assert.match(
      String(secret.ARN),
      new RegExp(`^arn:aws:secretsmanager:${OTHER}:${ACCOUNT}:secret:db-[A-Za-z0-9]{6}$`),
    );
    assert.match(
      await cliError(HOME, ['secretsmanager', 'get-secret-value', '--secret-id', 'db']),
      /ResourceNotFoundException/,
    );

    await cli(OTHER, ['ssm', 'put-parameter', '--name', '/app/stage', '--value', 'prod', '--type', 'String']);
    const parameter = (await cli(OTHER, ['ssm', 'get-parameter', '--name', '/app/stage'])).Parameter as {
      ARN: string;
      Value: string;
    };
    assert.equal(parameter.ARN, `arn:aws:ssm:${OTHER}:${ACCOUNT}:parameter/app/stage`);
    assert.match(await cliError(HOME, ['ssm', 'get-parameter', '--name', '/app/stage']), /ParameterNotFound/);

    const zones = (await cli(OTHER, ['ec2', 'describe-availability-zones'])).AvailabilityZones as {
      ZoneName: string;
      RegionName: string;
    }[];
    assert.deepEqual(
      zones.map((z) => [z.ZoneName, z.RegionName]),
      ['a', 'b', 'c'].map((letter) => [`${OTHER}${letter}`, OTHER]),
    );
    const vpcOf = async (region: string) =>
      ((await cli(region, ['ec2', 'describe-vpcs'])).Vpcs as { VpcId: string; IsDefault: boolean }[]).filter(
        (v) => v.IsDefault,
      );
    const [homeVpc] = await vpcOf(HOME);
    const [otherVpc] = await vpcOf(OTHER);
    assert.ok(homeVpc && otherVpc, 'each region has its default VPC');
    assert.notEqual(homeVpc.VpcId, otherVpc.VpcId);
  });

  it('keeps IAM and STS global', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const created = (
      await cli(OTHER, [
        'iam',
        'create-role',
        '--role-name',
        'ecsTaskExecutionRole',
        '--assume-role-policy-document',
        trust,
      ])
    ).Role as { Arn: string };
    assert.equal(created.Arn, `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`);
    const got = (await cli(HOME, ['iam', 'get-role', '--role-name', 'ecsTaskExecutionRole'])).Role as { Arn: string };
    assert.equal(got.Arn, created.Arn);
    assert.equal((await cli('ap-southeast-2', ['sts', 'get-caller-identity'])).Account, ACCOUNT);
  });

  it('refuses a region outside AWS’s partition as AWS does', async () => {
    const refused = await cliError('xx-nowhere-9', ['ecs', 'list-clusters']);
    assert.match(refused, /Credential should be scoped to a valid region, not 'xx-nowhere-9'/);
  });

  it('serves each region’s repositories at their ECR host path, and refuses another account’s', async () => {
    const layout = mkdtempSync(join(tmpdir(), 'dockyard-regions-layout-'));
    try {
      writeTinyImageLayout(layout, 'v1');
      const password = (await awsCli({ ...cloud, region: OTHER }, ['ecr', 'get-login-password'])).stdout.trim();
      const registry = `localhost:${cloud.port}`;
      const otherPath = `${registry}/${ACCOUNT}.dkr.ecr.${OTHER}.amazonaws.com/team/app`;
      await runOk('skopeo', [
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `AWS:${password}`,
        `oci:${layout}:v1`,
        `docker://${otherPath}:v1`,
      ]);
      const images = (await cli(OTHER, ['ecr', 'describe-images', '--repository-name', 'team/app'])).imageDetails as {
        imageTags: string[];
      }[];
      assert.deepEqual(
        images.map((i) => i.imageTags),
        [['v1']],
      );
      assert.deepEqual(
        (await cli(HOME, ['ecr', 'describe-images', '--repository-name', 'team/app'])).imageDetails,
        [],
        'the home region’s repository of the same name is another repository',
      );
      const tags = await runOk('skopeo', [
        'list-tags',
        '--tls-verify=false',
        '--creds',
        `AWS:${password}`,
        `docker://${otherPath}`,
      ]);
      assert.deepEqual((JSON.parse(tags.stdout) as { Tags: string[] }).Tags, ['v1']);
      // Asked by its AWS host name (as a job's /etc/hosts sends it here), the path is the repository, as on AWS.
      const byHost = (host: string) => tagsList(cloud.port, host, password, 'team/app');
      assert.deepEqual(await byHost(`${ACCOUNT}.dkr.ecr.${OTHER}.amazonaws.com`), { name: 'team/app', tags: ['v1'] });
      assert.deepEqual(await byHost(`${ACCOUNT}.dkr.ecr.${HOME}.amazonaws.com`), { name: 'team/app', tags: [] });
      assert.deepEqual(await byHost(registry), { name: 'team/app', tags: [] });

      const foreign = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `AWS:${password}`,
        `docker://${registry}/999999999999.dkr.ecr.${OTHER}.amazonaws.com/team/app:v1`,
      ]);
      assert.notEqual(foreign.status, 0);
      assert.match(foreign.stderr, /denied/i);
    } finally {
      rmSync(layout, { recursive: true, force: true });
    }
  });

  it('keeps every region’s state across a restart, and then refuses to change the account id', async () => {
    await cloud.stop();
    cloud = await startTestCloud({ dataDir });
    assert.equal(cloud.accountId, ACCOUNT);
    const clusters = (await cli(OTHER, ['ecs', 'list-clusters'])).clusterArns;
    assert.deepEqual(clusters, [`arn:aws:ecs:${OTHER}:${ACCOUNT}:cluster/apps`]);
    await cloud.stop();

    const refused = await dockyard(['up', '--port', '0', '--data', dataDir, '--account-id', '444455556666']);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, new RegExp(`holds resources of account ${ACCOUNT} \\(1 IAM role, `));
    assert.match(refused.stderr, new RegExp(`1 ECS cluster in ${OTHER}`));
    assert.match(refused.stderr, /the account id can no longer change to 444455556666/);
    cloud = await startTestCloud({ dataDir });
    assert.equal(cloud.accountId, ACCOUNT, 'the refusal changed nothing');
  });
});
