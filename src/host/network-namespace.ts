/**
 * Commands run in a container's network namespace with the host's programs (nsenter): how the
 * job and task runtimes install the iptables rules that make the cloud reachable where a
 * container expects it. The container itself cannot change them (no CAP_NET_ADMIN).
 */
import { execFile } from 'node:child_process';

/** How long nsenter + iptables-restore may take. */
const NAMESPACE_TIMEOUT_MS = 10_000;

/** Runs `script` (with `input` on stdin) in the network namespace of `pid`; `what` names it in the error. */
export function inNetworkNamespace(pid: number, script: string, input: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = execFile(
      'nsenter',
      ['--target', String(pid), '--net', '--', 'sh', '-c', script],
      { timeout: NAMESPACE_TIMEOUT_MS },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`setting up ${what} failed: ${stderr.trim() || error.message}`)) : resolve(),
    );
    child.stdin?.end(input);
  });
}
