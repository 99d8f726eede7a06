/**
 * A new revision from an existing one, as amazon-ecs-render-task-definition makes it: the
 * described task definition without the fields RegisterTaskDefinition rejects, with one
 * container's image replaced.
 */
import type { DescribeTaskDefinitionCommandOutput, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { IGNORED_TASK_DEFINITION_ATTRIBUTES } from '../core/task-definition-fields.js';

type ContainerLike = { name?: string; image?: string };

/** What DescribeTaskDefinition returned (with include TAGS), as RegisterTaskDefinition's input. */
export function registrableFrom(
  described: Pick<DescribeTaskDefinitionCommandOutput, 'taskDefinition' | 'tags'>,
): RegisterTaskDefinitionCommandInput {
  // Through JSON: dates become strings, and the SDK's undefined members disappear.
  const document = JSON.parse(JSON.stringify(described.taskDefinition ?? {})) as Record<string, unknown>;
  for (const field of IGNORED_TASK_DEFINITION_ATTRIBUTES) delete document[field];
  if (described.tags && described.tags.length > 0) document.tags = described.tags;
  return document as unknown as RegisterTaskDefinitionCommandInput;
}

/** The container to put the image into: the named one, or the only one. */
export function pickContainer(input: RegisterTaskDefinitionCommandInput, name: string | undefined): ContainerLike {
  const containers = (input.containerDefinitions ?? []) as ContainerLike[];
  const names = containers.map((c) => c.name ?? '?').join(', ');
  if (name !== undefined) {
    const found = containers.find((c) => c.name === name);
    if (!found) throw new Error(`the task definition has no container named ${name} (it has: ${names || 'none'})`);
    return found;
  }
  if (containers.length === 1 && containers[0]) return containers[0];
  throw new Error(`say which container gets the image with --container (the task definition has: ${names || 'none'})`);
}

/** The repository part of an image reference: `my-app` of `123.dkr.ecr.r.amazonaws.com/my-app:v1`. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.indexOf('/');
  const path =
    slash >= 0 && /[.:]|^localhost$/.test(withoutDigest.slice(0, slash))
      ? withoutDigest.slice(slash + 1)
      : withoutDigest;
  const colon = path.lastIndexOf(':');
  return colon > path.lastIndexOf('/') ? path.slice(0, colon) : path;
}
