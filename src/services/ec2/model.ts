/**
 * EC2's networking resources as the store keeps them: the default VPC, its subnets, security
 * groups and their rules, and the network interfaces the ECS scheduler registers for tasks.
 * These are domain values; outputs.ts turns them into EC2's wire members.
 */

export interface Tag {
  key: string;
  value: string;
}

export interface AvailabilityZone {
  zoneName: string;
  zoneId: string;
}

export interface Vpc {
  id: string;
  cidrBlock: string;
  isDefault: boolean;
  dhcpOptionsId: string;
  cidrAssociationId: string;
  ownerId: string;
  tags: Tag[];
}

export interface Subnet {
  id: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  cidrBlock: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  /** Addresses left: the block's size minus AWS's 5 reserved minus interfaces in the subnet. */
  availableIpAddressCount: number;
  ownerId: string;
  tags: Tag[];
}

/** Where traffic a rule allows comes from (ingress) or goes to (egress): exactly one peer per rule. */
export type RulePeer =
  | { kind: 'cidr4'; cidr: string }
  | { kind: 'cidr6'; cidr: string }
  | { kind: 'group'; groupId: string; userId: string }
  | { kind: 'prefixList'; prefixListId: string };

/** One security group rule, as EC2's SecurityGroupRule: one protocol, one port range, one peer. */
export interface SecurityGroupRule {
  id: string;
  groupId: string;
  isEgress: boolean;
  /** '-1' (all), 'tcp', 'udp', 'icmp', 'icmpv6' or another protocol number as text. */
  protocol: string;
  /** -1 when the protocol has no ports (all traffic). */
  fromPort: number;
  toPort: number;
  peer: RulePeer;
  description?: string;
}

export interface SecurityGroup {
  id: string;
  vpcId: string;
  name: string;
  description: string;
  ownerId: string;
  rules: SecurityGroupRule[];
  tags: Tag[];
}

export interface NetworkInterface {
  id: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  description: string;
  privateIp: string;
  publicIp?: string;
  macAddress: string;
  groupIds: string[];
  ownerId: string;
  /** ECS's task interfaces are requester-managed, as on Fargate. */
  requesterManaged: boolean;
  attachmentId: string;
  createdAt: Date;
  tags: Tag[];
}

/** What ECS passes to register a task's interface. */
export interface NewNetworkInterface {
  subnetId: string;
  groupIds: string[];
  description: string;
  privateIp: string;
  publicIp?: string;
  requesterManaged?: boolean;
}
