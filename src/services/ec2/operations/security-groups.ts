/**
 * DescribeSecurityGroups, CreateSecurityGroup and DeleteSecurityGroup. Group names given
 * without a VPC (GroupName.N, DeleteSecurityGroup's GroupName) resolve in the default VPC, as
 * EC2 does. A new group gets EC2's default egress rule; the default group cannot be deleted,
 * and a group that an interface uses or another group's rule references is a
 * DependencyViolation.
 */
import type { Operation, RequestContext } from '../../../core/operation.js';
import { onAnything, securityGroupArn, vpcArn } from '../authorization.js';
import { ec2Errors } from '../errors.js';
import {
  applyFilters,
  checkDryRun,
  paginate,
  readDescribeCommon,
  type DescribeCommon,
  type FilterTable,
} from '../filters.js';
import type { SecurityGroup, SecurityGroupRule } from '../model.js';
import { ec2Arn, securityGroupOutput } from '../outputs.js';
import type { Ec2Store } from '../store.js';
import { readTagSpecifications, tagsFor, type TagSpecification } from './tag-specifications.js';

const GROUP_ID = /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** Values of a rule field across a group's ingress or egress rules. */
function across(egress: boolean, read: (rule: SecurityGroupRule) => string | number | undefined) {
  return (g: SecurityGroup) => g.rules.filter((r) => r.isEgress === egress).map(read);
}

function permissionFilters(prefix: string, egress: boolean): FilterTable<SecurityGroup> {
  return {
    [`${prefix}ip-permission.cidr`]: across(egress, (r) => (r.peer.kind === 'cidr4' ? r.peer.cidr : undefined)),
    [`${prefix}ip-permission.ipv6-cidr`]: across(egress, (r) => (r.peer.kind === 'cidr6' ? r.peer.cidr : undefined)),
    [`${prefix}ip-permission.protocol`]: across(egress, (r) => r.protocol),
    [`${prefix}ip-permission.from-port`]: across(egress, (r) => r.fromPort),
    [`${prefix}ip-permission.to-port`]: across(egress, (r) => r.toPort),
    [`${prefix}ip-permission.group-id`]: across(egress, (r) => (r.peer.kind === 'group' ? r.peer.groupId : undefined)),
    [`${prefix}ip-permission.user-id`]: across(egress, (r) => (r.peer.kind === 'group' ? r.peer.userId : undefined)),
    [`${prefix}ip-permission.prefix-list-id`]: across(egress, (r) =>
      r.peer.kind === 'prefixList' ? r.peer.prefixListId : undefined,
    ),
  };
}

const GROUP_FILTERS: FilterTable<SecurityGroup> = {
  'group-id': (g) => g.id,
  'group-name': (g) => g.name,
  description: (g) => g.description,
  'vpc-id': (g) => g.vpcId,
  'owner-id': (g) => g.ownerId,
  ...permissionFilters('', false),
  ...permissionFilters('egress.', true),
};

/** Finds groups by id, refusing malformed and unknown ids as EC2 does. */
export function requireGroups(store: Ec2Store, ids: readonly string[]): SecurityGroup[] {
  const malformed = ids.find((id) => !GROUP_ID.test(id));
  if (malformed !== undefined) throw ec2Errors.groupIdMalformed(malformed);
  const groups = store.securityGroups();
  const missing = ids.filter((id) => !groups.some((g) => g.id === id));
  if (missing.length > 0) throw ec2Errors.groupNotFound(missing);
  return groups.filter((g) => ids.includes(g.id));
}

/** Finds a group by name in the default VPC. */
export function requireGroupByName(store: Ec2Store, name: string): SecurityGroup {
  const vpc = store.defaultVpc();
  const group = vpc ? store.securityGroupByName(vpc.id, name) : undefined;
  if (!group) throw ec2Errors.groupNameNotFound(name, vpc?.id ?? '');
  return group;
}

/** The group a GroupId or GroupName names; MissingParameter when neither is given. */
export function resolveGroup(store: Ec2Store, ref: GroupRef): SecurityGroup {
  if (ref.groupId !== undefined) return requireGroups(store, [ref.groupId])[0] as SecurityGroup;
  if (ref.groupName !== undefined) return requireGroupByName(store, ref.groupName);
  throw ec2Errors.missingParameter('groupId');
}

export interface GroupRef {
  groupId?: string;
  groupName?: string;
}

/** The ARN to authorize a group reference on: the group's, or security-group/* when it cannot be resolved. */
export function groupRefArn(store: Ec2Store, ref: GroupRef, ctx: RequestContext): string {
  if (ref.groupId !== undefined) return securityGroupArn(ctx, ref.groupId);
  const vpc = store.defaultVpc();
  const group = ref.groupName !== undefined && vpc ? store.securityGroupByName(vpc.id, ref.groupName) : undefined;
  return securityGroupArn(ctx, group?.id ?? '*');
}

interface DescribeGroupsInput extends DescribeCommon {
  groupIds?: string[];
  groupNames?: string[];
}

export function describeSecurityGroups(store: Ec2Store): Operation<DescribeGroupsInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      ...readDescribeCommon(r),
      groupIds: r.stringList('GroupId'),
      groupNames: r.stringList('GroupName'),
    }),
    authorize: () => onAnything('DescribeSecurityGroups'),
    run: (input, ctx) => {
      checkDryRun(input.dryRun);
      let groups = store.securityGroups();
      if (input.groupIds || input.groupNames) {
        const byId = requireGroups(store, input.groupIds ?? []).map((g) => g.id);
        const byName = (input.groupNames ?? []).map((name) => requireGroupByName(store, name).id);
        const wanted = new Set([...byId, ...byName]);
        groups = groups.filter((g) => wanted.has(g.id));
      }
      const page = paginate(applyFilters(groups, input.filters, GROUP_FILTERS), input);
      return {
        securityGroupInfo: page.items.map((g) => securityGroupOutput(g, ctx.region)),
        nextToken: page.nextToken,
      };
    },
  };
}

interface CreateGroupInput {
  groupName: string;
  description: string;
  vpcId?: string;
  tagSpecifications: TagSpecification[];
  dryRun: boolean;
}

/** EC2's allowed characters for VPC group names and descriptions. */
const GROUP_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

export function createSecurityGroup(store: Ec2Store): Operation<CreateGroupInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      groupName: r.string('GroupName') ?? '',
      description: r.string('GroupDescription') ?? '',
      vpcId: r.string('VpcId'),
      tagSpecifications: readTagSpecifications(r),
      dryRun: r.boolean('DryRun') ?? false,
    }),
    authorize: (input, ctx) => [
      { action: 'ec2:CreateSecurityGroup', resource: securityGroupArn(ctx, '*') },
      { action: 'ec2:CreateSecurityGroup', resource: vpcArn(ctx, input.vpcId ?? store.defaultVpc()?.id ?? '*') },
    ],
    run: (input, ctx) => {
      if (input.groupName === '') throw ec2Errors.missingParameter('groupName');
      if (input.description === '') throw ec2Errors.missingParameter('groupDescription');
      checkText('GroupName', input.groupName);
      checkText('GroupDescription', input.description);
      if (input.groupName.toLowerCase().startsWith('sg-')) throw ec2Errors.groupReserved();
      const vpcId = input.vpcId ?? store.defaultVpc()?.id;
      if (vpcId === undefined) throw ec2Errors.missingParameter('vpcId');
      if (!store.vpc(vpcId)) throw ec2Errors.vpcNotFound([vpcId]);
      if (store.securityGroupByName(vpcId, input.groupName)) throw ec2Errors.groupDuplicate(input.groupName, vpcId);
      const tags = tagsFor(input.tagSpecifications, 'security-group');
      checkDryRun(input.dryRun);
      const group = store.createSecurityGroup({ vpcId, name: input.groupName, description: input.description, tags });
      return {
        return: true,
        groupId: group.id,
        tagSet: group.tags.length > 0 ? group.tags : undefined,
        securityGroupArn: ec2Arn(ctx.region, ctx.accountId, `security-group/${group.id}`),
      };
    },
  };
}

function checkText(member: string, value: string): void {
  if (value.length > 255)
    throw ec2Errors.invalidParameterValue(`Invalid value for ${member}: it must be at most 255 characters`);
  if (!GROUP_TEXT.test(value)) {
    throw ec2Errors.invalidParameterValue(
      `Value (${value}) for parameter ${member} is invalid. Character sets beyond ASCII are not supported.`,
    );
  }
}

interface DeleteGroupInput extends GroupRef {
  dryRun: boolean;
}

export function deleteSecurityGroup(store: Ec2Store): Operation<DeleteGroupInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      groupId: r.string('GroupId'),
      groupName: r.string('GroupName'),
      dryRun: r.boolean('DryRun') ?? false,
    }),
    authorize: (input, ctx) => [{ action: 'ec2:DeleteSecurityGroup', resource: groupRefArn(store, input, ctx) }],
    run: (input) => {
      const group = resolveGroup(store, input);
      if (group.name === 'default') throw ec2Errors.cannotDeleteDefault(group.id);
      if (store.groupDependents(group.id).length > 0) throw ec2Errors.dependencyViolation(group.id);
      checkDryRun(input.dryRun);
      store.deleteSecurityGroup(group.id);
      return { return: true, groupId: group.id };
    },
  };
}
