/**
 * The push journal: what each push through the HTTP handler is about to do to its refs, written
 * by the reference-transaction hook (hook-script.ts) before git moves them, one file per ref
 * transaction in `<repository>/dockyard-pushes/`:
 *
 *   `<push id>.<hash of the ref lines>.prepared`   the refs are locked and about to move
 *   `<push id>.<hash of the ref lines>.committed`  they moved
 *
 * holding the transaction's `old new ref` lines and a `pusher <percent-encoded name>` line.
 * The cloud settles (removes) a push's entries once its report has been handled; entries left
 * behind belong to pushes whose report never arrived or was cut short (the cloud died, or a
 * client hung up before post-receive ran). At start-up `landed` hands back those whose refs
 * moved, so their runs start then, and drops the rest. Runs are keyed by push id, ref and
 * workflow file (run-store.ts), so an entry handled before the crash but not yet settled
 * starts nothing twice.
 *
 * Only committed entries are certain; a prepared entry counts as landed when its ref points at
 * its new value now, because receive-pack may have died between moving the ref and the
 * "committed" call. That is why `landed` must only run when no push can be in flight.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ZERO_SHA, type PushEvent } from './contract.js';
import { git } from './git-cli.js';
import { JOURNAL_DIR } from './hook-script.js';
import type { GitHostedRepository } from './hosted-repository.js';
import { decodePusher, isPushId, parsePushLines } from './push-lines.js';

/** An entry is a few ref lines; a push of tens of thousands of refs still fits. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
const ENTRY = /^(\d{13}-[0-9a-f]{16})\.(?:[0-9a-f]{40}|[0-9a-f]{64})\.(prepared|committed)$/;
/** What the hook writes before renaming into place: left only when it died mid-write. */
const HALF_WRITTEN = /^\.tmp\./;

/** A push that landed but whose runs may not have started. */
export interface JournaledPush {
  repository: string;
  pushId: string;
  /** Its ref updates that landed, deletions left out (they start nothing). */
  events: PushEvent[];
}

export interface RecoveredJournal {
  /** Oldest first. */
  pushes: JournaledPush[];
  /** Entries removed because their refs never moved, or because they were half-written or unreadable. */
  dropped: string[];
}

export class PushJournal {
  constructor(private readonly repositories: { get(fullName: string): GitHostedRepository | undefined }) {}

  /** Removes a push's entries once its report has been handled. */
  async settle(repository: string, pushId: string): Promise<void> {
    const gitDir = this.repositories.get(repository)?.gitDir;
    if (gitDir === undefined || !isPushId(pushId)) return;
    const dir = join(gitDir, JOURNAL_DIR);
    for (const name of await listDirectory(dir)) {
      if (name.startsWith(`${pushId}.`)) await rm(join(dir, name), { force: true });
    }
  }

  /**
   * The journaled pushes of `repository` whose refs moved; entries of updates that did not land
   * are removed. Only when no push to the repository can be in flight (see the header).
   */
  async landed(repository: GitHostedRepository): Promise<RecoveredJournal> {
    const dir = join(repository.gitDir, JOURNAL_DIR);
    const byPush = new Map<string, PushEvent[]>();
    const dropped: string[] = [];
    const drop = async (name: string) => {
      await rm(join(dir, name), { force: true });
      dropped.push(name);
    };
    for (const name of (await listDirectory(dir)).sort()) {
      if (HALF_WRITTEN.test(name)) {
        await drop(name);
        continue;
      }
      const match = ENTRY.exec(name);
      const [, pushId, state] = match ?? [];
      if (pushId === undefined || state === undefined) continue;
      const entry = await readEntry(join(dir, name));
      if (entry === undefined) {
        await drop(name);
        continue;
      }
      const events: PushEvent[] = [];
      for (const event of parsePushLines(entry, repository.fullName, pusherOf(entry), pushId)) {
        if (event.after === ZERO_SHA) continue;
        if (state === 'committed' || (await refTarget(repository.gitDir, event.ref)) === event.after)
          events.push(event);
      }
      if (events.length === 0) {
        await drop(name);
        continue;
      }
      byPush.set(pushId, [...(byPush.get(pushId) ?? []), ...events]);
    }
    const pushes = [...byPush].map(([pushId, events]) => ({ repository: repository.fullName, pushId, events }));
    return { pushes, dropped };
  }
}

function pusherOf(entry: string): string {
  const line = entry.split('\n').find((candidate) => candidate.startsWith('pusher '));
  return decodePusher(line?.slice('pusher '.length).trim());
}

/** The object a ref points at (not peeled: an annotated tag's own id, as pushed); undefined when it does not exist. */
async function refTarget(gitDir: string, ref: string): Promise<string | undefined> {
  // show-ref --verify takes the name exactly; rev-parse would also try refs/heads/<ref> and the like.
  const result = await git(['show-ref', '--verify', '--hash', ref], { gitDir, maxBytes: 4096 });
  const sha = result.stdout.toString('utf8').trim();
  return result.status === 0 && sha !== '' ? sha : undefined;
}

async function readEntry(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).size > MAX_ENTRY_BYTES) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
