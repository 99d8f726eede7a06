/**
 * The images views: ECR repositories, and one repository's images (tags, digest, size, push
 * and pull times) with the task definitions whose containers name each image, by tag or by
 * digest, in the local form (localhost:PORT/…) or AWS's (ACCOUNT.dkr.ecr.REGION.amazonaws.com/…),
 * as the runtime resolves them.
 */
import { resolveImageUri } from '../../registry/image-uri.js';
import type { ImageRepositoryView, ImagesView, ImageView } from '../contract.js';
import type { ConsoleDeps } from '../deps.js';

type Deps = Pick<ConsoleDeps, 'images' | 'ecs' | 'accountId' | 'region' | 'homeRegion' | 'registryHost'>;

/** Images listed on a repository's page at most (the newest pushes). */
const MAX_IMAGES = 200;

export function imagesView(deps: Deps): ImagesView {
  return {
    repositories: deps.images.repositories.list().map((r) => ({
      name: r.name,
      uri: r.uri,
      createdAt: r.createdAt.toISOString(),
      images: deps.images.images(r.name).length,
      tagMutability: r.tagMutability,
    })),
  };
}

export function imageRepositoryView(deps: Deps, name: string): ImageRepositoryView | undefined {
  const repository = deps.images.repositories.get(name);
  if (!repository) return undefined;
  const users = usersOf(deps, name);
  const images = deps.images
    .images(name)
    .sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime())
    .slice(0, MAX_IMAGES);
  return {
    name,
    uri: repository.uri,
    images: images.map((image): ImageView => ({
      digest: image.digest,
      tags: image.tags,
      sizeBytes: image.imageSizeInBytes,
      pushedAt: image.pushedAt.toISOString(),
      ...(image.lastPulledAt ? { lastPulledAt: image.lastPulledAt.toISOString() } : {}),
      mediaType: image.mediaType,
      usedBy: users.filter((u) => u.reference === image.digest || image.tags.includes(u.reference)).map((u) => u.use),
    })),
  };
}

/** Each container of a task definition that names an image of `repository`, with the tag or digest it names. */
function usersOf(
  deps: Deps,
  repository: string,
): { reference: string; use: { taskDefinition: string; container: string; status: string } }[] {
  const context = { accountId: deps.accountId, homeRegion: deps.homeRegion, registryHost: deps.registryHost };
  return deps.ecs.taskDefinitions.list().flatMap((definition) =>
    definition.document.containerDefinitions.flatMap((container) => {
      const resolved = resolveImageUri(container.image, context);
      // The repository of this account in the region shown, as the task definition names it.
      const shown = resolved?.accountId === deps.accountId && resolved.region === deps.region;
      if (!resolved || !shown || resolved.repository !== repository) return [];
      return [
        {
          reference: resolved.reference,
          use: {
            taskDefinition: `${definition.family}:${definition.revision}`,
            container: container.name,
            status: definition.status,
          },
        },
      ];
    }),
  );
}
