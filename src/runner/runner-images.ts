/**
 * Which image serves which `runs-on` label: the defaults (GitHub's hosted Ubuntu labels → the
 * default runner image), the mappings kept in the data directory (`dockyard runner-image map`,
 * read at each job so a running cloud sees a change), and those `dockyard up --runner-image`
 * gave for one start, in that order of precedence: like nektos/act's `-P LABEL=IMAGE`.
 *
 * `self-hosted` cannot be mapped: it always means this host (./runs-on.ts).
 */
import { RUNNER_IMAGE_ALIAS } from '../images/runner-recipe.js';
import { migrate, type Db } from '../store/database.js';
import { DEFAULT_RUNNER_LABELS, SELF_HOSTED_LABEL } from './runs-on.js';

/**
 * The image the default labels map to: the runner image's stable name. A job resolved to it
 * should run in the image `ensureRunnerImage` returns (the current recipe's, built if needed).
 */
export const DEFAULT_RUNNER_IMAGE = RUNNER_IMAGE_ALIAS;

const MAX_LABEL_LENGTH = 100;
const MAX_IMAGE_LENGTH = 512;
/** A Docker image reference: [host[:port]/]path[:tag][@sha256:digest] (the distribution grammar, lower-case path). */
const IMAGE_REFERENCE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** A mapping a user wrote that cannot be used; the message says why. */
export class RunnerImageMappingError extends Error {
  override readonly name = 'RunnerImageMappingError';
}

/** Where a mapping comes from. */
export type MappingSource = 'default' | 'setting' | 'flag';

/** One label's image and where that mapping comes from. */
export interface RunnerImageMapping {
  label: string;
  image: string;
  source: MappingSource;
}

/** Checks a label a user maps. */
export function checkRunnerLabel(label: string): string {
  const trimmed = label.trim();
  if (trimmed === '') throw new RunnerImageMappingError('A runner label cannot be empty.');
  if (trimmed.length > MAX_LABEL_LENGTH)
    throw new RunnerImageMappingError(`A runner label is at most ${MAX_LABEL_LENGTH} characters.`);
  if (/[\s,=]/.test(trimmed))
    throw new RunnerImageMappingError(`The runner label "${trimmed}" contains a space, comma or "=".`);
  if (trimmed.toLowerCase() === SELF_HOSTED_LABEL)
    throw new RunnerImageMappingError(
      "self-hosted always means this host (the job has the host's rights); it cannot be mapped to an image.",
    );
  return trimmed;
}

/** Checks an image reference a user maps a label to. */
export function checkRunnerImage(image: string): string {
  const trimmed = image.trim();
  if (trimmed.length > MAX_IMAGE_LENGTH || !IMAGE_REFERENCE.test(trimmed)) {
    throw new RunnerImageMappingError(
      `"${trimmed.slice(0, 100)}" is not an image reference (e.g. node:20, localhost/team/runner:1, localhost:4566/ci/runner@sha256:…).`,
    );
  }
  return trimmed;
}

/** Parses `LABEL=IMAGE` (the form of `--runner-image` and `dockyard runner-image map`). */
export function parseRunnerImageMapping(text: string): { label: string; image: string } {
  const at = text.indexOf('=');
  if (at < 0)
    throw new RunnerImageMappingError(
      `Expected LABEL=IMAGE (e.g. ubuntu-latest=localhost/team/runner:1), not "${text.slice(0, 100)}".`,
    );
  return { label: checkRunnerLabel(text.slice(0, at)), image: checkRunnerImage(text.slice(at + 1)) };
}

/** The defaults, then the data directory's mappings, then one start's; the last word wins. */
export class RunnerImages {
  private readonly overrides: ReadonlyMap<string, { label: string; image: string }>;

  /** `overrides` (`dockyard up --runner-image`) must be checked already (parseRunnerImageMapping). */
  constructor(
    private readonly db: Db,
    overrides: readonly { label: string; image: string }[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {
    migrate(db, 'runner-images', [
      'CREATE TABLE runner_image_labels (label TEXT PRIMARY KEY COLLATE NOCASE, image TEXT NOT NULL, updated_at TEXT NOT NULL)',
    ]);
    this.overrides = new Map(overrides.map((o) => [o.label.toLowerCase(), o]));
  }

  /** Keeps a mapping in the data directory (replacing that label's, whatever its case). */
  map(label: string, image: string): void {
    this.db
      .prepare(
        'INSERT INTO runner_image_labels (label, image, updated_at) VALUES (?, ?, ?) ON CONFLICT(label) DO UPDATE SET label = excluded.label, image = excluded.image, updated_at = excluded.updated_at',
      )
      .run(checkRunnerLabel(label), checkRunnerImage(image), this.now().toISOString());
  }

  /** Removes a kept mapping; false when there was none. */
  unmap(label: string): boolean {
    return this.db.prepare('DELETE FROM runner_image_labels WHERE label = ?').run(label.trim()).changes > 0;
  }

  /** Every label served, with its image and where the mapping comes from. */
  list(): RunnerImageMapping[] {
    const byLabel = new Map<string, RunnerImageMapping>();
    for (const label of DEFAULT_RUNNER_LABELS)
      byLabel.set(label, { label, image: DEFAULT_RUNNER_IMAGE, source: 'default' });
    const kept = this.db.prepare('SELECT label, image FROM runner_image_labels ORDER BY label').all() as {
      label: string;
      image: string;
    }[];
    for (const row of kept) byLabel.set(row.label.toLowerCase(), { ...row, source: 'setting' });
    for (const [key, o] of this.overrides) byLabel.set(key, { ...o, source: 'flag' });
    return [...byLabel.values()];
  }

  /** Label → image, for `resolveRunsOn`. */
  mappings(): Record<string, string> {
    return Object.fromEntries(this.list().map((m) => [m.label, m.image]));
  }
}
