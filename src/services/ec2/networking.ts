/**
 * The two questions ECS asks of EC2's network for awsvpc tasks:
 * - validateAwsvpc: is a service's or task's awsvpcConfiguration valid? (ECS's
 *   InvalidParameterException messages; undefined when it is.)
 * - ingressAllows: would the interface's security groups let this connection in? Security
 *   groups are stateful allow-lists: a connection is accepted when any ingress rule of any of
 *   the interface's groups matches its protocol, port and source. A rule whose peer is a group
 *   matches sources that are addresses of interfaces in that group, so the default group's
 *   self-reference lets task addresses in the group reach each other.
 */
import { cidr4Contains, cidr6Contains, ipv4Value } from './addresses.js';
import type { NetworkInterface, SecurityGroup, SecurityGroupRule, Subnet } from './model.js';

/** The parts of EC2's state the two questions read (Ec2Store is one). */
export interface NetworkView {
  subnets(): readonly Subnet[];
  securityGroups(): readonly SecurityGroup[];
  rules(): readonly SecurityGroupRule[];
  networkInterfaces(): readonly NetworkInterface[];
}

/** ECS's awsvpcConfiguration. */
export interface AwsvpcConfiguration {
  subnets: readonly string[];
  securityGroups?: readonly string[];
  assignPublicIp?: string;
}

/** A connection arriving at a task address. */
export interface Traffic {
  protocol: 'tcp' | 'udp';
  port: number;
  /** The connection's source address (IPv4, IPv4-mapped IPv6 or IPv6). */
  sourceIp: string;
}

/** ECS's limits on awsvpcConfiguration (ECS API reference). */
const MAX_SUBNETS = 16;
const MAX_GROUPS = 5;

/**
 * Checks an awsvpcConfiguration as ECS does on CreateService/RunTask. Messages for unknown
 * resources wrap EC2's own error as ECS does; the mixed-VPC subnet message is unverified.
 */
export function validateAwsvpc(store: NetworkView, config: AwsvpcConfiguration): string | undefined {
  if (config.subnets.length === 0) return 'subnets can not be empty.';
  if (config.subnets.length > MAX_SUBNETS) return `subnets can have at most ${MAX_SUBNETS} items.`;
  const groups = config.securityGroups ?? [];
  if (groups.length > MAX_GROUPS) return `securityGroups can have at most ${MAX_GROUPS} items.`;
  if (
    config.assignPublicIp !== undefined &&
    config.assignPublicIp !== 'ENABLED' &&
    config.assignPublicIp !== 'DISABLED'
  ) {
    return `Invalid value for assignPublicIp: ${config.assignPublicIp}. Valid values are ENABLED and DISABLED.`;
  }
  const subnets = new Map(store.subnets().map((s) => [s.id, s]));
  const missingSubnets = config.subnets.filter((id) => !subnets.has(id));
  if (missingSubnets.length > 0) {
    return `Error retrieving subnet information for [${missingSubnets.join(', ')}]: The subnet ID '${missingSubnets.join(', ')}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`;
  }
  const vpcs = new Set(config.subnets.map((id) => subnets.get(id)?.vpcId));
  if (vpcs.size > 1) return 'The subnets must all belong to the same VPC.';
  const [vpcId] = vpcs;
  const known = new Map(store.securityGroups().map((g) => [g.id, g]));
  const missingGroups = groups.filter((id) => !known.has(id));
  if (missingGroups.length > 0) {
    return `Error retrieving security group information for [${missingGroups.join(', ')}]: The security group '${missingGroups.join(', ')}' does not exist (ErrorCode: InvalidGroup.NotFound)`;
  }
  const stray = groups.find((id) => known.get(id)?.vpcId !== vpcId);
  if (stray !== undefined)
    return `Security group ${stray} does not appear to belong to the same VPC as the input subnets.`;
  return undefined;
}

/** True when an ingress rule of one of `groupIds` accepts `traffic`. */
export function ingressAllows(store: NetworkView, groupIds: readonly string[], traffic: Traffic): boolean {
  const wanted = new Set(groupIds);
  const rules = store.rules().filter((r) => !r.isEgress && wanted.has(r.groupId));
  if (rules.length === 0) return false;
  let members: Map<string, Set<string>> | undefined;
  const groupsOfSource = (): Map<string, Set<string>> => {
    if (members) return members;
    members = new Map();
    const source = normalise(traffic.sourceIp);
    for (const eni of store.networkInterfaces()) {
      if (eni.privateIp !== source && eni.publicIp !== source) continue;
      for (const g of eni.groupIds) members.set(g, (members.get(g) ?? new Set()).add(eni.id));
    }
    return members;
  };
  return rules.some((rule) => protocolMatches(rule, traffic) && peerMatches(rule, traffic.sourceIp, groupsOfSource));
}

function protocolMatches(rule: SecurityGroupRule, traffic: Traffic): boolean {
  if (rule.protocol === '-1') return true;
  const number = traffic.protocol === 'tcp' ? '6' : '17';
  if (rule.protocol !== traffic.protocol && rule.protocol !== number) return false;
  return traffic.port >= rule.fromPort && traffic.port <= rule.toPort;
}

function peerMatches(
  rule: SecurityGroupRule,
  sourceIp: string,
  groupsOfSource: () => Map<string, Set<string>>,
): boolean {
  switch (rule.peer.kind) {
    case 'cidr4':
      return cidr4Contains(rule.peer.cidr, sourceIp);
    case 'cidr6':
      return cidr6Contains(rule.peer.cidr, sourceIp);
    case 'group':
      return groupsOfSource().has(rule.peer.groupId);
    case 'prefixList':
      return false;
  }
}

/** ::ffff:127.0.0.5 → 127.0.0.5, so mapped sources match interface addresses. */
function normalise(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && ipv4Value(address) !== undefined ? address.slice(7) : address;
}
