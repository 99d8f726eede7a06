import { errorMessage } from '../core/errors.js';
/**
 * One result of `dockyard doctor`: what was checked, whether it holds, what was found and, when
 * it does not hold, which piece is missing or broken and the command that fixes it.
 */

export type CheckGroup = 'host' | 'engine' | 'cloud';

export interface Check {
  /** Stable for scripts reading --json: `host.files`, `engine.api`, `container.init`, `cloud.aws`, … */
  id: string;
  group: CheckGroup;
  /** A few words: `catatonit`, `registry pull`, `AWS API`. */
  name: string;
  /** `skip`: not run (a piece it needs failed first, or nothing to check). */
  status: 'pass' | 'fail' | 'skip';
  /** What was found, one line. */
  detail: string;
  /** With `fail`: the command (or step) that fixes it. */
  fix?: string;
  /** With `fail`, when `detail` names the piece: the engine's (or tool's) own message. */
  error?: string;
  ms: number;
  /** A pass recorded by an earlier run on the same engine packages (`dockyard doctor --setup`). */
  cached?: boolean;
}

/** Times `work` and turns its outcome into a check; a thrown error becomes a failure. */
export async function timed(
  base: Pick<Check, 'id' | 'group' | 'name'>,
  work: () => Promise<Omit<Check, 'id' | 'group' | 'name' | 'ms'>>,
  onError: (error: unknown) => Pick<Check, 'detail' | 'fix' | 'error'>,
): Promise<Check> {
  const started = Date.now();
  try {
    return { ...base, ...(await work()), ms: Date.now() - started };
  } catch (error) {
    return { ...base, status: 'fail', ...onError(error), ms: Date.now() - started };
  }
}

/** The message of anything thrown, on one line and bounded (engine messages can be long). */
export function messageOf(error: unknown): string {
  const text = errorMessage(error).replace(/\s+/g, ' ').trim();
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}
