/**
 * The default network and the seed's Step 2.4: describe-vpcs / describe-subnets /
 * describe-security-groups with the seed's filters, their rendered XML, ids and filter errors,
 * availability zones, and the defaults surviving a restart.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ACCOUNT, createHarness, list, rejectsWith, type Ec2Harness } from './fixtures.js';

let h: Ec2Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

async function defaultVpcId(): Promise<string> {
  const out = await h.call('DescribeVpcs', 'Filter.1.Name=isDefault&Filter.1.Value.1=true');
  return String(list(out, 'vpcSet')[0]?.vpcId);
}

describe('the default VPC', () => {
  it('answers the seed\'s describe-vpcs --filters "Name=isDefault,Values=true"', async () => {
    const vpcs = list(await h.call('DescribeVpcs', 'Filter.1.Name=isDefault&Filter.1.Value.1=true'), 'vpcSet');
    assert.equal(vpcs.length, 1);
    const vpc = vpcs[0] ?? {};
    assert.match(String(vpc.vpcId), /^vpc-[0-9a-f]{17}$/);
    assert.equal(vpc.cidrBlock, '172.31.0.0/16');
    assert.equal(vpc.isDefault, true);
    assert.equal(vpc.ownerId, ACCOUNT);
    assert.equal(vpc.state, 'available');
    assert.match(String(vpc.dhcpOptionsId), /^dopt-[0-9a-f]{17}$/);
    // is-default is the documented name; false matches nothing.
    assert.equal(
      list(await h.call('DescribeVpcs', 'Filter.1.Name=is-default&Filter.1.Value.1=true'), 'vpcSet').length,
      1,
    );
    assert.equal(
      list(await h.call('DescribeVpcs', 'Filter.1.Name=isDefault&Filter.1.Value.1=false'), 'vpcSet').length,
      0,
    );
  });

  it('renders EC2 XML: no Result wrapper, <item> lists, requestId first', async () => {
    const xml = await h.xml('DescribeVpcs', 'Filter.1.Name=isDefault&Filter.1.Value.1=true');
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeVpcsResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><vpcSet><item>/,
    );
    assert.match(xml, /<vpcId>vpc-[0-9a-f]{17}<\/vpcId>/);
    assert.match(xml, /<isDefault>true<\/isDefault>/);
    assert.match(
      xml,
      /<cidrBlockAssociationSet><item><associationId>vpc-cidr-assoc-[0-9a-f]{17}<\/associationId><cidrBlock>172.31.0.0\/16<\/cidrBlock><cidrBlockState><state>associated<\/state>/,
    );
    assert.doesNotMatch(xml, /DescribeVpcsResult|<member>|<tagSet>/);
  });

  it('refuses unknown VPC ids and unknown filters', async () => {
    await rejectsWith(
      h.call('DescribeVpcs', 'VpcId.1=vpc-0123456789abcdef0'),
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    );
    await rejectsWith(
      h.call('DescribeVpcs', 'Filter.1.Name=colour&Filter.1.Value.1=blue'),
      'InvalidParameterValue',
      "The filter 'colour' is invalid",
    );
    const id = await defaultVpcId();
    assert.equal(list(await h.call('DescribeVpcs', `VpcId.1=${id}`), 'vpcSet').length, 1);
  });

  it('is created once: a restart finds the same VPC, subnets and group', async () => {
    const before = h.store.vpcs().map((v) => v.id);
    const subnets = h.store.subnets().map((s) => s.id);
    const reopened = h.reopen().store;
    assert.deepEqual(
      reopened.vpcs().map((v) => v.id),
      before,
    );
    assert.deepEqual(
      reopened.subnets().map((s) => s.id),
      subnets,
    );
    assert.equal(reopened.securityGroups().length, 1);
  });
});

describe('default subnets', () => {
  it('answers the seed\'s describe-subnets --filters "Name=vpc-id,Values=<VPC_ID>": one /20 per zone', async () => {
    const vpcId = await defaultVpcId();
    const subnets = list(
      await h.call('DescribeSubnets', `Filter.1.Name=vpc-id&Filter.1.Value.1=${vpcId}`),
      'subnetSet',
    );
    assert.deepEqual(
      subnets.map((s) => [s.availabilityZone, s.cidrBlock]),
      ['a', 'b', 'c', 'd', 'e', 'f'].map((z, i) => [`us-east-1${z}`, `172.31.${i * 16}.0/20`]),
    );
    for (const s of subnets) {
      assert.match(String(s.subnetId), /^subnet-[0-9a-f]{17}$/);
      assert.equal(s.vpcId, vpcId);
      assert.equal(s.defaultForAz, true);
      assert.equal(s.mapPublicIpOnLaunch, true);
      assert.equal(s.availableIpAddressCount, 4091);
      assert.equal(s.subnetArn, `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${String(s.subnetId)}`);
    }
    assert.equal(subnets[0]?.availabilityZoneId, 'use1-az1');
  });

  it('filters by zone, default-for-az and id, and refuses unknown ids', async () => {
    const one = list(
      await h.call(
        'DescribeSubnets',
        'Filter.1.Name=availability-zone&Filter.1.Value.1=us-east-1b&Filter.2.Name=default-for-az&Filter.2.Value.1=true',
      ),
      'subnetSet',
    );
    assert.equal(one.length, 1);
    assert.equal(one[0]?.cidrBlock, '172.31.16.0/20');
    const id = String(one[0]?.subnetId);
    assert.equal(
      list(await h.call('DescribeSubnets', `Filter.1.Name=subnet-id&Filter.1.Value.1=${id}`), 'subnetSet').length,
      1,
    );
    assert.equal(list(await h.call('DescribeSubnets', `SubnetId.1=${id}`), 'subnetSet').length, 1);
    // Wildcards and several values (OR).
    assert.equal(
      list(
        await h.call(
          'DescribeSubnets',
          'Filter.1.Name=availability-zone&Filter.1.Value.1=us-east-1a&Filter.1.Value.2=us-east-1c',
        ),
        'subnetSet',
      ).length,
      2,
    );
    assert.equal(
      list(await h.call('DescribeSubnets', 'Filter.1.Name=availability-zone&Filter.1.Value.1=us-east-1*'), 'subnetSet')
        .length,
      6,
    );
    await rejectsWith(
      h.call('DescribeSubnets', 'SubnetId.1=subnet-0000000000000000a'),
      'InvalidSubnetID.NotFound',
      "The subnet ID 'subnet-0000000000000000a' does not exist",
    );
  });

  it('pages with MaxResults and NextToken', async () => {
    const first = await h.call('DescribeSubnets', 'MaxResults=5');
    assert.equal(list(first, 'subnetSet').length, 5);
    assert.equal(typeof first.nextToken, 'string');
    const second = await h.call('DescribeSubnets', `MaxResults=5&NextToken=${String(first.nextToken)}`);
    assert.equal(list(second, 'subnetSet').length, 1);
    assert.equal(second.nextToken, undefined);
    await rejectsWith(h.call('DescribeSubnets', 'NextToken=garbage'), 'InvalidNextToken');
  });

  it('renders <subnetSet><item> with EC2 member names', async () => {
    const xml = await h.xml('DescribeSubnets');
    assert.match(xml, /<subnetSet><item><subnetId>subnet-[0-9a-f]{17}<\/subnetId>/);
    assert.match(xml, /<defaultForAz>true<\/defaultForAz><mapPublicIpOnLaunch>true<\/mapPublicIpOnLaunch>/);
    assert.match(xml, /<ipv6CidrBlockAssociationSet><\/ipv6CidrBlockAssociationSet>/);
  });
});

describe('the default security group', () => {
  it('answers the seed\'s describe-security-groups --filters "Name=vpc-id,Values=<VPC_ID>"', async () => {
    const vpcId = await defaultVpcId();
    const groups = list(
      await h.call('DescribeSecurityGroups', `Filter.1.Name=vpc-id&Filter.1.Value.1=${vpcId}`),
      'securityGroupInfo',
    );
    // The seed's --query "SecurityGroups[?GroupName=='default'].GroupId".
    const defaults = groups.filter((g) => g.groupName === 'default');
    assert.equal(defaults.length, 1);
    const group = defaults[0] ?? {};
    assert.match(String(group.groupId), /^sg-[0-9a-f]{17}$/);
    assert.equal(group.groupDescription, 'default VPC security group');
    assert.equal(group.ownerId, ACCOUNT);
    assert.deepEqual(group.ipPermissions, [
      {
        ipProtocol: '-1',
        groups: [{ userId: ACCOUNT, groupId: group.groupId }],
        ipRanges: [],
        ipv6Ranges: [],
        prefixListIds: [],
      },
    ]);
    assert.deepEqual(group.ipPermissionsEgress, [
      { ipProtocol: '-1', groups: [], ipRanges: [{ cidrIp: '0.0.0.0/0' }], ipv6Ranges: [], prefixListIds: [] },
    ]);
  });

  it('renders nested <item> lists for permissions', async () => {
    const xml = await h.xml('DescribeSecurityGroups', 'GroupName.1=default');
    assert.match(
      xml,
      /<securityGroupInfo><item><ownerId>123456789012<\/ownerId><groupId>sg-[0-9a-f]{17}<\/groupId><groupName>default<\/groupName>/,
    );
    assert.match(
      xml,
      /<ipPermissions><item><ipProtocol>-1<\/ipProtocol><groups><item><userId>123456789012<\/userId><groupId>sg-/,
    );
    assert.match(
      xml,
      /<ipPermissionsEgress><item><ipProtocol>-1<\/ipProtocol><groups><\/groups><ipRanges><item><cidrIp>0.0.0.0\/0<\/cidrIp><\/item><\/ipRanges>/,
    );
  });

  it('finds groups by id, name and filters; refuses unknown and malformed ids', async () => {
    const id = String(
      list(
        await h.call('DescribeSecurityGroups', 'Filter.1.Name=group-name&Filter.1.Value.1=default'),
        'securityGroupInfo',
      )[0]?.groupId,
    );
    assert.equal(list(await h.call('DescribeSecurityGroups', `GroupId.1=${id}`), 'securityGroupInfo').length, 1);
    assert.equal(
      list(await h.call('DescribeSecurityGroups', `Filter.1.Name=group-id&Filter.1.Value.1=${id}`), 'securityGroupInfo')
        .length,
      1,
    );
    assert.equal(
      list(
        await h.call('DescribeSecurityGroups', 'Filter.1.Name=ip-permission.protocol&Filter.1.Value.1=-1'),
        'securityGroupInfo',
      ).length,
      1,
    );
    await rejectsWith(
      h.call('DescribeSecurityGroups', 'GroupId.1=sg-0123456789abcdef0'),
      'InvalidGroup.NotFound',
      "The security group 'sg-0123456789abcdef0' does not exist",
    );
    await rejectsWith(
      h.call('DescribeSecurityGroups', 'GroupId.1=web'),
      'InvalidGroupId.Malformed',
      'Invalid id: "web" (expecting "sg-...")',
    );
    const vpcId = await defaultVpcId();
    await rejectsWith(
      h.call('DescribeSecurityGroups', 'GroupName.1=web'),
      'InvalidGroup.NotFound',
      `The security group 'web' does not exist in default VPC '${vpcId}'`,
    );
    await rejectsWith(
      h.call('DescribeSecurityGroups', 'Filter.1.Name=name&Filter.1.Value.1=x'),
      'InvalidParameterValue',
      "The filter 'name' is invalid",
    );
  });
});

describe('availability zones', () => {
  it("lists the region's zones", async () => {
    const zones = list(await h.call('DescribeAvailabilityZones'), 'availabilityZoneInfo');
    assert.equal(zones.length, 6);
    assert.deepEqual(zones[0], {
      optInStatus: 'opt-in-not-required',
      zoneName: 'us-east-1a',
      zoneId: 'use1-az1',
      groupName: 'us-east-1',
      networkBorderGroup: 'us-east-1',
      zoneType: 'availability-zone',
      zoneState: 'available',
      regionName: 'us-east-1',
      messageSet: [],
    });
    assert.equal(
      list(await h.call('DescribeAvailabilityZones', 'ZoneName.1=us-east-1c'), 'availabilityZoneInfo').length,
      1,
    );
    await rejectsWith(h.call('DescribeAvailabilityZones', 'ZoneName.1=us-east-1z'), 'InvalidParameterValue');
  });
});

describe('authorization', () => {
  it('checks Describe* on * and rule changes on the group ARN', async () => {
    assert.deepEqual(await h.authorize('DescribeVpcs'), [{ action: 'ec2:DescribeVpcs', resource: '*' }]);
    assert.deepEqual(await h.authorize('DescribeSubnets'), [{ action: 'ec2:DescribeSubnets', resource: '*' }]);
    assert.deepEqual(await h.authorize('AuthorizeSecurityGroupIngress', 'GroupId=sg-0123456789abcdef0'), [
      {
        action: 'ec2:AuthorizeSecurityGroupIngress',
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-0123456789abcdef0`,
      },
    ]);
    const vpcId = h.store.defaultVpc()?.id ?? '';
    assert.deepEqual(await h.authorize('CreateSecurityGroup', 'GroupName=web&GroupDescription=web'), [
      { action: 'ec2:CreateSecurityGroup', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/*` },
      { action: 'ec2:CreateSecurityGroup', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/${vpcId}` },
    ]);
  });

  it('honours DryRun after authorization', async () => {
    await rejectsWith(
      h.call('DescribeVpcs', 'DryRun=true'),
      'DryRunOperation',
      'Request would have succeeded, but DryRun flag is set.',
    );
  });
});
