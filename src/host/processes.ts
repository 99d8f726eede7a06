/**
 * The host's processes as Linux's /proc shows them, for cleaning up after a killed cloud: the
 * processes it left running (found by a variable every one of them carries in its environment)
 * and the directories other processes are working in. Without /proc nothing is found.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Kills (SIGKILL, or `signal`) every other process whose environment has `variable=value`; returns their pids. */
export function killMarkedProcesses(variable: string, value: string, signal: NodeJS.Signals = 'SIGKILL'): number[] {
  const entry = Buffer.from(`${variable}=${value}\0`);
  // The first variable, or one after another's terminating NUL: `XDOCKYARD_…=` is not a match.
  const inner = Buffer.concat([Buffer.from([0]), entry]);
  const killed: number[] = [];
  for (const pid of otherProcesses()) {
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or not ours to read
    }
    if (!environ.subarray(0, entry.length).equals(entry) && !environ.includes(inner)) continue;
    try {
      process.kill(pid, signal);
      killed.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}

/** Resolves once none of `pids` runs any more (a zombie no longer runs); false when some still do after `timeoutMs`. */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((pid) => !running(pid))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The working directories of every other process; undefined when they cannot be known. */
export function workingDirectories(): Set<string> | undefined {
  const pids = otherProcesses();
  if (pids.length === 0) return undefined;
  const dirs = new Set<string>();
  for (const pid of pids) {
    try {
      dirs.add(readlinkSync(`/proc/${pid}/cwd`));
    } catch {
      // gone, a zombie, or not ours to read
    }
  }
  return dirs;
}

function otherProcesses(): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

function running(pid: number): boolean {
  try {
    // The state follows the command name, which is in parentheses and may itself contain them.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
