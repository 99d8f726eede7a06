/**
 * CreateTags, DeleteTags and DescribeTags over every resource this EC2 keeps (VPCs, subnets,
 * security groups and their rules, network interfaces). Tagging an id that does not exist
 * answers that resource type's NotFound error.
 */
import type { Operation } from '../../../core/operation.js';
import { onAnything, resourceArn, resourceType } from '../authorization.js';
import { ec2Errors } from '../errors.js';
import {
  applyFilters,
  checkDryRun,
  paginate,
  readDescribeCommon,
  type DescribeCommon,
  type FilterTable,
} from '../filters.js';
import type { Tag } from '../model.js';
import type { Ec2Store } from '../store.js';
import { readTags } from './tag-specifications.js';

interface TagsInput {
  resourceIds: string[];
  tags?: { key: string; value?: string }[];
  dryRun: boolean;
}

function readTagsInput(r: Parameters<Operation<TagsInput, unknown>['input']>[0]): TagsInput {
  return { resourceIds: r.stringList('ResourceId') ?? [], tags: readTags(r), dryRun: r.boolean('DryRun') ?? false };
}

/** Refuses ids this EC2 does not know, with the NotFound error of the id's type. */
function requireResources(store: Ec2Store, ids: readonly string[]): void {
  if (ids.length === 0) throw ec2Errors.missingParameter('resourceIdSet');
  const known = new Set<string>([
    ...store.vpcs().map((v) => v.id),
    ...store.subnets().map((s) => s.id),
    ...store.securityGroups().map((g) => g.id),
    ...store.rules().map((r) => r.id),
    ...store.networkInterfaces().map((n) => n.id),
  ]);
  for (const id of ids) {
    if (known.has(id)) continue;
    const type = resourceType(id);
    if (type === 'vpc') throw ec2Errors.vpcNotFound([id]);
    if (type === 'subnet') throw ec2Errors.subnetNotFound([id]);
    if (type === 'security-group') throw ec2Errors.groupNotFound([id]);
    if (type === 'network-interface') throw ec2Errors.interfaceNotFound([id]);
    if (type === 'security-group-rule') throw ec2Errors.ruleNotFound([id]);
    throw ec2Errors.invalidId(id);
  }
}

export function createTags(store: Ec2Store): Operation<TagsInput, Record<string, unknown>> {
  return {
    input: readTagsInput,
    authorize: (input, ctx) =>
      input.resourceIds.map((id) => ({ action: 'ec2:CreateTags', resource: resourceArn(ctx, id) })),
    run: (input) => {
      requireResources(store, input.resourceIds);
      if (!input.tags || input.tags.length === 0) throw ec2Errors.missingParameter('tagSet');
      const reserved = input.tags.find((t) => t.key.toLowerCase().startsWith('aws:'));
      if (reserved)
        throw ec2Errors.invalidParameterValue(
          `Value (${reserved.key}) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use`,
        );
      checkDryRun(input.dryRun);
      store.setTags(
        input.resourceIds,
        input.tags.map((t) => ({ key: t.key, value: t.value ?? '' })),
      );
      return { return: true };
    },
  };
}

export function deleteTags(store: Ec2Store): Operation<TagsInput, Record<string, unknown>> {
  return {
    input: readTagsInput,
    authorize: (input, ctx) =>
      input.resourceIds.map((id) => ({ action: 'ec2:DeleteTags', resource: resourceArn(ctx, id) })),
    run: (input) => {
      requireResources(store, input.resourceIds);
      checkDryRun(input.dryRun);
      store.deleteTags(input.resourceIds, input.tags);
      return { return: true };
    },
  };
}

type TagRow = Tag & { resourceId: string; resourceType: string; tags: Tag[] };

const TAG_FILTERS: FilterTable<TagRow> = {
  'resource-id': (t) => t.resourceId,
  'resource-type': (t) => t.resourceType,
  key: (t) => t.key,
  value: (t) => t.value,
};

export function describeTags(store: Ec2Store): Operation<DescribeCommon, Record<string, unknown>> {
  return {
    input: (r) => readDescribeCommon(r),
    authorize: () => onAnything('DescribeTags'),
    run: (input) => {
      checkDryRun(input.dryRun);
      const rows: TagRow[] = [];
      for (const [resourceId, tags] of store.tagIndex()) {
        for (const tag of tags) rows.push({ ...tag, resourceId, resourceType: resourceType(resourceId), tags: [] });
      }
      const page = paginate(applyFilters(rows, input.filters, TAG_FILTERS), input);
      return {
        tagSet: page.items.map((t) => ({
          resourceId: t.resourceId,
          resourceType: t.resourceType,
          key: t.key,
          value: t.value,
        })),
        nextToken: page.nextToken,
      };
    },
  };
}
