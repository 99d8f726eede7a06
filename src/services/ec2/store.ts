/**
 * Ec2Store: EC2's networking state over SQLite. On first start it creates what every AWS
 * account has in a region: the default VPC (172.31.0.0/16), one default /20 subnet per
 * availability zone and the VPC's default security group (all egress, ingress from itself).
 * It also keeps the network interfaces the ECS scheduler registers for awsvpc tasks and
 * answers the two questions ECS asks of the network (networking.ts).
 */
import type { Db } from '../../store/database.js';
import { migrate } from '../../store/database.js';
import { cidr4Size, ec2Id, macAddress } from './addresses.js';
import type {
  AvailabilityZone,
  NetworkInterface,
  NewNetworkInterface,
  RulePeer,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Tag,
  Vpc,
} from './model.js';
import { ingressAllows, validateAwsvpc, type AwsvpcConfiguration, type Traffic } from './networking.js';
import { EC2_MIGRATIONS } from './schema.js';

export interface Ec2StoreOptions {
  accountId: string;
  region: string;
  /** Zone letters; defaults to a–f in us-east-1 and a–c elsewhere. */
  zoneLetters?: readonly string[];
}

/** A rule to add: everything but its id. */
export type NewRule = Omit<SecurityGroupRule, 'id'>;

interface VpcRow {
  id: string;
  cidr_block: string;
  is_default: number;
  dhcp_options_id: string;
  cidr_association_id: string;
}
interface SubnetRow {
  id: string;
  vpc_id: string;
  availability_zone: string;
  availability_zone_id: string;
  cidr_block: string;
  default_for_az: number;
  map_public_ip: number;
}
interface GroupRow {
  id: string;
  vpc_id: string;
  name: string;
  description: string;
}
interface RuleRow {
  id: string;
  group_id: string;
  is_egress: number;
  protocol: string;
  from_port: number;
  to_port: number;
  peer_kind: string;
  peer: string;
  peer_user: string | null;
  description: string | null;
}
interface InterfaceRow {
  id: string;
  subnet_id: string;
  description: string;
  private_ip: string;
  public_ip: string | null;
  mac_address: string;
  requester_managed: number;
  attachment_id: string;
  created_at: number;
}

const DEFAULT_VPC_CIDR = '172.31.0.0/16';
/** AWS reserves the first four and the last address of every subnet. */
const RESERVED_PER_SUBNET = 5;

/** The zone id prefix AWS derives from a region name: us-east-1 → use1, ap-northeast-1 → apne1. */
function zoneIdPrefix(region: string): string {
  const parts = region.split('-');
  const directions: Record<string, string> = {
    east: 'e',
    west: 'w',
    north: 'n',
    south: 's',
    central: 'c',
    northeast: 'ne',
    northwest: 'nw',
    southeast: 'se',
    southwest: 'sw',
  };
  return parts.map((p, i) => (i === 0 ? p : (directions[p] ?? p))).join('');
}

export class Ec2Store {
  readonly accountId: string;
  readonly region: string;
  private readonly zones: AvailabilityZone[];

  constructor(
    private readonly db: Db,
    options: Ec2StoreOptions,
  ) {
    this.accountId = options.accountId;
    this.region = options.region;
    const letters =
      options.zoneLetters ?? (options.region === 'us-east-1' ? ['a', 'b', 'c', 'd', 'e', 'f'] : ['a', 'b', 'c']);
    const prefix = zoneIdPrefix(options.region);
    this.zones = letters.map((letter, i) => ({
      zoneName: `${options.region}${letter}`,
      zoneId: `${prefix}-az${i + 1}`,
    }));
    migrate(db, 'ec2', EC2_MIGRATIONS);
    this.ensureDefaults();
    // A group peer is always one of this account's groups; after an account id change (allowed
    // only while the defaults are all there is, cloud/account-id.ts) the default group's
    // self-reference names the new account.
    db.prepare("UPDATE ec2_rules SET peer_user = ? WHERE peer_kind = 'group' AND peer_user IS NOT ?").run(
      this.accountId,
      this.accountId,
    );
  }

  availabilityZones(): AvailabilityZone[] {
    return this.zones.map((z) => ({ ...z }));
  }

  // --- VPCs and subnets ----------------------------------------------------------------

  vpcs(): Vpc[] {
    const tags = this.tagIndex();
    return this.db
      .prepare<[], VpcRow>('SELECT * FROM ec2_vpcs ORDER BY seq')
      .all()
      .map((r) => ({
        id: r.id,
        cidrBlock: r.cidr_block,
        isDefault: r.is_default === 1,
        dhcpOptionsId: r.dhcp_options_id,
        cidrAssociationId: r.cidr_association_id,
        ownerId: this.accountId,
        tags: tags.get(r.id) ?? [],
      }));
  }

  vpc(id: string): Vpc | undefined {
    return this.vpcs().find((v) => v.id === id);
  }

  defaultVpc(): Vpc | undefined {
    return this.vpcs().find((v) => v.isDefault);
  }

  subnets(): Subnet[] {
    const tags = this.tagIndex();
    const used = new Map<string, number>();
    for (const row of this.db
      .prepare<[], { subnet_id: string; n: number }>(
        'SELECT subnet_id, COUNT(*) AS n FROM ec2_network_interfaces GROUP BY subnet_id',
      )
      .all()) {
      used.set(row.subnet_id, row.n);
    }
    return this.db
      .prepare<[], SubnetRow>('SELECT * FROM ec2_subnets ORDER BY seq')
      .all()
      .map((r) => ({
        id: r.id,
        vpcId: r.vpc_id,
        availabilityZone: r.availability_zone,
        availabilityZoneId: r.availability_zone_id,
        cidrBlock: r.cidr_block,
        defaultForAz: r.default_for_az === 1,
        mapPublicIpOnLaunch: r.map_public_ip === 1,
        availableIpAddressCount: cidr4Size(r.cidr_block) - RESERVED_PER_SUBNET - (used.get(r.id) ?? 0),
        ownerId: this.accountId,
        tags: tags.get(r.id) ?? [],
      }));
  }

  subnet(id: string): Subnet | undefined {
    return this.subnets().find((s) => s.id === id);
  }

  // --- Security groups -----------------------------------------------------------------

  securityGroups(): SecurityGroup[] {
    const tags = this.tagIndex();
    const rules = new Map<string, SecurityGroupRule[]>();
    for (const rule of this.rules()) {
      const list = rules.get(rule.groupId) ?? [];
      list.push(rule);
      rules.set(rule.groupId, list);
    }
    return this.db
      .prepare<[], GroupRow>('SELECT id, vpc_id, name, description FROM ec2_security_groups ORDER BY seq')
      .all()
      .map((r) => ({
        id: r.id,
        vpcId: r.vpc_id,
        name: r.name,
        description: r.description,
        ownerId: this.accountId,
        rules: rules.get(r.id) ?? [],
        tags: tags.get(r.id) ?? [],
      }));
  }

  securityGroup(id: string): SecurityGroup | undefined {
    return this.securityGroups().find((g) => g.id === id);
  }

  securityGroupByName(vpcId: string, name: string): SecurityGroup | undefined {
    return this.securityGroups().find((g) => g.vpcId === vpcId && g.name === name);
  }

  /** Creates a group with EC2's default egress rule (all traffic to 0.0.0.0/0). The caller checks for duplicates. */
  createSecurityGroup(input: { vpcId: string; name: string; description: string; tags?: Tag[] }): SecurityGroup {
    const id = ec2Id('sg');
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO ec2_security_groups (id, vpc_id, name, description, seq) VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ec2_security_groups))',
        )
        .run(id, input.vpcId, input.name, input.description);
      this.insertRule({
        groupId: id,
        isEgress: true,
        protocol: '-1',
        fromPort: -1,
        toPort: -1,
        peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
      });
      if (input.tags) this.setTags([id], input.tags);
    })();
    return this.securityGroup(id) as SecurityGroup;
  }

  /** Deletes a group and its rules and tags; the caller checks that nothing depends on it. */
  deleteSecurityGroup(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM ec2_security_groups WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM ec2_tags WHERE resource_id = ?').run(id);
    })();
  }

  /** Interfaces in the group, and other groups' rules that reference it: what keeps it from being deleted. */
  groupDependents(id: string): string[] {
    const interfaces = this.db
      .prepare<[string], { interface_id: string }>('SELECT interface_id FROM ec2_interface_groups WHERE group_id = ?')
      .all(id);
    const referencing = this.db
      .prepare<[string, string], { group_id: string }>(
        "SELECT DISTINCT group_id FROM ec2_rules WHERE peer_kind = 'group' AND peer = ? AND group_id <> ?",
      )
      .all(id, id);
    return [...interfaces.map((r) => r.interface_id), ...referencing.map((r) => r.group_id)];
  }

  rules(): SecurityGroupRule[] {
    return this.db.prepare<[], RuleRow>('SELECT * FROM ec2_rules ORDER BY seq').all().map(ruleFromRow);
  }

  /** Adds rules in one transaction and returns them with their new ids. */
  addRules(rules: readonly NewRule[]): SecurityGroupRule[] {
    return this.db.transaction(() => rules.map((r) => this.insertRule(r)))();
  }

  removeRules(ids: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM ec2_rules WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) {
        remove.run(id);
        this.db.prepare('DELETE FROM ec2_tags WHERE resource_id = ?').run(id);
      }
    })();
  }

  private insertRule(rule: NewRule): SecurityGroupRule {
    const id = ec2Id('sgr');
    const peer = peerColumns(rule.peer);
    this.db
      .prepare(
        `INSERT INTO ec2_rules (id, group_id, is_egress, protocol, from_port, to_port, peer_kind, peer, peer_user, description, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ec2_rules))`,
      )
      .run(
        id,
        rule.groupId,
        rule.isEgress ? 1 : 0,
        rule.protocol,
        rule.fromPort,
        rule.toPort,
        peer.kind,
        peer.value,
        peer.user,
        rule.description ?? null,
      );
    return { ...rule, id };
  }

  // --- Network interfaces --------------------------------------------------------------

  /** Registers a task's interface in an existing subnet and groups (validate with validateAwsvpc first). */
  createNetworkInterface(input: NewNetworkInterface, now: Date): NetworkInterface {
    const subnet = this.subnet(input.subnetId);
    if (!subnet) throw new Error(`createNetworkInterface: no subnet ${input.subnetId}`);
    const id = ec2Id('eni');
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO ec2_network_interfaces (id, subnet_id, description, private_ip, public_ip, mac_address, requester_managed, attachment_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          subnet.id,
          input.description,
          input.privateIp,
          input.publicIp ?? null,
          macAddress(),
          input.requesterManaged === false ? 0 : 1,
          ec2Id('eni-attach'),
          now.getTime(),
        );
      const member = this.db.prepare(
        'INSERT OR IGNORE INTO ec2_interface_groups (interface_id, group_id, position) VALUES (?, ?, ?)',
      );
      input.groupIds.forEach((groupId, i) => member.run(id, groupId, i));
    })();
    return this.getNetworkInterface(id) as NetworkInterface;
  }

  /** Removes an interface; false when there was none. */
  /** Records the address the interface really has (a task's, once its engine network gave it one). */
  setNetworkInterfacePrivateIp(id: string, privateIp: string): boolean {
    return (
      this.db.prepare('UPDATE ec2_network_interfaces SET private_ip = ? WHERE id = ?').run(privateIp, id).changes > 0
    );
  }

  deleteNetworkInterface(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM ec2_tags WHERE resource_id = ?').run(id);
      return this.db.prepare('DELETE FROM ec2_network_interfaces WHERE id = ?').run(id).changes > 0;
    })();
  }

  getNetworkInterface(id: string): NetworkInterface | undefined {
    return this.networkInterfaces().find((n) => n.id === id);
  }

  networkInterfaces(): NetworkInterface[] {
    const tags = this.tagIndex();
    const subnets = new Map(this.subnets().map((s) => [s.id, s]));
    const groups = new Map<string, string[]>();
    for (const row of this.db
      .prepare<[], { interface_id: string; group_id: string }>(
        'SELECT interface_id, group_id FROM ec2_interface_groups ORDER BY interface_id, position',
      )
      .all()) {
      const list = groups.get(row.interface_id) ?? [];
      list.push(row.group_id);
      groups.set(row.interface_id, list);
    }
    return this.db
      .prepare<[], InterfaceRow>('SELECT * FROM ec2_network_interfaces ORDER BY created_at, id')
      .all()
      .map((r) => {
        const subnet = subnets.get(r.subnet_id);
        const out: NetworkInterface = {
          id: r.id,
          subnetId: r.subnet_id,
          vpcId: subnet?.vpcId ?? '',
          availabilityZone: subnet?.availabilityZone ?? '',
          description: r.description,
          privateIp: r.private_ip,
          macAddress: r.mac_address,
          groupIds: groups.get(r.id) ?? [],
          ownerId: this.accountId,
          requesterManaged: r.requester_managed === 1,
          attachmentId: r.attachment_id,
          createdAt: new Date(r.created_at),
          tags: tags.get(r.id) ?? [],
        };
        if (r.public_ip !== null) out.publicIp = r.public_ip;
        return out;
      });
  }

  // --- Tags ----------------------------------------------------------------------------

  /** Every tag, by resource id. */
  tagIndex(): Map<string, Tag[]> {
    const out = new Map<string, Tag[]>();
    for (const row of this.db
      .prepare<[], { resource_id: string; key: string; value: string }>(
        'SELECT resource_id, key, value FROM ec2_tags ORDER BY resource_id, key',
      )
      .all()) {
      const list = out.get(row.resource_id) ?? [];
      list.push({ key: row.key, value: row.value });
      out.set(row.resource_id, list);
    }
    return out;
  }

  /** Adds or overwrites tags on each resource. */
  setTags(resourceIds: readonly string[], tags: readonly Tag[]): void {
    const put = this.db.prepare(
      'INSERT INTO ec2_tags (resource_id, key, value) VALUES (?, ?, ?) ON CONFLICT (resource_id, key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const id of resourceIds) for (const tag of tags) put.run(id, tag.key, tag.value);
    })();
  }

  /** Removes tags by key; a tag given with a value is removed only when the value matches (as DeleteTags). */
  deleteTags(resourceIds: readonly string[], tags: readonly { key: string; value?: string }[] | undefined): void {
    this.db.transaction(() => {
      for (const id of resourceIds) {
        if (tags === undefined) {
          this.db.prepare('DELETE FROM ec2_tags WHERE resource_id = ?').run(id);
          continue;
        }
        for (const tag of tags) {
          if (tag.value === undefined)
            this.db.prepare('DELETE FROM ec2_tags WHERE resource_id = ? AND key = ?').run(id, tag.key);
          else
            this.db
              .prepare('DELETE FROM ec2_tags WHERE resource_id = ? AND key = ? AND value = ?')
              .run(id, tag.key, tag.value);
        }
      }
    })();
  }

  // --- What ECS asks -------------------------------------------------------------------

  /** ECS's check of a service's or task's awsvpcConfiguration: undefined when valid, else ECS's message. */
  validateAwsvpc(config: AwsvpcConfiguration): string | undefined {
    return validateAwsvpc(this, config);
  }

  /** Whether the groups' ingress rules let `traffic` reach an interface in them. */
  ingressAllows(groupIds: readonly string[], traffic: Traffic): boolean {
    return ingressAllows(this, groupIds, traffic);
  }

  // --- First start ---------------------------------------------------------------------

  /** Creates the default VPC, its subnets and default group unless a default VPC exists. */
  private ensureDefaults(): void {
    this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM ec2_vpcs WHERE is_default = 1').get()) return;
      const vpcId = ec2Id('vpc');
      this.db
        .prepare(
          'INSERT INTO ec2_vpcs (id, cidr_block, is_default, dhcp_options_id, cidr_association_id, seq) VALUES (?, ?, 1, ?, ?, 1)',
        )
        .run(vpcId, DEFAULT_VPC_CIDR, ec2Id('dopt'), ec2Id('vpc-cidr-assoc'));
      const subnet = this.db.prepare(
        `INSERT INTO ec2_subnets (id, vpc_id, availability_zone, availability_zone_id, cidr_block, default_for_az, map_public_ip, seq)
         VALUES (?, ?, ?, ?, ?, 1, 1, ?)`,
      );
      // 172.31.0.0/20, 172.31.16.0/20, …: AWS's default subnets are consecutive /20s.
      this.zones.forEach((zone, i) =>
        subnet.run(ec2Id('subnet'), vpcId, zone.zoneName, zone.zoneId, `172.31.${i * 16}.0/20`, i + 1),
      );
      const groupId = ec2Id('sg');
      this.db
        .prepare(
          "INSERT INTO ec2_security_groups (id, vpc_id, name, description, seq) VALUES (?, ?, 'default', 'default VPC security group', 1)",
        )
        .run(groupId, vpcId);
      this.insertRule({
        groupId,
        isEgress: false,
        protocol: '-1',
        fromPort: -1,
        toPort: -1,
        peer: { kind: 'group', groupId, userId: this.accountId },
      });
      this.insertRule({
        groupId,
        isEgress: true,
        protocol: '-1',
        fromPort: -1,
        toPort: -1,
        peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
      });
    })();
  }
}

function peerColumns(peer: RulePeer): { kind: string; value: string; user: string | null } {
  switch (peer.kind) {
    case 'cidr4':
    case 'cidr6':
      return { kind: peer.kind, value: peer.cidr, user: null };
    case 'group':
      return { kind: 'group', value: peer.groupId, user: peer.userId };
    case 'prefixList':
      return { kind: 'prefixList', value: peer.prefixListId, user: null };
  }
}

function ruleFromRow(r: RuleRow): SecurityGroupRule {
  const peer: RulePeer =
    r.peer_kind === 'group'
      ? { kind: 'group', groupId: r.peer, userId: r.peer_user ?? '' }
      : r.peer_kind === 'prefixList'
        ? { kind: 'prefixList', prefixListId: r.peer }
        : { kind: r.peer_kind === 'cidr6' ? 'cidr6' : 'cidr4', cidr: r.peer };
  const rule: SecurityGroupRule = {
    id: r.id,
    groupId: r.group_id,
    isEgress: r.is_egress === 1,
    protocol: r.protocol,
    fromPort: r.from_port,
    toPort: r.to_port,
    peer,
  };
  if (r.description !== null) rule.description = r.description;
  return rule;
}
