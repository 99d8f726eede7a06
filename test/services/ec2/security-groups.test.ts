/**
 * Security groups and their rules: the CLI's authorize-security-group-ingress shape,
 * duplicates, revoke in and out of the default VPC, create/delete with their errors,
 * DescribeSecurityGroupRules, tags; and what ECS asks: validateAwsvpc, ingressAllows,
 * DescribeNetworkInterfaces for task interfaces.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ACCOUNT, createHarness, list, rejectsWith, type Ec2Harness } from './fixtures.js';

/** When the tests' interfaces are attached (the store takes the time from its caller's clock). */
const ATTACHED_AT = new Date('2026-03-01T12:00:00.000Z');

let h: Ec2Harness;
let groupId: string;
let subnets: string[];
beforeEach(() => {
  h = createHarness();
  groupId = h.store.securityGroups()[0]?.id ?? '';
  subnets = h.store.subnets().map((s) => s.id);
});
afterEach(() => h.dispose());

/** What `aws ec2 authorize-security-group-ingress --group-id G --protocol tcp --port 80 --cidr 0.0.0.0/0` sends. */
const cliPort80 = (group: string) =>
  `GroupId=${group}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=80&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0`;

describe('AuthorizeSecurityGroupIngress', () => {
  it("adds the seed's port 80 rule and answers return + securityGroupRuleSet", async () => {
    const out = await h.call('AuthorizeSecurityGroupIngress', cliPort80(groupId));
    assert.equal(out.return, true);
    const rules = list(out, 'securityGroupRuleSet');
    assert.equal(rules.length, 1);
    const rule = rules[0] ?? {};
    assert.match(String(rule.securityGroupRuleId), /^sgr-[0-9a-f]{17}$/);
    assert.equal(rule.groupId, groupId);
    assert.equal(rule.groupOwnerId, ACCOUNT);
    assert.equal(rule.isEgress, false);
    assert.equal(rule.ipProtocol, 'tcp');
    assert.equal(rule.fromPort, 80);
    assert.equal(rule.toPort, 80);
    assert.equal(rule.cidrIpv4, '0.0.0.0/0');
    const xml = await h.xml('DescribeSecurityGroups', `GroupId.1=${groupId}`);
    assert.match(
      xml,
      /<item><ipProtocol>tcp<\/ipProtocol><fromPort>80<\/fromPort><toPort>80<\/toPort><groups><\/groups><ipRanges><item><cidrIp>0.0.0.0\/0<\/cidrIp><\/item><\/ipRanges>/,
    );
    const filtered = list(
      await h.call('DescribeSecurityGroups', 'Filter.1.Name=ip-permission.from-port&Filter.1.Value.1=80'),
      'securityGroupInfo',
    );
    assert.equal(filtered.length, 1);
  });

  it('accepts the flat IpProtocol/FromPort/ToPort/CidrIp form', async () => {
    const out = await h.call(
      'AuthorizeSecurityGroupIngress',
      `GroupId=${groupId}&IpProtocol=tcp&FromPort=443&ToPort=443&CidrIp=10.0.0.0%2F8`,
    );
    assert.equal(list(out, 'securityGroupRuleSet')[0]?.cidrIpv4, '10.0.0.0/8');
  });

  it("refuses a duplicate with EC2's message and adds nothing", async () => {
    await h.call('AuthorizeSecurityGroupIngress', cliPort80(groupId));
    await rejectsWith(
      h.call('AuthorizeSecurityGroupIngress', cliPort80(groupId)),
      'InvalidPermission.Duplicate',
      'the specified rule "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW" already exists',
    );
    const both = `${cliPort80(groupId)}&IpPermissions.1.IpRanges.2.CidrIp=10.0.0.0%2F8`;
    const before = h.store.rules().length;
    await rejectsWith(h.call('AuthorizeSecurityGroupIngress', both), 'InvalidPermission.Duplicate');
    assert.equal(h.store.rules().length, before);
  });

  it('takes several peers: IPv4 and IPv6 ranges, groups (Groups.N on the wire), with descriptions', async () => {
    const web = await h.call('CreateSecurityGroup', 'GroupName=web&GroupDescription=web%20tier');
    const webId = String(web.groupId);
    const form =
      `GroupId=${webId}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=8000&IpPermissions.1.ToPort=8099` +
      `&IpPermissions.1.IpRanges.1.CidrIp=192.168.0.0%2F16&IpPermissions.1.IpRanges.1.Description=office` +
      `&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=%3A%3A%2F0` +
      `&IpPermissions.1.Groups.1.GroupId=${groupId}`;
    const rules = list(await h.call('AuthorizeSecurityGroupIngress', form), 'securityGroupRuleSet');
    assert.equal(rules.length, 3);
    assert.deepEqual(rules[2]?.referencedGroupInfo, { groupId, userId: ACCOUNT });
    const group = list(await h.call('DescribeSecurityGroups', `GroupId.1=${webId}`), 'securityGroupInfo')[0] ?? {};
    assert.deepEqual(group.ipPermissions, [
      {
        ipProtocol: 'tcp',
        fromPort: 8000,
        toPort: 8099,
        groups: [{ userId: ACCOUNT, groupId }],
        ipRanges: [{ cidrIp: '192.168.0.0/16', description: 'office' }],
        ipv6Ranges: [{ cidrIpv6: '::/0' }],
        prefixListIds: [],
      },
    ]);
  });

  it('refuses unknown groups, bad CIDRs and missing ports', async () => {
    await rejectsWith(
      h.call('AuthorizeSecurityGroupIngress', cliPort80('sg-0123456789abcdef0')),
      'InvalidGroup.NotFound',
    );
    await rejectsWith(
      h.call(
        'AuthorizeSecurityGroupIngress',
        `GroupId=${groupId}&IpProtocol=tcp&FromPort=80&ToPort=80&CidrIp=0.0.0.0%2F33`,
      ),
      'InvalidParameterValue',
      'CIDR block 0.0.0.0/33 is malformed',
    );
    await rejectsWith(
      h.call('AuthorizeSecurityGroupIngress', `GroupId=${groupId}&IpProtocol=tcp&CidrIp=0.0.0.0%2F0`),
      'InvalidParameterValue',
      /portRange/,
    );
    await rejectsWith(
      h.call('AuthorizeSecurityGroupIngress', `GroupId=${groupId}&IpProtocol=gre2&CidrIp=0.0.0.0%2F0`),
      'InvalidParameterValue',
      /Unknown protocol/,
    );
  });
});

describe('RevokeSecurityGroupIngress', () => {
  it('removes a matching rule and reports it', async () => {
    await h.call('AuthorizeSecurityGroupIngress', cliPort80(groupId));
    const out = await h.call('RevokeSecurityGroupIngress', cliPort80(groupId));
    assert.equal(out.return, true);
    assert.equal(list(out, 'revokedSecurityGroupRuleSet')[0]?.cidrIpv4, '0.0.0.0/0');
    assert.equal(h.store.rules().filter((r) => r.groupId === groupId && !r.isEgress).length, 1);
  });

  it('in the default VPC, reports unknown rules without an error', async () => {
    const out = await h.call('RevokeSecurityGroupIngress', cliPort80(groupId));
    assert.equal(out.return, false);
    assert.deepEqual(out.unknownIpPermissionSet, [
      {
        ipProtocol: 'tcp',
        fromPort: 80,
        toPort: 80,
        groups: [],
        ipRanges: [{ cidrIp: '0.0.0.0/0' }],
        ipv6Ranges: [],
        prefixListIds: [],
      },
    ]);
  });

  it('elsewhere, answers InvalidPermission.NotFound', async () => {
    h.db
      .prepare(
        "INSERT INTO ec2_vpcs (id, cidr_block, is_default, dhcp_options_id, cidr_association_id, seq) VALUES ('vpc-0000000000000000b', '10.0.0.0/16', 0, 'dopt-1', 'vpc-cidr-assoc-1', 2)",
      )
      .run();
    const other = String(
      (await h.call('CreateSecurityGroup', 'GroupName=app&GroupDescription=app&VpcId=vpc-0000000000000000b')).groupId,
    );
    await rejectsWith(
      h.call('RevokeSecurityGroupIngress', cliPort80(other)),
      'InvalidPermission.NotFound',
      'The specified rule does not exist in this security group.',
    );
  });

  it('revokes by rule id', async () => {
    const ruleId = String(
      list(await h.call('AuthorizeSecurityGroupIngress', cliPort80(groupId)), 'securityGroupRuleSet')[0]
        ?.securityGroupRuleId,
    );
    const described = list(
      await h.call('DescribeSecurityGroupRules', `Filter.1.Name=group-id&Filter.1.Value.1=${groupId}`),
      'securityGroupRuleSet',
    );
    assert.equal(described.length, 3);
    await h.call('RevokeSecurityGroupIngress', `GroupId=${groupId}&SecurityGroupRuleId.1=${ruleId}`);
    await rejectsWith(
      h.call('DescribeSecurityGroupRules', `SecurityGroupRuleId.1=${ruleId}`),
      'InvalidSecurityGroupRuleId.NotFound',
    );
  });
});

describe('CreateSecurityGroup and DeleteSecurityGroup', () => {
  it('creates a group in the default VPC with the default egress rule', async () => {
    const out = await h.call(
      'CreateSecurityGroup',
      'GroupName=web&GroupDescription=web%20tier&TagSpecification.1.ResourceType=security-group&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web',
    );
    assert.match(String(out.groupId), /^sg-[0-9a-f]{17}$/);
    const group = h.store.securityGroup(String(out.groupId));
    assert.equal(group?.vpcId, h.store.defaultVpc()?.id);
    assert.deepEqual(
      group?.rules.map((r) => [r.isEgress, r.protocol, r.peer]),
      [[true, '-1', { kind: 'cidr4', cidr: '0.0.0.0/0' }]],
    );
    assert.equal(
      list(await h.call('DescribeSecurityGroups', 'Filter.1.Name=tag:Name&Filter.1.Value.1=web'), 'securityGroupInfo')
        .length,
      1,
    );
  });

  it('refuses duplicates, sg- names, missing descriptions and unknown VPCs', async () => {
    const vpcId = h.store.defaultVpc()?.id ?? '';
    await rejectsWith(
      h.call('CreateSecurityGroup', 'GroupName=default&GroupDescription=x'),
      'InvalidGroup.Duplicate',
      `The security group 'default' already exists for VPC '${vpcId}'`,
    );
    await rejectsWith(
      h.call('CreateSecurityGroup', 'GroupName=sg-web&GroupDescription=x'),
      'InvalidParameterValue',
      'Group names may not be in the format sg-*.',
    );
    await rejectsWith(
      h.call('CreateSecurityGroup', 'GroupName=web'),
      'MissingParameter',
      'The request must contain the parameter groupDescription',
    );
    await rejectsWith(
      h.call('CreateSecurityGroup', 'GroupName=web&GroupDescription=x&VpcId=vpc-0000000000000000c'),
      'InvalidVpcID.NotFound',
    );
  });

  it('deletes a group; never the default one; not while an interface uses it', async () => {
    const id = String((await h.call('CreateSecurityGroup', 'GroupName=web&GroupDescription=web')).groupId);
    await rejectsWith(
      h.call('DeleteSecurityGroup', `GroupId=${groupId}`),
      'CannotDelete',
      `the specified group: "${groupId}" name: "default" cannot be deleted by a user`,
    );
    const eni = h.store.createNetworkInterface(
      { subnetId: subnets[0] ?? '', groupIds: [id], description: 'task', privateIp: '127.0.0.9' },
      ATTACHED_AT,
    );
    await rejectsWith(
      h.call('DeleteSecurityGroup', `GroupId=${id}`),
      'DependencyViolation',
      `resource ${id} has a dependent object`,
    );
    assert.equal(h.store.deleteNetworkInterface(eni.id), true);
    assert.deepEqual(await h.call('DeleteSecurityGroup', `GroupName=web`), { return: true, groupId: id });
    await rejectsWith(h.call('DeleteSecurityGroup', `GroupId=${id}`), 'InvalidGroup.NotFound');
  });
});

describe('what ECS asks', () => {
  it("validateAwsvpc accepts the seed's configuration and explains what is wrong", () => {
    assert.equal(
      h.store.validateAwsvpc({ subnets: subnets.slice(0, 2), securityGroups: [groupId], assignPublicIp: 'ENABLED' }),
      undefined,
    );
    assert.equal(h.store.validateAwsvpc({ subnets: [], securityGroups: [groupId] }), 'subnets can not be empty.');
    assert.equal(
      h.store.validateAwsvpc({ subnets: ['subnet-aaa'], securityGroups: [groupId] }),
      "Error retrieving subnet information for [subnet-aaa]: The subnet ID 'subnet-aaa' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
    );
    assert.equal(
      h.store.validateAwsvpc({ subnets: subnets.slice(0, 1), securityGroups: ['sg-xxx'] }),
      "Error retrieving security group information for [sg-xxx]: The security group 'sg-xxx' does not exist (ErrorCode: InvalidGroup.NotFound)",
    );
    h.db
      .prepare(
        "INSERT INTO ec2_vpcs (id, cidr_block, is_default, dhcp_options_id, cidr_association_id, seq) VALUES ('vpc-0000000000000000b', '10.0.0.0/16', 0, 'dopt-1', 'vpc-cidr-assoc-1', 2)",
      )
      .run();
    h.db
      .prepare(
        "INSERT INTO ec2_subnets VALUES ('subnet-0000000000000000b', 'vpc-0000000000000000b', 'us-east-1a', 'use1-az1', '10.0.0.0/24', 0, 0, 9)",
      )
      .run();
    const other = h.store.createSecurityGroup({ vpcId: 'vpc-0000000000000000b', name: 'app', description: 'app' });
    assert.equal(
      h.store.validateAwsvpc({ subnets: [subnets[0] ?? '', 'subnet-0000000000000000b'] }),
      'The subnets must all belong to the same VPC.',
    );
    assert.equal(
      h.store.validateAwsvpc({ subnets: subnets.slice(0, 1), securityGroups: [other.id] }),
      `Security group ${other.id} does not appear to belong to the same VPC as the input subnets.`,
    );
    assert.match(
      h.store.validateAwsvpc({ subnets: subnets.slice(0, 1), assignPublicIp: 'YES' }) ?? '',
      /assignPublicIp/,
    );
  });

  it("ingressAllows follows the rules: closed by default, open after the seed's port 80 rule", async () => {
    const curl = { protocol: 'tcp' as const, port: 80, sourceIp: '127.0.0.1' };
    assert.equal(h.store.ingressAllows([groupId], curl), false);
    await h.call('AuthorizeSecurityGroupIngress', cliPort80(groupId));
    assert.equal(h.store.ingressAllows([groupId], curl), true);
    assert.equal(h.store.ingressAllows([groupId], { ...curl, sourceIp: '::ffff:127.0.0.1' }), true);
    assert.equal(h.store.ingressAllows([groupId], { ...curl, port: 81 }), false);
    assert.equal(h.store.ingressAllows([groupId], { ...curl, protocol: 'udp' }), false);
    await h.call('RevokeSecurityGroupIngress', cliPort80(groupId));
    assert.equal(h.store.ingressAllows([groupId], curl), false);
  });

  it('ingressAllows lets task addresses in the default group reach each other (self-reference)', async () => {
    const web = h.store.createSecurityGroup({ vpcId: h.store.defaultVpc()?.id ?? '', name: 'web', description: 'web' });
    h.store.createNetworkInterface(
      { subnetId: subnets[0] ?? '', groupIds: [groupId], description: 'a', privateIp: '127.0.1.1' },
      ATTACHED_AT,
    );
    h.store.createNetworkInterface(
      {
        subnetId: subnets[1] ?? '',
        groupIds: [web.id],
        description: 'b',
        privateIp: '127.0.1.2',
        publicIp: '127.0.1.2',
      },
      ATTACHED_AT,
    );
    assert.equal(h.store.ingressAllows([groupId], { protocol: 'tcp', port: 5432, sourceIp: '127.0.1.1' }), true);
    assert.equal(h.store.ingressAllows([groupId], { protocol: 'tcp', port: 5432, sourceIp: '127.0.1.2' }), false);
    // A rule naming the web group admits its members.
    await h.call(
      'AuthorizeSecurityGroupIngress',
      `GroupId=${groupId}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=5432&IpPermissions.1.ToPort=5432&IpPermissions.1.Groups.1.GroupId=${web.id}`,
    );
    assert.equal(h.store.ingressAllows([groupId], { protocol: 'tcp', port: 5432, sourceIp: '127.0.1.2' }), true);
    assert.equal(h.store.ingressAllows([web.id], { protocol: 'tcp', port: 80, sourceIp: '127.0.1.1' }), false);
  });

  it('DescribeNetworkInterfaces shows task interfaces, filtered', async () => {
    const eni = h.store.createNetworkInterface(
      {
        subnetId: subnets[2] ?? '',
        groupIds: [groupId],
        description: 'arn:aws:ecs:us-east-1:123456789012:attachment/1',
        privateIp: '127.0.2.1',
        publicIp: '127.0.2.1',
      },
      ATTACHED_AT,
    );
    assert.match(eni.id, /^eni-[0-9a-f]{17}$/);
    assert.equal(h.store.getNetworkInterface(eni.id)?.privateIp, '127.0.2.1');
    const all = list(await h.call('DescribeNetworkInterfaces'), 'networkInterfaceSet');
    assert.equal(all.length, 1);
    const out = all[0] ?? {};
    assert.equal(out.networkInterfaceId, eni.id);
    assert.equal(out.subnetId, subnets[2]);
    assert.equal(out.availabilityZone, 'us-east-1c');
    assert.equal(out.privateIpAddress, '127.0.2.1');
    assert.deepEqual(out.groupSet, [{ groupId, groupName: 'default' }]);
    assert.deepEqual(out.association, { publicIp: '127.0.2.1', publicDnsName: '', ipOwnerId: 'amazon' });
    assert.equal(
      list(
        await h.call('DescribeNetworkInterfaces', `Filter.1.Name=group-id&Filter.1.Value.1=${groupId}`),
        'networkInterfaceSet',
      ).length,
      1,
    );
    assert.equal(
      list(
        await h.call('DescribeNetworkInterfaces', `Filter.1.Name=subnet-id&Filter.1.Value.1=${subnets[0] ?? ''}`),
        'networkInterfaceSet',
      ).length,
      0,
    );
    assert.equal(
      list(await h.call('DescribeNetworkInterfaces', `NetworkInterfaceId.1=${eni.id}`), 'networkInterfaceSet').length,
      1,
    );
    assert.equal(h.store.subnet(subnets[2] ?? '')?.availableIpAddressCount, 4090);
    const xml = await h.xml('DescribeNetworkInterfaces');
    assert.match(xml, /<networkInterfaceSet><item><networkInterfaceId>eni-/);
    h.store.deleteNetworkInterface(eni.id);
    await rejectsWith(
      h.call('DescribeNetworkInterfaces', `NetworkInterfaceId.1=${eni.id}`),
      'InvalidNetworkInterfaceID.NotFound',
    );
  });
});

describe('tags', () => {
  it('CreateTags, DescribeTags with filters, tag filters on Describe*, DeleteTags', async () => {
    const vpcId = h.store.defaultVpc()?.id ?? '';
    assert.deepEqual(
      await h.call('CreateTags', `ResourceId.1=${vpcId}&ResourceId.2=${groupId}&Tag.1.Key=env&Tag.1.Value=dev`),
      { return: true },
    );
    const tags = list(await h.call('DescribeTags', `Filter.1.Name=resource-id&Filter.1.Value.1=${vpcId}`), 'tagSet');
    assert.deepEqual(tags, [{ resourceId: vpcId, resourceType: 'vpc', key: 'env', value: 'dev' }]);
    assert.equal(list(await h.call('DescribeVpcs', 'Filter.1.Name=tag:env&Filter.1.Value.1=dev'), 'vpcSet').length, 1);
    assert.equal(
      list(await h.call('DescribeSecurityGroups', 'Filter.1.Name=tag-key&Filter.1.Value.1=env'), 'securityGroupInfo')
        .length,
      1,
    );
    assert.match(await h.xml('DescribeVpcs'), /<tagSet><item><key>env<\/key><value>dev<\/value><\/item><\/tagSet>/);
    await h.call('DeleteTags', `ResourceId.1=${vpcId}&Tag.1.Key=env`);
    assert.equal(list(await h.call('DescribeTags'), 'tagSet').length, 1);
    await rejectsWith(
      h.call('CreateTags', 'ResourceId.1=vpc-0000000000000000d&Tag.1.Key=a&Tag.1.Value=b'),
      'InvalidVpcID.NotFound',
    );
  });
});
