/**
 * EC2 (ec2Query, version 2016-11-15): the networking subset ECS's awsvpc tasks need — the
 * default VPC with a default subnet per availability zone and its default security group
 * (created on first start, Ec2Store), security groups and their rules, the network
 * interfaces ECS registers for tasks, availability zones and tags. Handlers return EC2's
 * wire member names (vpcSet, groupId, ipPermissions …); ec2Query renders lists as <item>.
 *
 * ECS uses Ec2Store directly: validateAwsvpc (a service's awsvpcConfiguration),
 * createNetworkInterface/deleteNetworkInterface (a task's interface) and ingressAllows (the
 * check a task address makes before accepting a connection).
 *
 * Fidelity
 * - Gaps: no instances, AMIs, volumes, route tables, internet gateways, network ACLs, NAT,
 *   prefix lists (rules may name one but it never matches traffic), VPC/subnet creation or
 *   modification, Create/DeleteNetworkInterface (ECS's interfaces only), IPv6 ingress checks
 *   beyond ::/0 and exact /128s. Operations not in Ec2OperationName answer InvalidAction from
 *   the protocol layer.
 * - By design: one default VPC per region, created once; zone ids (use1-az1 …) are assigned in
 *   zone-letter order, where AWS maps them per account. Interface addresses are whatever ECS
 *   registers (per-task loopback addresses), not addresses from the subnet's block.
 *   availableIpAddressCount counts only the interfaces registered here. Paging tokens are
 *   offsets into the filtered list.
 * - Client quirks: the camelCase filter aliases AWS still accepts (isDefault, defaultForAz,
 *   availabilityZone, vpcId, …) work, as the seed's `Name=isDefault` needs. IpPermissions'
 *   UserIdGroupPairs arrive as `Groups.N` (EC2's locationName). Revoking an unknown rule in
 *   the default VPC is not an error (return=false, unknownIpPermissionSet), elsewhere it is
 *   InvalidPermission.NotFound, as the API reference describes.
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import { describeNetworkInterfaces } from './operations/network-interfaces.js';
import {
  authorizeSecurityGroupEgress,
  authorizeSecurityGroupIngress,
  describeSecurityGroupRules,
  revokeSecurityGroupEgress,
  revokeSecurityGroupIngress,
} from './operations/rules.js';
import { createSecurityGroup, deleteSecurityGroup, describeSecurityGroups } from './operations/security-groups.js';
import { createTags, deleteTags, describeTags } from './operations/tags.js';
import { describeAvailabilityZones, describeSubnets, describeVpcs } from './operations/vpcs.js';
import type { Ec2Store } from './store.js';

export { Ec2Store } from './store.js';

/** Every EC2 operation dockyard serves, by AWS's name. */
export type Ec2OperationName =
  | 'DescribeVpcs'
  | 'DescribeSubnets'
  | 'DescribeAvailabilityZones'
  | 'DescribeSecurityGroups'
  | 'CreateSecurityGroup'
  | 'DeleteSecurityGroup'
  | 'AuthorizeSecurityGroupIngress'
  | 'RevokeSecurityGroupIngress'
  | 'AuthorizeSecurityGroupEgress'
  | 'RevokeSecurityGroupEgress'
  | 'DescribeSecurityGroupRules'
  | 'DescribeNetworkInterfaces'
  | 'CreateTags'
  | 'DeleteTags'
  | 'DescribeTags';

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** The EC2 service over `store`. */
export function createEc2Service(store: Ec2Store): ServiceDefinition {
  const operations: Record<Ec2OperationName, AnyOperation> = {
    DescribeVpcs: describeVpcs(store),
    DescribeSubnets: describeSubnets(store),
    DescribeAvailabilityZones: describeAvailabilityZones(store),
    DescribeSecurityGroups: describeSecurityGroups(store),
    CreateSecurityGroup: createSecurityGroup(store),
    DeleteSecurityGroup: deleteSecurityGroup(store),
    AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress(store),
    RevokeSecurityGroupIngress: revokeSecurityGroupIngress(store),
    AuthorizeSecurityGroupEgress: authorizeSecurityGroupEgress(store),
    RevokeSecurityGroupEgress: revokeSecurityGroupEgress(store),
    DescribeSecurityGroupRules: describeSecurityGroupRules(store),
    DescribeNetworkInterfaces: describeNetworkInterfaces(store),
    CreateTags: createTags(store),
    DeleteTags: deleteTags(store),
    DescribeTags: describeTags(store),
  };
  return {
    signingName: 'ec2',
    title: 'EC2',
    protocol: 'ec2Query',
    version: '2016-11-15',
    xmlns: EC2_XMLNS,
    validationErrorCode: 'InvalidParameterValue',
    operations,
  };
}
