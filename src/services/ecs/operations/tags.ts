/**
 * Resource tagging: TagResource, UntagResource and ListTagsForResource on a cluster,
 * service, task definition or task named by its ARN. At most 50 tags; keys beginning with
 * `aws:` are reserved.
 */
import type { Operation } from '../../../core/operation.js';
import { parseResourceArn, serviceArn, taskArn, type ResourceRef } from '../arns.js';
import { authorization, requestTagContext, resourceTagContext } from '../authorization.js';
import type { EcsServiceDeps } from '../deps.js';
import { ecsErrors, invalidParameter } from '../errors.js';
import { mergeTags, readTags } from '../input-rules.js';
import type { Tag } from '../model.js';
import type { EcsStore } from '../store.js';

/** A taggable resource: its tags and how to write them back. */
interface Taggable {
  tags: Tag[];
  setTags(tags: Tag[]): void;
}

function parse(store: EcsStore, arn: string): ResourceRef {
  const ref = parseResourceArn(store.partition, arn);
  if (!ref) throw invalidParameter('The ARN provided is invalid.'); // unverified wording
  return ref;
}

/** The resource the ARN names, or the not-found error ECS gives for its kind. */
function resolve(store: EcsStore, arn: string): Taggable {
  const ref = parse(store, arn);
  switch (ref.kind) {
    case 'cluster': {
      const cluster = store.clusters.get(ref.cluster);
      if (!cluster || cluster.status !== 'ACTIVE') throw ecsErrors.clusterNotFound();
      return { tags: cluster.tags, setTags: (tags) => store.clusters.put({ ...cluster, tags }) };
    }
    case 'service': {
      const service = store.services.get(serviceArn(store.partition, ref.cluster, ref.name));
      if (!service || service.status === 'INACTIVE') throw ecsErrors.serviceNotFound();
      return { tags: service.tags, setTags: (tags) => store.services.put({ ...service, tags }) };
    }
    case 'task-definition': {
      const definition = store.taskDefinitions.get(ref.family, ref.revision);
      if (!definition) throw ecsErrors.resourceNotFound();
      return { tags: definition.tags, setTags: (tags) => store.taskDefinitions.put({ ...definition, tags }) };
    }
    case 'task': {
      const task = store.tasks.get(taskArn(store.partition, ref.cluster, ref.id));
      if (!task) throw ecsErrors.resourceNotFound();
      return { tags: task.tags, setTags: (tags) => store.tasks.put({ ...task, tags }) };
    }
  }
}

/** The resource's current tags for aws:ResourceTag/… (none when it does not exist). */
function currentTags(store: EcsStore, arn: string): Tag[] {
  try {
    return resolve(store, arn).tags;
  } catch {
    return [];
  }
}

export function tagResource({
  store,
}: EcsServiceDeps): Operation<{ resourceArn: string; tags: Tag[] }, Record<string, never>> {
  return {
    input: (r) => ({
      resourceArn: r.string('resourceArn', { required: true }),
      tags: readTags(r, { required: true }) ?? [],
    }),
    authorize: (input) => [
      authorization('ecs:TagResource', input.resourceArn, {
        ...resourceTagContext(currentTags(store, input.resourceArn)),
        ...requestTagContext(input.tags),
      }),
    ],
    run: (input) =>
      store.transaction(() => {
        const resource = resolve(store, input.resourceArn);
        resource.setTags(mergeTags(resource.tags, input.tags));
        return {};
      }),
  };
}

export function untagResource({
  store,
}: EcsServiceDeps): Operation<{ resourceArn: string; tagKeys: string[] }, Record<string, never>> {
  return {
    input: (r) => ({
      resourceArn: r.string('resourceArn', { required: true }),
      tagKeys: r.stringList('tagKeys', { required: true, min: 1, max: 128, maxItems: 50 }) ?? [],
    }),
    authorize: (input) => [
      authorization('ecs:UntagResource', input.resourceArn, {
        ...resourceTagContext(currentTags(store, input.resourceArn)),
        'aws:TagKeys': input.tagKeys,
      }),
    ],
    run: (input) =>
      store.transaction(() => {
        const resource = resolve(store, input.resourceArn);
        const removed = new Set(input.tagKeys);
        resource.setTags(resource.tags.filter((t) => !removed.has(t.key)));
        return {};
      }),
  };
}

export function listTagsForResource({ store }: EcsServiceDeps): Operation<{ resourceArn: string }, { tags: Tag[] }> {
  return {
    input: (r) => ({ resourceArn: r.string('resourceArn', { required: true }) }),
    authorize: (input) => [
      authorization(
        'ecs:ListTagsForResource',
        input.resourceArn,
        resourceTagContext(currentTags(store, input.resourceArn)),
      ),
    ],
    run: (input) => ({ tags: resolve(store, input.resourceArn).tags }),
  };
}
