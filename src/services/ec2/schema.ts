/**
 * EC2's tables in the cloud's SQLite database. A security group's rules and an interface's
 * group memberships cascade from their rows; tags are keyed by resource id for every type.
 *   ec2_vpcs, ec2_subnets      the default VPC and its subnets (created on first start)
 *   ec2_security_groups        groups, unique by (vpc, name)
 *   ec2_rules                  one row per rule: protocol, port range and a single peer
 *   ec2_network_interfaces     task interfaces registered by the ECS scheduler
 *   ec2_interface_groups       which groups each interface is in
 *   ec2_tags                   tags of any resource
 */
import type { ResourceCount } from '../../store/database.js';

/** Schema steps; released steps are never edited (see migrate). */
export const EC2_MIGRATIONS: readonly string[] = [
  `CREATE TABLE ec2_vpcs (
     id TEXT PRIMARY KEY,
     cidr_block TEXT NOT NULL,
     is_default INTEGER NOT NULL,
     dhcp_options_id TEXT NOT NULL,
     cidr_association_id TEXT NOT NULL,
     seq INTEGER NOT NULL
   );
   CREATE TABLE ec2_subnets (
     id TEXT PRIMARY KEY,
     vpc_id TEXT NOT NULL REFERENCES ec2_vpcs (id) ON DELETE CASCADE,
     availability_zone TEXT NOT NULL,
     availability_zone_id TEXT NOT NULL,
     cidr_block TEXT NOT NULL,
     default_for_az INTEGER NOT NULL,
     map_public_ip INTEGER NOT NULL,
     seq INTEGER NOT NULL
   );
   CREATE TABLE ec2_security_groups (
     id TEXT PRIMARY KEY,
     vpc_id TEXT NOT NULL REFERENCES ec2_vpcs (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     seq INTEGER NOT NULL,
     UNIQUE (vpc_id, name)
   );
   CREATE TABLE ec2_rules (
     id TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES ec2_security_groups (id) ON DELETE CASCADE,
     is_egress INTEGER NOT NULL,
     protocol TEXT NOT NULL,
     from_port INTEGER NOT NULL,
     to_port INTEGER NOT NULL,
     peer_kind TEXT NOT NULL,
     peer TEXT NOT NULL,
     peer_user TEXT,
     description TEXT,
     seq INTEGER NOT NULL
   );
   CREATE INDEX ec2_rules_by_group ON ec2_rules (group_id, seq);
   CREATE TABLE ec2_network_interfaces (
     id TEXT PRIMARY KEY,
     subnet_id TEXT NOT NULL REFERENCES ec2_subnets (id),
     description TEXT NOT NULL,
     private_ip TEXT NOT NULL,
     public_ip TEXT,
     mac_address TEXT NOT NULL,
     requester_managed INTEGER NOT NULL,
     attachment_id TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE ec2_interface_groups (
     interface_id TEXT NOT NULL REFERENCES ec2_network_interfaces (id) ON DELETE CASCADE,
     group_id TEXT NOT NULL REFERENCES ec2_security_groups (id),
     position INTEGER NOT NULL,
     PRIMARY KEY (interface_id, group_id)
   );
   CREATE INDEX ec2_interface_groups_by_group ON ec2_interface_groups (group_id);
   CREATE TABLE ec2_tags (
     resource_id TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (resource_id, key)
   );`,
];

/**
 * What fixes the account id in a region's EC2 (cloud/account-id.ts): anything beyond the
 * default VPC, its subnets, its default group and that group's two rules, which every region
 * gets on its own.
 */
export const EC2_RESOURCES: readonly ResourceCount[] = [
  { what: 'security group', sql: "SELECT COUNT(*) AS n FROM ec2_security_groups WHERE name <> 'default'" },
  {
    what: 'security group rule',
    sql: "SELECT (SELECT COUNT(*) FROM ec2_rules) - 2 * (SELECT COUNT(*) FROM ec2_security_groups WHERE name = 'default') AS n",
  },
  { what: 'network interface', sql: 'SELECT COUNT(*) AS n FROM ec2_network_interfaces' },
  { what: 'EC2 tag', sql: 'SELECT COUNT(*) AS n FROM ec2_tags' },
];
