/**
 * Lifecycle rules applied to a repository's images. `evaluateLifecycle` is pure: given images,
 * a policy and the time, it says which images expire and by which rule. The preview
 * (Start/GetLifecyclePolicyPreview) and the runner that really deletes use it the same way,
 * over the same candidates, so a preview at time T names exactly what a run at T deletes.
 *
 * Evaluation (ECR user guide, "How lifecycle policies work"):
 * - rules run in rulePriority order, lowest first;
 * - an image matching a rule's tag selection is that rule's: lower-priority rules never see
 *   it, whether the rule expires it or keeps it; so each image is expired by at most one rule;
 * - imageCountMoreThan N keeps the N most recently pushed of the rule's images and expires
 *   the rest; sinceImagePushed N days expires those pushed more than N days before `now`;
 * - tagPrefixList / tagPatternList: every entry must be matched by some tag of the image.
 *
 * By design: images that a manifest list or index in the same repository references (the
 * per-platform children of a multi-arch image) are not candidates: they are usually untagged,
 * and expiring them would break the tagged index that needs them.
 */
import type { EcrImageStore } from './image-store.js';
import type { LifecyclePolicy, LifecycleSelection } from './lifecycle-policy.js';
import { parseLifecyclePolicy } from './lifecycle-policy.js';
import type { ImageSummary } from './model.js';
import { matchesWildcard } from './wildcard.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What a rule looks at. */
export interface LifecycleImage {
  digest: string;
  tags: readonly string[];
  pushedAt: Date;
}

/** An image a rule expires. */
export interface LifecycleExpiry<T extends LifecycleImage = LifecycleImage> {
  image: T;
  rulePriority: number;
}

/** Which images expire under `policy` at `now`, rule by rule (oldest first within a rule). */
export function evaluateLifecycle<T extends LifecycleImage>(
  images: readonly T[],
  policy: LifecyclePolicy,
  now: Date,
): LifecycleExpiry<T>[] {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  let unclaimed = [...images];
  const expired: LifecycleExpiry<T>[] = [];
  for (const rule of rules) {
    const selected = unclaimed.filter((image) => selects(rule.selection, image));
    const claimed = new Set(selected);
    unclaimed = unclaimed.filter((image) => !claimed.has(image));
    // Newest first; ties by digest so a run is deterministic.
    selected.sort(
      (a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0),
    );
    const { countType, countNumber } = rule.selection;
    const expiring =
      countType === 'imageCountMoreThan'
        ? selected.slice(countNumber)
        : selected.filter((image) => image.pushedAt.getTime() < now.getTime() - countNumber * DAY_MS);
    for (const image of expiring.reverse()) expired.push({ image, rulePriority: rule.rulePriority });
  }
  return expired;
}

function selects(selection: LifecycleSelection, image: LifecycleImage): boolean {
  switch (selection.tagStatus) {
    case 'any':
      return true;
    case 'untagged':
      return image.tags.length === 0;
    case 'tagged': {
      if (image.tags.length === 0) return false;
      const prefixes = selection.tagPrefixList ?? [];
      const patterns = selection.tagPatternList ?? [];
      return (
        prefixes.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix))) &&
        patterns.every((pattern) => image.tags.some((tag) => matchesWildcard(pattern, tag)))
      );
    }
  }
}

/** The images of a repository that lifecycle rules act on (see "By design" above). */
export function lifecycleCandidates(images: EcrImageStore, repository: string): ImageSummary[] {
  return images.images(repository).filter((image) => images.indexesReferencing(repository, image.digest).length === 0);
}

/** What one run did to one repository. */
export interface LifecycleRunResult {
  repository: string;
  expired: LifecycleExpiry<ImageSummary>[];
}

/**
 * Applies lifecycle policies. The cloud schedules `runOnce` with its clock (ECR acts within
 * 24 hours of an image becoming eligible); tests call it with a ManualClock's time.
 */
export class LifecycleRunner {
  constructor(private readonly images: EcrImageStore) {}

  /** Expires what the repository's policy selects at `now`; nothing when it has no policy. */
  applyLifecycle(repository: string, now: Date): LifecycleRunResult {
    const repo = this.images.repositories.get(repository);
    if (!repo?.lifecyclePolicyText) return { repository, expired: [] };
    const expired = evaluateLifecycle(
      lifecycleCandidates(this.images, repository),
      parseLifecyclePolicy(repo.lifecyclePolicyText),
      now,
    );
    for (const { image } of expired) this.images.deleteManifest(repository, image.digest);
    this.images.repositories.setLifecycleEvaluatedAt(repository, now);
    return { repository, expired };
  }

  /** One pass over every repository that has a lifecycle policy. */
  runOnce(now: Date): LifecycleRunResult[] {
    return this.images.repositories
      .list()
      .filter((repo) => repo.lifecyclePolicyText !== undefined)
      .map((repo) => this.applyLifecycle(repo.name, now));
  }
}
