/**
 * Managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy and
 * ListEntitiesForPolicy. AWS's own policies are listed and readable but not changeable.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { policyArn } from '../arns.js';
import { authorization, withTagging } from '../authorization.js';
import { policySize, validatePolicyDocument } from '../documents.js';
import { iamErrors } from '../errors.js';
import {
  ARN,
  PATH,
  PATH_PREFIX,
  POLICY_DESCRIPTION,
  POLICY_DOCUMENT,
  POLICY_NAME,
  readPaging,
  readTags,
  type Paging,
} from '../input-rules.js';
import { checkDistinctTagKeys, requireOwnPolicy, requirePolicy } from '../lookups.js';
import type { ManagedPolicy, Tag } from '../model.js';
import { policyOutput, type PolicyOutput, type PolicyUsage } from '../outputs.js';
import { byPosition, compareKeys, paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** A managed policy version may hold 6,144 characters, white space not counted. */
const MANAGED_POLICY_QUOTA = 6144;

/** Checks a managed policy document as CreatePolicy and CreatePolicyVersion do. */
export function checkManagedPolicyDocument(document: string): void {
  validatePolicyDocument(document, 'managed');
  if (policySize(document) > MANAGED_POLICY_QUOTA) throw iamErrors.managedPolicyTooLarge();
}

/** How many roles, users and groups use the policy, either way. */
export function policyUsage(store: IamStore, policy: ManagedPolicy): PolicyUsage {
  const attachments = [store.roles.links, store.users.links, store.groups.links].reduce(
    (sum, links) => sum + links.attachmentCountOf(policy.arn),
    0,
  );
  return {
    attachments,
    boundaries: store.roles.boundaryUsageCountOf(policy.arn) + store.users.boundaryUsageCountOf(policy.arn),
  };
}

interface CreatePolicyInput {
  policyName: string;
  path: string;
  policyDocument: string;
  description?: string;
  tags?: Tag[];
}

/** CreatePolicy: v1 is the default; names are unique in the account whatever the path. */
export function createPolicy(store: IamStore): Operation<CreatePolicyInput, { Policy: PolicyOutput }> {
  return {
    input: (r) => ({
      policyName: r.string('PolicyName', { ...POLICY_NAME, required: true }),
      path: r.string('Path', PATH) ?? '/',
      policyDocument: r.string('PolicyDocument', { ...POLICY_DOCUMENT, required: true }),
      description: r.string('Description', POLICY_DESCRIPTION),
      tags: readTags(r),
    }),
    authorize: (input, ctx) =>
      withTagging(
        authorization('iam:CreatePolicy', policyArn(ctx.accountId, input.path, input.policyName)),
        'iam:TagPolicy',
        input.tags,
      ),
    run: (input) => {
      checkDistinctTagKeys(input.tags);
      checkManagedPolicyDocument(input.policyDocument);
      if (store.policies.getLocalByName(input.policyName)) throw iamErrors.policyExists(input.policyName);
      const policy = store.policies.create({
        policyName: input.policyName,
        path: input.path,
        description: input.description,
        document: input.policyDocument,
        tags: input.tags ?? [],
      });
      return { Policy: policyOutput(policy, { attachments: 0, boundaries: 0 }, 'create') };
    },
  };
}

interface PolicyArnInput {
  policyArn: string;
}

const readPolicyArn = (r: InputReader): PolicyArnInput => ({
  policyArn: r.string('PolicyArn', { ...ARN, required: true }),
});

/** GetPolicy: the account's policies and AWS's, with usage counts. */
export function getPolicy(store: IamStore): Operation<PolicyArnInput, { Policy: PolicyOutput }> {
  return {
    input: readPolicyArn,
    authorize: (input) => [authorization('iam:GetPolicy', input.policyArn)],
    run: (input) => {
      const policy = requirePolicy(store, input.policyArn);
      return { Policy: policyOutput(policy, policyUsage(store, policy), 'get') };
    },
  };
}

type UsageFilter = 'PermissionsPolicy' | 'PermissionsBoundary';

interface ListPoliciesInput extends Paging {
  scope: 'All' | 'AWS' | 'Local';
  onlyAttached: boolean;
  pathPrefix: string;
  usageFilter?: UsageFilter;
}

const USAGE_FILTERS = ['PermissionsPolicy', 'PermissionsBoundary'] as const;

/** ListPolicies: Scope, OnlyAttached, PathPrefix and PolicyUsageFilter; paged. */
export function listPolicies(
  store: IamStore,
): Operation<ListPoliciesInput, { Policies: PolicyOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({
      scope: r.string('Scope', { oneOf: ['All', 'AWS', 'Local'] }) ?? 'All',
      onlyAttached: r.boolean('OnlyAttached') ?? false,
      pathPrefix: r.string('PathPrefix', PATH_PREFIX) ?? '/',
      usageFilter: r.string('PolicyUsageFilter', { oneOf: USAGE_FILTERS }),
      ...readPaging(r),
    }),
    // ListPolicies has no resource type in the Service Authorization Reference.
    authorize: () => [authorization('iam:ListPolicies', '*')],
    run: (input) => {
      const listed = store.policies
        .list()
        .filter((p) => input.scope === 'All' || p.awsManaged === (input.scope === 'AWS'))
        .filter((p) => p.path.startsWith(input.pathPrefix))
        .map((p) => ({ policy: p, usage: policyUsage(store, p) }))
        .filter(({ usage }) => !input.onlyAttached || usage.attachments + usage.boundaries > 0)
        .filter(
          ({ usage }) =>
            input.usageFilter === undefined ||
            (input.usageFilter === 'PermissionsPolicy' ? usage.attachments : usage.boundaries) > 0,
        )
        // Creation order, as AWS lists policies; the store lists same-second creations in order.
        .sort((a, b) => a.policy.createDate.getTime() - b.policy.createDate.getTime());
      const page = paginate(
        listed,
        input,
        (entry, index) => `${entry.policy.createDate.toISOString()}\u0000${byPosition(entry, index)}`,
      );
      return {
        Policies: page.items.map(({ policy, usage }) => policyOutput(policy, usage, 'list')),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}

/** DeletePolicy: only when unused and down to its default version. */
export function deletePolicy(store: IamStore): Operation<PolicyArnInput, Record<string, never>> {
  return {
    input: readPolicyArn,
    authorize: (input) => [authorization('iam:DeletePolicy', input.policyArn)],
    run: (input) => {
      const policy = requireOwnPolicy(store, input.policyArn);
      const usage = policyUsage(store, policy);
      if (usage.attachments + usage.boundaries > 0) throw iamErrors.policyAttached();
      if (store.policies.versions(policy).length > 1) throw iamErrors.policyHasVersions();
      store.policies.delete(policy);
      return {};
    },
  };
}

interface ListEntitiesForPolicyInput extends Paging {
  policyArn: string;
  entityFilter?: string;
  pathPrefix: string;
  usageFilter?: UsageFilter;
}

interface PolicyRoleOutput {
  RoleName: string;
  RoleId: string;
}

interface PolicyUserOutput {
  UserName: string;
  UserId: string;
}

interface PolicyGroupOutput {
  GroupName: string;
  GroupId: string;
}

interface PolicyEntity {
  kind: 'Role' | 'User' | 'Group';
  name: string;
  id: string;
  path: string;
}

/** The roles, users and groups that use a policy (groups never as boundary); EntityFilter picks one kind. */
export function listEntitiesForPolicy(
  store: IamStore,
): Operation<
  ListEntitiesForPolicyInput,
  {
    PolicyGroups: PolicyGroupOutput[];
    PolicyUsers: PolicyUserOutput[];
    PolicyRoles: PolicyRoleOutput[];
    IsTruncated: boolean;
    Marker?: string;
  }
> {
  return {
    input: (r) => ({
      ...readPolicyArn(r),
      entityFilter: r.string('EntityFilter', {
        oneOf: ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'],
      }),
      pathPrefix: r.string('PathPrefix', PATH_PREFIX) ?? '/',
      usageFilter: r.string('PolicyUsageFilter', { oneOf: USAGE_FILTERS }),
      ...readPaging(r),
    }),
    authorize: (input) => [authorization('iam:ListEntitiesForPolicy', input.policyArn)],
    run: (input) => {
      const policy = requirePolicy(store, input.policyArn);
      const wants = (kind: PolicyEntity['kind']) => input.entityFilter === undefined || input.entityFilter === kind;
      const asPolicy = input.usageFilter !== 'PermissionsBoundary';
      const asBoundary = input.usageFilter !== 'PermissionsPolicy';
      const entities = new Map<string, PolicyEntity>();
      const add = (entity: PolicyEntity) => entities.set(entity.id, entity);
      if (wants('Role')) {
        const roles = [
          ...(asPolicy ? store.roles.rolesWithPolicy(policy.arn) : []),
          ...(asBoundary ? store.roles.list().filter((r) => r.permissionsBoundary === policy.arn) : []),
        ];
        for (const role of roles) add({ kind: 'Role', name: role.roleName, id: role.roleId, path: role.path });
      }
      if (wants('User')) {
        const users = [
          ...(asPolicy ? store.users.usersWithPolicy(policy.arn) : []),
          ...(asBoundary ? store.users.list().filter((u) => u.permissionsBoundary === policy.arn) : []),
        ];
        for (const user of users) add({ kind: 'User', name: user.userName, id: user.userId, path: user.path });
      }
      if (wants('Group') && asPolicy)
        for (const group of store.groups.groupsWithPolicy(policy.arn))
          add({ kind: 'Group', name: group.groupName, id: group.groupId, path: group.path });
      // Groups, then users, then roles, each by name: one sorted list so that one marker pages all three.
      const order = { Group: 0, User: 1, Role: 2 };
      const listed = [...entities.values()]
        .filter((e) => e.path.startsWith(input.pathPrefix))
        .sort((a, b) => order[a.kind] - order[b.kind] || compareKeys(a.name, b.name));
      const page = paginate(listed, input, (e) => `${order[e.kind]}\u0000${e.name}`);
      const of = (kind: PolicyEntity['kind']) => page.items.filter((e) => e.kind === kind);
      return {
        PolicyGroups: of('Group').map((g) => ({ GroupName: g.name, GroupId: g.id })),
        PolicyUsers: of('User').map((u) => ({ UserName: u.name, UserId: u.id })),
        PolicyRoles: of('Role').map((r) => ({ RoleName: r.name, RoleId: r.id })),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}
