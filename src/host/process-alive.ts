/**
 * Whether a process runs, by its id: signal 0 reaches it (EPERM: it runs, as another user) and
 * it is not a zombie. A killed process whose parent has not reaped it (a detached cloud is
 * re-parented to PID 1, which in containers may never reap) still answers signals.
 */
import { readFileSync } from 'node:fs';

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
