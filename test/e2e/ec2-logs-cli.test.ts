/**
 * The seed's Step 2.4 verbatim with the AWS CLI v2 (the default VPC, its subnets and security
 * group found with `--filters` and `--query`, then "open HTTP if needed"), and CloudWatch Logs
 * through the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCli } from '../support/aws-cli.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

describe("the seed's networking step and CloudWatch Logs with the AWS CLI", () => {
  let cloud: TestCloud;
  before(async () => (cloud = await startTestCloud()));
  after(async () => cloud.stop());

  const text = async (args: string[]) => {
    const result = await awsCli(cloud, [...args, '--output', 'text']);
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  };

  it('finds the default VPC, subnets and security group and opens HTTP', async () => {
    const vpc = await text([
      'ec2',
      'describe-vpcs',
      '--filters',
      'Name=isDefault,Values=true',
      '--query',
      'Vpcs[0].VpcId',
    ]);
    assert.match(vpc, /^vpc-[0-9a-f]{17}$/);
    const subnets = (
      await text([
        'ec2',
        'describe-subnets',
        '--filters',
        `Name=vpc-id,Values=${vpc}`,
        '--query',
        'Subnets[*].SubnetId',
      ])
    ).split(/\s+/);
    assert.ok(subnets.length >= 2);
    for (const subnet of subnets) assert.match(subnet, /^subnet-[0-9a-f]{17}$/);
    const group = await text([
      'ec2',
      'describe-security-groups',
      '--filters',
      `Name=vpc-id,Values=${vpc}`,
      '--query',
      "SecurityGroups[?GroupName=='default'].GroupId",
    ]);
    assert.match(group, /^sg-[0-9a-f]{17}$/);
    const opened = await awsCli(cloud, [
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      group,
      '--protocol',
      'tcp',
      '--port',
      '80',
      '--cidr',
      '0.0.0.0/0',
    ]);
    assert.equal(opened.status, 0, opened.stderr);
    const again = await awsCli(cloud, [
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      group,
      '--protocol',
      'tcp',
      '--port',
      '80',
      '--cidr',
      '0.0.0.0/0',
    ]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /InvalidPermission\.Duplicate/);
    const rules = JSON.parse(
      (await awsCli(cloud, ['ec2', 'describe-security-groups', '--group-ids', group])).stdout,
    ) as {
      SecurityGroups: { IpPermissions: { FromPort?: number; IpRanges: { CidrIp: string }[] }[] }[];
    };
    assert.ok(
      rules.SecurityGroups[0]?.IpPermissions.some(
        (p) => p.FromPort === 80 && p.IpRanges.some((r) => r.CidrIp === '0.0.0.0/0'),
      ),
    );
  });

  it('writes and reads log events', async () => {
    assert.equal((await awsCli(cloud, ['logs', 'create-log-group', '--log-group-name', '/ecs/my-app'])).status, 0);
    assert.equal(
      (
        await awsCli(cloud, [
          'logs',
          'create-log-stream',
          '--log-group-name',
          '/ecs/my-app',
          '--log-stream-name',
          'ecs/my-app/abc',
        ])
      ).status,
      0,
    );
    const now = Date.now();
    const put = await awsCli(cloud, [
      'logs',
      'put-log-events',
      '--log-group-name',
      '/ecs/my-app',
      '--log-stream-name',
      'ecs/my-app/abc',
      '--log-events',
      `timestamp=${now},message=GET / 200`,
      `timestamp=${now + 1},message=GET /x 404`,
    ]);
    assert.equal(put.status, 0, put.stderr);
    const events = JSON.parse(
      (
        await awsCli(cloud, [
          'logs',
          'get-log-events',
          '--log-group-name',
          '/ecs/my-app',
          '--log-stream-name',
          'ecs/my-app/abc',
          '--start-from-head',
        ])
      ).stdout,
    ) as { events: { message: string }[] };
    assert.deepEqual(
      events.events.map((e) => e.message),
      ['GET / 200', 'GET /x 404'],
    );
    const filtered = JSON.parse(
      (await awsCli(cloud, ['logs', 'filter-log-events', '--log-group-name', '/ecs/my-app', '--filter-pattern', '404']))
        .stdout,
    ) as { events: { message: string }[] };
    assert.deepEqual(
      filtered.events.map((e) => e.message),
      ['GET /x 404'],
    );
    const missing = await awsCli(cloud, [
      'logs',
      'get-log-events',
      '--log-group-name',
      '/nope',
      '--log-stream-name',
      'x',
    ]);
    assert.match(missing.stderr, /ResourceNotFoundException/);
  });
});
