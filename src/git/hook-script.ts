/**
 * The hooks every hosted repository carries.
 *
 * `post-receive`: git runs it after a push has updated the refs and shows its output to the
 * pusher as `remote: …` lines, live. It forwards the `old new ref` lines to the cloud's
 * push-hook endpoint with curl and prints the answer as it streams in.
 *
 * `reference-transaction`: git runs it around every ref transaction. For a push it journals the
 * updates before git makes them ("prepared": an entry in `<repository>/dockyard-pushes`), marks
 * them made ("committed") or drops them ("aborted"), so that a push whose refs moved starts its
 * runs even when the cloud dies before post-receive reports it (push-journal.ts replays it).
 * An entry that cannot be written refuses the push: a moved ref without a journal entry is
 * exactly the lost push this prevents. Entry names are `<push id>.<hash of the ref lines>`, the
 * same in all three states of one transaction, so each state finds what "prepared" wrote.
 *
 * The endpoint, secret, pusher and push id come from the environment the HTTP handler gives
 * `git http-backend` (which passes it on to receive-pack and its hooks); a push that bypasses
 * the handler (to the directory, as tests and admins do) has none, is not journaled and reports
 * nothing. The secret and pusher reach curl through a config on stdin (`-K -`, printf is a shell
 * builtin) rather than its arguments, so `ps` never shows them; the ref lines go through a temp
 * file. `-q` keeps a ~/.curlrc out of it.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Environment variables the HTTP handler sets for the hooks. */
export const HOOK_ENV = {
  url: 'DOCKYARD_HOOK_URL',
  secret: 'DOCKYARD_HOOK_SECRET',
  /** The pusher's user name, percent-encoded (so it is safe inside a curl config string). */
  pusher: 'DOCKYARD_PUSHER',
  /** The push's id (push-journal.ts: `newPushId`), naming its journal entries and sent with the report. */
  pushId: 'DOCKYARD_PUSH_ID',
} as const;

/** The header carrying the (percent-encoded) pusher. */
export const PUSHER_HEADER = 'x-dockyard-pusher';
/** The header carrying the push's id. */
export const PUSH_ID_HEADER = 'x-dockyard-push-id';
/** The journal's directory inside a hosted repository's git directory. */
export const JOURNAL_DIR = 'dockyard-pushes';

/** The post-receive hook for one repository; `fullName` is validated, so it is safe inside the script. */
export function postReceiveScript(fullName: string): string {
  return `#!/bin/sh
# dockyard: reports this push to the cloud and shows its answer (as "remote: ..." lines).
# Generated; rewritten when the repository is created again or the cloud starts.
if [ -z "$${HOOK_ENV.url}" ]; then cat >/dev/null; exit 0; fi
events=$(mktemp) || exit 0
trap 'rm -f "$events"' EXIT
cat >"$events"
printf 'header = "Authorization: Bearer %s"\\nheader = "X-Dockyard-Pusher: %s"\\nheader = "X-Dockyard-Push-Id: %s"\\n' "$${HOOK_ENV.secret}" "$${HOOK_ENV.pusher}" "$${HOOK_ENV.pushId}" |
  curl -q -sS -N --fail-with-body --connect-timeout 10 -K - -H 'Content-Type: text/plain' \\
    --data-binary "@$events" "$${HOOK_ENV.url}/${fullName}" ||
  echo "dockyard: the push was stored, but the cloud could not be told about it; its runs start when the cloud starts again"
exit 0
`;
}

/** The reference-transaction hook (the same for every repository). */
export function referenceTransactionScript(): string {
  return `#!/bin/sh
# dockyard: journals a push's ref updates before git makes them, so the cloud starts the runs
# of every push whose refs moved, even if it dies before post-receive reports the push.
# Generated; rewritten when the repository is created again or the cloud starts.
if [ -z "$${HOOK_ENV.pushId}" ]; then cat >/dev/null; exit 0; fi
journal="\${GIT_DIR:-.}/${JOURNAL_DIR}"
entry="$journal/$${HOOK_ENV.pushId}"
case "$1" in
prepared)
  umask 077
  temp=
  if mkdir -p "$journal" && temp=$(mktemp "$journal/.tmp.XXXXXXXX") && cat >"$temp" &&
    digest=$(git hash-object --no-filters -- "$temp") && printf 'pusher %s\\n' "$${HOOK_ENV.pusher}" >>"$temp" &&
    mv -f "$temp" "$entry.$digest.prepared"; then
    exit 0
  fi
  [ -n "$temp" ] && rm -f "$temp"
  echo "dockyard: the push could not be journaled in $journal, so it was refused (its workflows would not have run)" >&2
  exit 1
  ;;
committed)
  digest=$(git hash-object --no-filters --stdin) && mv -f "$entry.$digest.prepared" "$entry.$digest.committed" 2>/dev/null
  ;;
aborted)
  digest=$(git hash-object --no-filters --stdin) && rm -f "$entry.$digest.prepared"
  ;;
*)
  cat >/dev/null
  ;;
esac
exit 0
`;
}

/** Writes (or refreshes) the repository's hooks; atomic, so a push never runs half a script. */
export async function installHooks(gitDir: string, fullName: string): Promise<void> {
  await installHook(join(gitDir, 'hooks', 'reference-transaction'), referenceTransactionScript());
  await installHook(join(gitDir, 'hooks', 'post-receive'), postReceiveScript(fullName));
}

async function installHook(path: string, script: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === script) return;
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, script, { mode: 0o700 });
  await chmod(temp, 0o700);
  await rename(temp, path);
}
