/**
 * EC2's wire members for each resource (the XML element names of DescribeVpcs & co., which
 * ec2Query renders as given; arrays become <item> lists). Every list AWS always sends, even
 * empty (tagSet is left out when empty, as EC2 does), is sent here too.
 */
import type { NetworkInterface, SecurityGroup, SecurityGroupRule, Subnet, Tag, Vpc } from './model.js';
import { foldPermissions, type IpPermissionOutput } from './permissions.js';

type Wire = Record<string, unknown>;

export const ec2Arn = (region: string, accountId: string, resource: string): string =>
  `arn:aws:ec2:${region}:${accountId}:${resource}`;

/** tagSet is absent when a resource has no tags. */
function tagSet(tags: readonly Tag[]): { tagSet?: Tag[] } {
  return tags.length > 0 ? { tagSet: tags.map((t) => ({ key: t.key, value: t.value })) } : {};
}

export function vpcOutput(vpc: Vpc): Wire {
  return {
    cidrBlock: vpc.cidrBlock,
    dhcpOptionsId: vpc.dhcpOptionsId,
    state: 'available',
    vpcId: vpc.id,
    ownerId: vpc.ownerId,
    instanceTenancy: 'default',
    cidrBlockAssociationSet: [
      { associationId: vpc.cidrAssociationId, cidrBlock: vpc.cidrBlock, cidrBlockState: { state: 'associated' } },
    ],
    isDefault: vpc.isDefault,
    ...tagSet(vpc.tags),
  };
}

export function subnetOutput(subnet: Subnet, region: string): Wire {
  return {
    subnetId: subnet.id,
    subnetArn: ec2Arn(region, subnet.ownerId, `subnet/${subnet.id}`),
    state: 'available',
    vpcId: subnet.vpcId,
    cidrBlock: subnet.cidrBlock,
    ipv6CidrBlockAssociationSet: [],
    availableIpAddressCount: subnet.availableIpAddressCount,
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    defaultForAz: subnet.defaultForAz,
    mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
    mapCustomerOwnedIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    ownerId: subnet.ownerId,
    enableDns64: false,
    ipv6Native: false,
    privateDnsNameOptionsOnLaunch: {
      hostnameType: 'ip-name',
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
    ...tagSet(subnet.tags),
  };
}

export function securityGroupOutput(group: SecurityGroup, region: string): Wire {
  const ingress: IpPermissionOutput[] = foldPermissions(group.rules.filter((r) => !r.isEgress));
  const egress: IpPermissionOutput[] = foldPermissions(group.rules.filter((r) => r.isEgress));
  return {
    ownerId: group.ownerId,
    groupId: group.id,
    groupName: group.name,
    groupDescription: group.description,
    ipPermissions: ingress,
    ipPermissionsEgress: egress,
    vpcId: group.vpcId,
    securityGroupArn: ec2Arn(region, group.ownerId, `security-group/${group.id}`),
    ...tagSet(group.tags),
  };
}

export function ruleOutput(rule: SecurityGroupRule, ownerId: string, region: string, tags: readonly Tag[] = []): Wire {
  const peer = rule.peer;
  const out: Wire = {
    securityGroupRuleId: rule.id,
    groupId: rule.groupId,
    groupOwnerId: ownerId,
    isEgress: rule.isEgress,
    ipProtocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
  };
  if (peer.kind === 'cidr4') out.cidrIpv4 = peer.cidr;
  if (peer.kind === 'cidr6') out.cidrIpv6 = peer.cidr;
  if (peer.kind === 'prefixList') out.prefixListId = peer.prefixListId;
  if (peer.kind === 'group') out.referencedGroupInfo = { groupId: peer.groupId, userId: peer.userId };
  if (rule.description !== undefined) out.description = rule.description;
  Object.assign(out, tagSet(tags));
  out.securityGroupRuleArn = ec2Arn(region, ownerId, `security-group-rule/${rule.id}`);
  return out;
}

/** The DNS name EC2 gives a private address: ip-172-31-0-5.ec2.internal (us-east-1) or ….REGION.compute.internal. */
function privateDnsName(ip: string, region: string): string {
  const host = `ip-${ip.replace(/[.:]/g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

export function networkInterfaceOutput(
  eni: NetworkInterface,
  groups: ReadonlyMap<string, string>,
  region: string,
): Wire {
  const association =
    eni.publicIp !== undefined
      ? { association: { publicIp: eni.publicIp, publicDnsName: '', ipOwnerId: 'amazon' } }
      : {};
  return {
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    ownerId: eni.ownerId,
    requesterManaged: eni.requesterManaged,
    status: 'in-use',
    macAddress: eni.macAddress,
    privateIpAddress: eni.privateIp,
    privateDnsName: privateDnsName(eni.privateIp, region),
    sourceDestCheck: true,
    groupSet: eni.groupIds.map((id) => ({ groupId: id, groupName: groups.get(id) ?? '' })),
    attachment: {
      attachmentId: eni.attachmentId,
      deviceIndex: 1,
      networkCardIndex: 0,
      status: 'attached',
      attachTime: eni.createdAt,
      deleteOnTermination: false,
    },
    ...association,
    ...tagSet(eni.tags),
    privateIpAddressesSet: [
      {
        privateIpAddress: eni.privateIp,
        privateDnsName: privateDnsName(eni.privateIp, region),
        primary: true,
        ...association,
      },
    ],
    ipv6AddressesSet: [],
    interfaceType: 'interface',
  };
}
