/**
 * Tag input shared by EC2 operations: `TagSpecification.N.ResourceType` with
 * `TagSpecification.N.Tag.M.Key/Value` on create calls, and `Tag.N.Key/Value` on CreateTags.
 */
import type { InputReader } from '../../../core/input-reader.js';
import { ec2Errors } from '../errors.js';
import type { Tag } from '../model.js';

export interface TagSpecification {
  resourceType: string;
  tags: Tag[];
}

/** Tag.N.Key / Tag.N.Value (Value may be empty, not absent, on create). */
export function readTags(r: InputReader, name = 'Tag'): { key: string; value?: string }[] | undefined {
  return r.list(name, (t) => {
    const tag: { key: string; value?: string } = { key: t.string('Key', { max: 127 }) ?? '' };
    const value = t.string('Value', { max: 255 });
    if (value !== undefined) tag.value = value;
    return tag;
  });
}

export function readTagSpecifications(r: InputReader): TagSpecification[] {
  return (
    r.list('TagSpecification', (s) => ({
      resourceType: s.string('ResourceType') ?? '',
      tags: (readTags(s) ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
    })) ?? []
  );
}

/** The tags meant for `resourceType`; a specification for another type is InvalidParameterValue. */
export function tagsFor(specifications: readonly TagSpecification[], resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specifications) {
    if (spec.resourceType !== resourceType) {
      throw ec2Errors.invalidParameterValue(
        `'${spec.resourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
    tags.push(...spec.tags);
  }
  return tags;
}
