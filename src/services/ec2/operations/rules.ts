/**
 * Security group rules: Authorize/RevokeSecurityGroupIngress, their Egress twins and
 * DescribeSecurityGroupRules. The CLI's `--protocol tcp --port 80 --cidr 0.0.0.0/0` arrives
 * as IpPermissions.1.* (or the flat IpProtocol/FromPort/ToPort/CidrIp form, also accepted).
 * A rule that already exists, in the group or twice in the request, is
 * InvalidPermission.Duplicate and nothing is added. Revoking rules that do not exist: in the
 * default VPC EC2 answers return=false with unknownIpPermissionSet; elsewhere
 * InvalidPermission.NotFound, and nothing is revoked (API reference).
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { onAnything } from '../authorization.js';
import { ec2Errors } from '../errors.js';
import {
  applyFilters,
  checkDryRun,
  paginate,
  readDescribeCommon,
  type DescribeCommon,
  type FilterTable,
} from '../filters.js';
import type { RulePeer, SecurityGroup, SecurityGroupRule, Tag } from '../model.js';
import { ruleOutput } from '../outputs.js';
import {
  describeRule,
  expandPermissions,
  foldPermissions,
  readPermissions,
  sameRule,
  type RequestedRule,
} from '../permissions.js';
import type { Ec2Store, NewRule } from '../store.js';
import { groupRefArn, requireGroups, resolveGroup, type GroupRef } from './security-groups.js';
import { readTagSpecifications, tagsFor, type TagSpecification } from './tag-specifications.js';

type Direction = 'Ingress' | 'Egress';

interface ChangeInput extends GroupRef {
  read: () => RequestedRule[];
  ruleIds?: string[];
  tagSpecifications: TagSpecification[];
  dryRun: boolean;
}

function readChange(r: InputReader, direction: Direction): ChangeInput {
  const raw = readPermissions(r);
  const ruleIds = r.stringList('SecurityGroupRuleId');
  const input: ChangeInput = {
    groupId: r.string('GroupId'),
    groupName: direction === 'Ingress' ? r.string('GroupName') : undefined,
    // Validation of the permissions is semantic (EC2's own errors), so it runs in `run`.
    read: () => expandPermissions(raw),
    tagSpecifications: readTagSpecifications(r),
    dryRun: r.boolean('DryRun') ?? false,
  };
  if (ruleIds !== undefined) input.ruleIds = ruleIds;
  return input;
}

/** Turns requested peers into stored ones: group names resolve in the target group's VPC, group ids must exist. */
function resolvePeers(
  store: Ec2Store,
  target: SecurityGroup,
  rules: readonly RequestedRule[],
): Omit<NewRule, 'groupId' | 'isEgress'>[] {
  return rules.map((rule) => {
    let peer: RulePeer;
    if (rule.peer.kind === 'groupName') {
      const named = store.securityGroupByName(target.vpcId, rule.peer.groupName);
      if (!named) throw ec2Errors.groupNameNotFound(rule.peer.groupName, target.vpcId);
      peer = { kind: 'group', groupId: named.id, userId: rule.peer.userId ?? store.accountId };
    } else if (rule.peer.kind === 'group') {
      requireGroups(store, [rule.peer.groupId]);
      peer = { kind: 'group', groupId: rule.peer.groupId, userId: rule.peer.userId || store.accountId };
    } else {
      peer = rule.peer;
    }
    const out: Omit<NewRule, 'groupId' | 'isEgress'> = {
      protocol: rule.protocol,
      fromPort: rule.fromPort,
      toPort: rule.toPort,
      peer,
    };
    if (rule.description !== undefined) out.description = rule.description;
    return out;
  });
}

function authorizeRules(store: Ec2Store, direction: Direction): Operation<ChangeInput, Record<string, unknown>> {
  const egress = direction === 'Egress';
  return {
    input: (r) => readChange(r, direction),
    authorize: (input, ctx) => [
      { action: `ec2:AuthorizeSecurityGroup${direction}`, resource: groupRefArn(store, input, ctx) },
    ],
    run: (input, ctx) => {
      if (egress && input.groupId === undefined) throw ec2Errors.missingParameter('groupId');
      const group = resolveGroup(store, input);
      const requested = resolvePeers(store, group, input.read());
      const tags: Tag[] = tagsFor(input.tagSpecifications, 'security-group-rule');
      const existing = group.rules.filter((r) => r.isEgress === egress);
      requested.forEach((rule, i) => {
        if (existing.some((r) => sameRule(r, rule)) || requested.slice(0, i).some((r) => sameRule(r, rule))) {
          throw ec2Errors.permissionDuplicate(describeRule(rule));
        }
      });
      checkDryRun(input.dryRun);
      const added = store.addRules(requested.map((rule) => ({ ...rule, groupId: group.id, isEgress: egress })));
      if (tags.length > 0)
        store.setTags(
          added.map((r) => r.id),
          tags,
        );
      return {
        return: true,
        securityGroupRuleSet: added.map((rule) => ruleOutput(rule, store.accountId, ctx.region, tags)),
      };
    },
  };
}

function revokedOutput(rule: SecurityGroupRule): Record<string, unknown> {
  const peer = rule.peer;
  return {
    securityGroupRuleId: rule.id,
    groupId: rule.groupId,
    isEgress: rule.isEgress,
    ipProtocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrIpv4: peer.kind === 'cidr4' ? peer.cidr : undefined,
    cidrIpv6: peer.kind === 'cidr6' ? peer.cidr : undefined,
    prefixListId: peer.kind === 'prefixList' ? peer.prefixListId : undefined,
    referencedGroupId: peer.kind === 'group' ? peer.groupId : undefined,
    description: rule.description,
  };
}

function revokeRules(store: Ec2Store, direction: Direction): Operation<ChangeInput, Record<string, unknown>> {
  const egress = direction === 'Egress';
  return {
    input: (r) => readChange(r, direction),
    authorize: (input, ctx) => [
      { action: `ec2:RevokeSecurityGroup${direction}`, resource: groupRefArn(store, input, ctx) },
    ],
    run: (input) => {
      if (egress && input.groupId === undefined) throw ec2Errors.missingParameter('groupId');
      const group = resolveGroup(store, input);
      const existing = group.rules.filter((r) => r.isEgress === egress);
      let revoked: SecurityGroupRule[];
      let unknown: SecurityGroupRule[] = [];
      if (input.ruleIds !== undefined) {
        const missing = input.ruleIds.filter((id) => !existing.some((r) => r.id === id));
        if (missing.length > 0) throw ec2Errors.ruleNotFound(missing);
        revoked = existing.filter((r) => input.ruleIds?.includes(r.id));
      } else {
        const requested = resolvePeers(store, group, input.read());
        revoked = existing.filter((r) => requested.some((q) => sameRule(r, q)));
        unknown = requested
          .filter((q) => !existing.some((r) => sameRule(r, q)))
          .map((q) => ({ ...q, id: '', groupId: group.id, isEgress: egress }));
        if (unknown.length > 0 && store.vpc(group.vpcId)?.isDefault !== true) throw ec2Errors.permissionNotFound();
      }
      checkDryRun(input.dryRun);
      store.removeRules(revoked.map((r) => r.id));
      const out: Record<string, unknown> = { return: unknown.length === 0 };
      if (unknown.length > 0) out.unknownIpPermissionSet = foldPermissions(unknown);
      out.revokedSecurityGroupRuleSet = revoked.map(revokedOutput);
      return out;
    },
  };
}

export const authorizeSecurityGroupIngress = (store: Ec2Store) => authorizeRules(store, 'Ingress');
export const authorizeSecurityGroupEgress = (store: Ec2Store) => authorizeRules(store, 'Egress');
export const revokeSecurityGroupIngress = (store: Ec2Store) => revokeRules(store, 'Ingress');
export const revokeSecurityGroupEgress = (store: Ec2Store) => revokeRules(store, 'Egress');

type RuleWithTags = SecurityGroupRule & { tags: Tag[] };

const RULE_FILTERS: FilterTable<RuleWithTags> = {
  'group-id': (r) => r.groupId,
  'security-group-rule-id': (r) => r.id,
};

interface DescribeRulesInput extends DescribeCommon {
  ruleIds?: string[];
}

export function describeSecurityGroupRules(store: Ec2Store): Operation<DescribeRulesInput, Record<string, unknown>> {
  return {
    input: (r) => ({ ...readDescribeCommon(r), ruleIds: r.stringList('SecurityGroupRuleId') }),
    authorize: () => onAnything('DescribeSecurityGroupRules'),
    run: (input, ctx) => {
      checkDryRun(input.dryRun);
      const tags = store.tagIndex();
      let rules: RuleWithTags[] = store.rules().map((r) => ({ ...r, tags: tags.get(r.id) ?? [] }));
      if (input.ruleIds) {
        const ids = input.ruleIds;
        const missing = ids.filter((id) => !rules.some((r) => r.id === id));
        if (missing.length > 0) throw ec2Errors.ruleNotFound(missing);
        rules = rules.filter((r) => ids.includes(r.id));
      }
      const page = paginate(applyFilters(rules, input.filters, RULE_FILTERS), input);
      return {
        securityGroupRuleSet: page.items.map((r) => ruleOutput(r, store.accountId, ctx.region, r.tags)),
        nextToken: page.nextToken,
      };
    },
  };
}
