/**
 * Tagging roles and users: Tag/Untag/List{Role,User}Tags, one implementation for both. Tag keys
 * are case-insensitive: tagging with a key the entity has in another case replaces that tag.
 */
import type { StringRules } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { authorization, requestTagContext } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { ROLES, USERS, type HolderKind } from '../holders.js';
import { readPaging, readTagKeys, readTags, type Paging } from '../input-rules.js';
import { checkDistinctTagKeys } from '../lookups.js';
import type { Tag } from '../model.js';
import { tagsOutput, type TagOutput } from '../outputs.js';
import { paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** Tags per role or user. */
const TAG_QUOTA = 50;

/** A kind of entity that carries tags. */
export interface TaggedKind {
  title: 'Role' | 'User';
  nameMember: 'RoleName' | 'UserName';
  nameRules: StringRules;
  arnOf: HolderKind['arnOf'];
  /** The entity's tags and how to replace them, or its NoSuchEntity. */
  tagsOf(store: IamStore, name: string): { tags: Tag[]; replace(tags: Tag[]): void };
}

export const TAGGED_ROLES: TaggedKind = {
  ...ROLES,
  title: 'Role',
  nameMember: 'RoleName',
  tagsOf: (store, name) => {
    const role = store.getRole(name);
    if (!role) throw iamErrors.noSuchRole(name);
    return { tags: role.tags, replace: (tags) => void store.roles.change(role, { tags }) };
  },
};

export const TAGGED_USERS: TaggedKind = {
  ...USERS,
  title: 'User',
  nameMember: 'UserName',
  tagsOf: (store, name) => {
    const user = store.users.get(name);
    if (!user) throw iamErrors.noSuchUser(name);
    return { tags: user.tags, replace: (tags) => void store.users.change(user, { tags }) };
  },
};

interface TagInput {
  name: string;
  tags: Tag[];
}

/** Tag{Kind}: adds or replaces tags; at most 50 per entity. */
export function tagEntity(store: IamStore, kind: TaggedKind): Operation<TagInput, Record<string, never>> {
  return {
    input: (r) => ({ name: r.string(kind.nameMember, { ...kind.nameRules, required: true }), tags: readTags(r) ?? [] }),
    authorize: (input, ctx) => [
      authorization(
        `iam:Tag${kind.title}`,
        kind.arnOf(store, ctx.accountId, input.name),
        requestTagContext(input.tags),
      ),
    ],
    run: (input) => {
      checkDistinctTagKeys(input.tags);
      const entity = kind.tagsOf(store, input.name);
      const incoming = new Set(input.tags.map((t) => t.key.toLowerCase()));
      const tags = [...entity.tags.filter((t) => !incoming.has(t.key.toLowerCase())), ...input.tags];
      if (tags.length > TAG_QUOTA) throw iamErrors.tooManyTags(kind.title);
      entity.replace(tags);
      return {};
    },
  };
}

interface UntagInput {
  name: string;
  tagKeys: string[];
}

/** Untag{Kind}: absent keys are ignored. */
export function untagEntity(store: IamStore, kind: TaggedKind): Operation<UntagInput, Record<string, never>> {
  return {
    input: (r) => ({ name: r.string(kind.nameMember, { ...kind.nameRules, required: true }), tagKeys: readTagKeys(r) }),
    authorize: (input, ctx) => [
      authorization(`iam:Untag${kind.title}`, kind.arnOf(store, ctx.accountId, input.name), {
        'aws:TagKeys': input.tagKeys,
      }),
    ],
    run: (input) => {
      const entity = kind.tagsOf(store, input.name);
      const removed = new Set(input.tagKeys.map((k) => k.toLowerCase()));
      entity.replace(entity.tags.filter((t) => !removed.has(t.key.toLowerCase())));
      return {};
    },
  };
}

interface ListTagsInput extends Paging {
  name: string;
}

/** List{Kind}Tags: in the order the tags were added; paged. */
export function listEntityTags(
  store: IamStore,
  kind: TaggedKind,
): Operation<ListTagsInput, { Tags: TagOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ name: r.string(kind.nameMember, { ...kind.nameRules, required: true }), ...readPaging(r) }),
    authorize: (input, ctx) => [
      authorization(`iam:List${kind.title}Tags`, kind.arnOf(store, ctx.accountId, input.name)),
    ],
    run: (input) => {
      const page = paginate(kind.tagsOf(store, input.name).tags, input);
      return { Tags: tagsOutput(page.items) ?? [], IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}
