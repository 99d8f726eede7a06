/**
 * What a push killed mid-way leaves in a hosted repository: receive-pack's quarantine
 * (`objects/tmp_objdir-incoming-*`, the objects of a push not yet accepted) and lock files
 * (`refs/heads/main.lock`, `packed-refs.lock`, …), each of which fails every later push of that
 * ref ("Unable to create '….lock': File exists") until someone removes it. git removes both
 * itself on an ordinary exit or signal, but not when it is killed with SIGKILL.
 *
 * Only safe when nothing is using the repository: the caller (cloud/push-recovery.ts, at
 * start-up) first kills the pushes the previous process left running and skips a repository
 * that any other process is working in.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const QUARANTINE = /^tmp_objdir-incoming-/;

/** Removes the quarantines and lock files a killed push left in `gitDir`; returns them (relative to it). */
export async function removeAbandonedPushFiles(gitDir: string): Promise<string[]> {
  const doomed = [
    ...(await entries(join(gitDir, 'objects')))
      .filter((name) => QUARANTINE.test(name))
      .map((name) => join('objects', name)),
    ...(await entries(gitDir)).filter((name) => name.endsWith('.lock')),
    ...(await entries(join(gitDir, 'refs'), true))
      .filter((name) => name.endsWith('.lock'))
      .map((name) => join('refs', name)),
  ];
  for (const path of doomed) await rm(join(gitDir, path), { recursive: true, force: true });
  return doomed;
}

async function entries(dir: string, recursive = false): Promise<string[]> {
  try {
    return await readdir(dir, { recursive });
  } catch {
    return [];
  }
}
