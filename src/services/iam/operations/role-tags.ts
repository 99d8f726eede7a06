/**
 * Role tagging: TagRole, UntagRole and ListRoleTags. Tag keys are case-insensitive: tagging
 * with a key the role has in another case replaces that tag.
 */
import type { Operation } from '../../operation.js';
import { authorization, existingRoleArn, requestTagContext } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { ROLE_NAME, readPaging, readTagKeys, readTags, type Paging } from '../input-rules.js';
import { checkDistinctTagKeys, requireRole } from '../lookups.js';
import type { Tag } from '../model.js';
import { tagsOutput, type TagOutput } from '../outputs.js';
import { paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** Tags per role. */
const TAG_QUOTA = 50;

interface TagRoleInput {
  roleName: string;
  tags: Tag[];
}

/** TagRole: adds or replaces tags; at most 50 per role. */
export function tagRole(store: IamStore): Operation<TagRoleInput, Record<string, never>> {
  return {
    input: (r) => ({ roleName: r.string('RoleName', { ...ROLE_NAME, required: true }), tags: readTags(r) ?? [] }),
    authorize: (input, ctx) => [authorization('iam:TagRole', existingRoleArn(store, ctx.accountId, input.roleName), requestTagContext(input.tags))],
    run: (input) => {
      checkDistinctTagKeys(input.tags);
      const role = requireRole(store, input.roleName);
      const incoming = new Set(input.tags.map((t) => t.key.toLowerCase()));
      const tags = [...role.tags.filter((t) => !incoming.has(t.key.toLowerCase())), ...input.tags];
      if (tags.length > TAG_QUOTA) throw iamErrors.tooManyTags('Role');
      store.roles.change(role, { tags });
      return {};
    },
  };
}

interface UntagRoleInput {
  roleName: string;
  tagKeys: string[];
}

/** UntagRole: absent keys are ignored. */
export function untagRole(store: IamStore): Operation<UntagRoleInput, Record<string, never>> {
  return {
    input: (r) => ({ roleName: r.string('RoleName', { ...ROLE_NAME, required: true }), tagKeys: readTagKeys(r) }),
    authorize: (input, ctx) => [authorization('iam:UntagRole', existingRoleArn(store, ctx.accountId, input.roleName), { 'aws:TagKeys': input.tagKeys })],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      const removed = new Set(input.tagKeys.map((k) => k.toLowerCase()));
      store.roles.change(role, { tags: role.tags.filter((t) => !removed.has(t.key.toLowerCase())) });
      return {};
    },
  };
}

interface ListRoleTagsInput extends Paging {
  roleName: string;
}

/** ListRoleTags: in the order the tags were added; paged. */
export function listRoleTags(store: IamStore): Operation<ListRoleTagsInput, { Tags: TagOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ roleName: r.string('RoleName', { ...ROLE_NAME, required: true }), ...readPaging(r) }),
    authorize: (input, ctx) => [authorization('iam:ListRoleTags', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      const page = paginate(role.tags, input);
      return { Tags: tagsOutput(page.items) ?? [], IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}
