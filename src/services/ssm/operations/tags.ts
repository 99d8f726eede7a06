/**
 * AddTagsToResource, RemoveTagsFromResource and ListTagsForResource, for parameters
 * (ResourceType Parameter, ResourceId the parameter's name). Other resource types are refused.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { onParameter, requestTagContext } from '../authorization.js';
import { ssmErrors } from '../errors.js';
import { mergeTags, readTags } from '../input-rules.js';
import type { Parameter, Tag } from '../model.js';
import { parameterKey } from '../names.js';
import type { ParameterStore } from '../store.js';

const RESOURCE_TYPES = [
  'Document',
  'ManagedInstance',
  'MaintenanceWindow',
  'Parameter',
  'PatchBaseline',
  'OpsItem',
  'OpsMetadata',
  'Automation',
  'Association',
];

interface ResourceRef {
  type: string;
  id: string;
}

function readResource(r: InputReader): ResourceRef {
  return {
    type: r.string('ResourceType', { required: true, oneOf: RESOURCE_TYPES }),
    id: r.string('ResourceId', { required: true }).trim(),
  };
}

function requireParameter(store: ParameterStore, ref: ResourceRef): Parameter {
  if (ref.type !== 'Parameter') throw ssmErrors.invalidResourceType();
  const parameter = store.get(parameterKey(ref.id));
  if (!parameter) throw ssmErrors.invalidResourceId();
  return parameter;
}

export function addTagsToResource(
  store: ParameterStore,
): Operation<ResourceRef & { tags: Tag[] }, Record<string, never>> {
  return {
    input: (r) => ({ ...readResource(r), tags: readTags(r, true) ?? [] }),
    authorize: (input, ctx) => [onParameter(store, ctx, 'AddTagsToResource', input.id, requestTagContext(input.tags))],
    run: (input) => {
      const parameter = requireParameter(store, input);
      store.setTags(parameter.key, mergeTags(parameter.tags, input.tags));
      return {};
    },
  };
}

export function removeTagsFromResource(
  store: ParameterStore,
): Operation<ResourceRef & { keys: string[] }, Record<string, never>> {
  return {
    input: (r) => ({ ...readResource(r), keys: r.stringList('TagKeys', { min: 1, max: 128, required: true }) ?? [] }),
    authorize: (input, ctx) => [
      onParameter(store, ctx, 'RemoveTagsFromResource', input.id, { 'aws:TagKeys': input.keys }),
    ],
    run: (input) => {
      const parameter = requireParameter(store, input);
      store.setTags(
        parameter.key,
        parameter.tags.filter((t) => !input.keys.includes(t.key)),
      );
      return {};
    },
  };
}

export function listTagsForResource(
  store: ParameterStore,
): Operation<ResourceRef, { TagList: { Key: string; Value: string }[] }> {
  return {
    input: readResource,
    authorize: (input, ctx) => [onParameter(store, ctx, 'ListTagsForResource', input.id)],
    run: (input) => ({ TagList: requireParameter(store, input).tags.map((t) => ({ Key: t.key, Value: t.value })) }),
  };
}
