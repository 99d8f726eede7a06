/**
 * The `post-receive` hook every hosted repository carries. git runs it after a push has updated
 * the refs and shows its output to the pusher as `remote: …` lines, live. It forwards the
 * `old new ref` lines to the cloud's push-hook endpoint with curl and prints the answer as it
 * streams in.
 *
 * The endpoint, secret and pusher come from the environment the HTTP handler gives
 * `git http-backend` (which passes it on to receive-pack and its hooks); a push that bypasses
 * the handler (to the directory, as tests and admins do) has none and reports nothing.
 * The secret and pusher reach curl through a config on stdin (`-K -`, printf is a shell builtin)
 * rather than its arguments, so `ps` never shows them; the ref lines go through a temp file.
 * `-q` keeps a ~/.curlrc out of it.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Environment variables the HTTP handler sets for the hook. */
export const HOOK_ENV = {
  url: 'DOCKYARD_HOOK_URL',
  secret: 'DOCKYARD_HOOK_SECRET',
  /** The pusher's user name, percent-encoded (so it is safe inside a curl config string). */
  pusher: 'DOCKYARD_PUSHER',
} as const;

/** The header carrying the (percent-encoded) pusher. */
export const PUSHER_HEADER = 'x-dockyard-pusher';

/** The hook for one repository; `fullName` is validated, so it is safe inside the script. */
export function postReceiveScript(fullName: string): string {
  return `#!/bin/sh
# dockyard: reports this push to the cloud and shows its answer (as "remote: ..." lines).
# Generated; rewritten when the repository is created again.
if [ -z "$${HOOK_ENV.url}" ]; then cat >/dev/null; exit 0; fi
events=$(mktemp) || exit 0
trap 'rm -f "$events"' EXIT
cat >"$events"
printf 'header = "Authorization: Bearer %s"\\nheader = "X-Dockyard-Pusher: %s"\\n' "$${HOOK_ENV.secret}" "$${HOOK_ENV.pusher}" |
  curl -q -sS -N --fail-with-body --connect-timeout 10 -K - -H 'Content-Type: text/plain' \\
    --data-binary "@$events" "$${HOOK_ENV.url}/${fullName}" ||
  echo "dockyard: the push was stored, but the cloud could not be told about it"
exit 0
`;
}

/** Writes (or refreshes) the repository's hooks; atomic, so a push never runs half a script. */
export async function installHooks(gitDir: string, fullName: string): Promise<void> {
  const path = join(gitDir, 'hooks', 'post-receive');
  const script = postReceiveScript(fullName);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === script) return;
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, script, { mode: 0o755 });
  await chmod(temp, 0o755);
  await rename(temp, path);
}
