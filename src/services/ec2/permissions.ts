/**
 * Security group permissions in and out of EC2's shapes. A request's IpPermissions (or the
 * flat IpProtocol/FromPort/ToPort/CidrIp form) expand to single-peer rules, which is how EC2
 * stores them (each becomes a SecurityGroupRule with an sgr- id); describing a group folds
 * the rules back into IpPermissions grouped by protocol and port range, in rule order.
 *
 * Wire names: in a request, IpPermission's UserIdGroupPairs is serialised as `Groups` (its
 * EC2 locationName is `groups`); the SDKs send that. `UserIdGroupPairs` is accepted too.
 */
import type { InputReader } from '../../core/input-reader.js';
import { isCidr6, parseCidr4 } from './addresses.js';
import { ec2Errors } from './errors.js';
import type { RulePeer, SecurityGroupRule } from './model.js';

/** A requested peer before group names are resolved. */
export type RequestedPeer = RulePeer | { kind: 'groupName'; groupName: string; userId?: string };

/** One rule as requested: protocol and ports normalised, one peer. */
export interface RequestedRule {
  protocol: string;
  fromPort: number;
  toPort: number;
  peer: RequestedPeer;
  description?: string;
}

interface RawPermission {
  protocol?: string;
  fromPort?: number;
  toPort?: number;
  peers: { peer: RequestedPeer; description?: string }[];
}

const NAMED_PROTOCOLS: Record<string, string> = {
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  icmpv6: 'icmpv6',
  '-1': '-1',
  all: '-1',
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

/** Reads IpPermissions.N.* and the flat form the CLI's --protocol/--port/--cidr may send. */
export function readPermissions(r: InputReader): RawPermission[] {
  const listed =
    r.list('IpPermissions', (p) => {
      const peers: RawPermission['peers'] = [];
      for (const range of p.list('IpRanges', (x) => ({
        cidr: x.string('CidrIp'),
        description: x.string('Description'),
      })) ?? []) {
        peers.push({ peer: { kind: 'cidr4', cidr: range.cidr ?? '' }, description: range.description });
      }
      for (const range of p.list('Ipv6Ranges', (x) => ({
        cidr: x.string('CidrIpv6'),
        description: x.string('Description'),
      })) ?? []) {
        peers.push({ peer: { kind: 'cidr6', cidr: range.cidr ?? '' }, description: range.description });
      }
      const readPair = (x: InputReader) => ({
        groupId: x.string('GroupId'),
        groupName: x.string('GroupName'),
        userId: x.string('UserId'),
        description: x.string('Description'),
      });
      for (const pair of [...(p.list('Groups', readPair) ?? []), ...(p.list('UserIdGroupPairs', readPair) ?? [])]) {
        const peer: RequestedPeer =
          pair.groupId !== undefined
            ? { kind: 'group', groupId: pair.groupId, userId: pair.userId ?? '' }
            : {
                kind: 'groupName',
                groupName: pair.groupName ?? '',
                ...(pair.userId !== undefined ? { userId: pair.userId } : {}),
              };
        peers.push({ peer, description: pair.description });
      }
      for (const prefix of p.list('PrefixListIds', (x) => ({
        id: x.string('PrefixListId'),
        description: x.string('Description'),
      })) ?? []) {
        peers.push({ peer: { kind: 'prefixList', prefixListId: prefix.id ?? '' }, description: prefix.description });
      }
      return { protocol: p.string('IpProtocol'), fromPort: p.integer('FromPort'), toPort: p.integer('ToPort'), peers };
    }) ?? [];
  const flat: RawPermission = {
    protocol: r.string('IpProtocol'),
    fromPort: r.integer('FromPort'),
    toPort: r.integer('ToPort'),
    peers: [],
  };
  const cidr = r.string('CidrIp');
  const sourceGroup = r.string('SourceSecurityGroupName');
  const sourceOwner = r.string('SourceSecurityGroupOwnerId');
  if (cidr !== undefined) flat.peers.push({ peer: { kind: 'cidr4', cidr } });
  if (sourceGroup !== undefined) {
    flat.peers.push({
      peer: {
        kind: 'groupName',
        groupName: sourceGroup,
        ...(sourceOwner !== undefined ? { userId: sourceOwner } : {}),
      },
    });
  }
  const hasFlat =
    flat.protocol !== undefined || flat.peers.length > 0 || flat.fromPort !== undefined || flat.toPort !== undefined;
  if (hasFlat && listed.length > 0) {
    throw ec2Errors.invalidParameterCombination(
      'The parameter ipPermissions cannot be used with the parameters IpProtocol, FromPort, ToPort, CidrIp or SourceSecurityGroupName',
    );
  }
  return hasFlat ? [flat] : listed;
}

/** Validates permissions and expands them to one rule per peer. */
export function expandPermissions(permissions: readonly RawPermission[]): RequestedRule[] {
  if (permissions.length === 0) throw ec2Errors.missingParameter('ipPermissions');
  const rules: RequestedRule[] = [];
  for (const permission of permissions) {
    const { protocol, fromPort, toPort } = normalisePorts(permission);
    if (permission.peers.length === 0) {
      // Unverified wording: EC2 refuses a permission without a source or destination.
      throw ec2Errors.invalidParameterValue(
        'Invalid value for ipPermissions: each permission needs an IP range, a security group or a prefix list',
      );
    }
    for (const { peer, description } of permission.peers) {
      checkPeer(peer);
      const rule: RequestedRule = { protocol, fromPort, toPort, peer };
      if (description !== undefined) rule.description = description;
      rules.push(rule);
    }
  }
  return rules;
}

function normalisePorts(p: RawPermission): { protocol: string; fromPort: number; toPort: number } {
  if (p.protocol === undefined) throw ec2Errors.missingParameter('ipProtocol');
  const text = p.protocol.toLowerCase();
  const protocol =
    NAMED_PROTOCOLS[text] ?? (/^\d{1,3}$/.test(text) && Number(text) <= 255 ? String(Number(text)) : undefined);
  if (protocol === undefined)
    throw ec2Errors.invalidParameterValue(`Invalid value '${p.protocol}' for IP protocol. Unknown protocol.`);
  if (protocol === '-1') return { protocol, fromPort: -1, toPort: -1 };
  if (protocol === 'tcp' || protocol === 'udp') {
    if (p.fromPort === undefined || p.toPort === undefined) {
      throw ec2Errors.invalidParameterValue(
        `Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP.`,
      );
    }
    for (const port of [p.fromPort, p.toPort]) {
      if (port < 0 || port > 65535)
        throw ec2Errors.invalidParameterValue(
          `Invalid value '${port}' for portRange. Ports must be between 0 and 65535.`,
        );
    }
    if (p.fromPort > p.toPort)
      throw ec2Errors.invalidParameterValue(
        `Invalid value '${p.fromPort}-${p.toPort}' for portRange. The from port must not be greater than the to port.`,
      );
    return { protocol, fromPort: p.fromPort, toPort: p.toPort };
  }
  // ICMP: FromPort is the type and ToPort the code, -1 for all; other protocols have no ports.
  return { protocol, fromPort: p.fromPort ?? -1, toPort: p.toPort ?? -1 };
}

function checkPeer(peer: RequestedPeer): void {
  if (peer.kind === 'cidr4' && !parseCidr4(peer.cidr))
    throw ec2Errors.invalidParameterValue(`CIDR block ${peer.cidr} is malformed`);
  if (peer.kind === 'cidr6' && !isCidr6(peer.cidr))
    throw ec2Errors.invalidParameterValue(`CIDR block ${peer.cidr} is malformed`);
}

/** The same rule, ignoring ids and descriptions (what a duplicate or a revoke compares). */
export function sameRule(
  a: Omit<SecurityGroupRule, 'id' | 'groupId' | 'isEgress'>,
  b: Omit<SecurityGroupRule, 'id' | 'groupId' | 'isEgress'>,
): boolean {
  return (
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    peerKey(a.peer) === peerKey(b.peer)
  );
}

function peerKey(peer: RulePeer): string {
  switch (peer.kind) {
    case 'cidr4':
    case 'cidr6':
      return `${peer.kind}:${peer.cidr}`;
    case 'group':
      return `group:${peer.groupId}`;
    case 'prefixList':
      return `pl:${peer.prefixListId}`;
  }
}

/**
 * EC2's rendering of a rule in InvalidPermission.Duplicate: `peer: 0.0.0.0/0, TCP, from port:
 * 80, to port: 80, ALLOW`. Verified for TCP with a CIDR; other protocols and peers follow it.
 */
export function describeRule(rule: Pick<SecurityGroupRule, 'protocol' | 'fromPort' | 'toPort' | 'peer'>): string {
  const peer =
    rule.peer.kind === 'group'
      ? rule.peer.groupId
      : rule.peer.kind === 'prefixList'
        ? rule.peer.prefixListId
        : rule.peer.cidr;
  if (rule.protocol === '-1') return `peer: ${peer}, ALL, ALLOW`;
  return `peer: ${peer}, ${rule.protocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW`;
}

/** IpPermission on the wire (ipPermissions / ipPermissionsEgress items). */
export interface IpPermissionOutput {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  groups: { userId: string; groupId: string; description?: string }[];
  ipRanges: { cidrIp: string; description?: string }[];
  ipv6Ranges: { cidrIpv6: string; description?: string }[];
  prefixListIds: { prefixListId: string; description?: string }[];
}

/** Folds rules into IpPermissions: one per (protocol, from, to), in the order first seen. */
export function foldPermissions(rules: readonly SecurityGroupRule[]): IpPermissionOutput[] {
  const byKey = new Map<string, IpPermissionOutput>();
  for (const rule of rules) {
    const key = `${rule.protocol}/${rule.fromPort}/${rule.toPort}`;
    let permission = byKey.get(key);
    if (!permission) {
      // EC2 leaves the ports out for all-traffic rules.
      const ports = rule.protocol === '-1' ? {} : { fromPort: rule.fromPort, toPort: rule.toPort };
      permission = { ipProtocol: rule.protocol, ...ports, groups: [], ipRanges: [], ipv6Ranges: [], prefixListIds: [] };
      byKey.set(key, permission);
    }
    const description = rule.description !== undefined ? { description: rule.description } : {};
    const peer = rule.peer;
    if (peer.kind === 'cidr4') permission.ipRanges.push({ cidrIp: peer.cidr, ...description });
    else if (peer.kind === 'cidr6') permission.ipv6Ranges.push({ cidrIpv6: peer.cidr, ...description });
    else if (peer.kind === 'group')
      permission.groups.push({ userId: peer.userId, groupId: peer.groupId, ...description });
    else permission.prefixListIds.push({ prefixListId: peer.prefixListId, ...description });
  }
  return [...byKey.values()];
}
