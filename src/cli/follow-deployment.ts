/**
 * Following one ECS deployment from the terminal until the service runs it alone (COMPLETED and
 * the only deployment), it fails, or something replaces it: a line per change of its state,
 * as `aws ecs wait services-stable` would wait, but saying what happens meanwhile: the service's
 * events and, for each of the deployment's tasks that stops abnormally, why (its stoppedReason,
 * stopCode and exit codes), as they happen. Polls once a second.
 */
import type { Deployment, ECSClient } from '@aws-sdk/client-ecs';
import { describeStop } from '../scheduler/failure-signals.js';
import { CliError } from './command.js';
import { likelyFix, type HintContext } from './failure-hints.js';
import { ServiceWatch } from './service-watch.js';

export interface FollowOptions {
  cluster: string;
  service: string;
  deploymentId: string | undefined;
  /** What the failure messages call it: "the rollback", "the deployment". */
  what: string;
  timeoutMs?: number;
  pollMs?: number;
  /** Where the progress lines go (stdout by default; stderr under --json). */
  write?: (line: string) => void;
  /** For the advice printed when the deployment stalls (the local cloud's commands); none without it. */
  hints?: HintContext;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
/** At most one poll (DescribeServices, ListTasks, DescribeTasks) a second. */
const MIN_POLL_MS = 1000;

/** Resolves with the completed deployment; a CliError when it fails, is replaced or times out. */
export async function followDeployment(ecs: ECSClient, options: FollowOptions): Promise<Deployment> {
  const { cluster, service, deploymentId, what } = options;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  // The deployment and anything newer (a circuit-breaker rollback of it).
  const watch = new ServiceWatch(ecs, {
    cluster,
    service,
    follows: (d, all) => {
      const since = all.find((x) => x.id === deploymentId)?.createdAt?.getTime();
      return d.id === deploymentId || (since !== undefined && (d.createdAt?.getTime() ?? 0) >= since);
    },
  });
  let last = '';
  let stalled = false;
  while (Date.now() < deadline) {
    const { service: now, stops, events } = await watch.poll();
    for (const event of events) write(`  event ${clock(event.createdAt)} ${event.message ?? ''}`);
    for (const task of stops) write(`  ✗ ${describeStop(task)}`);
    const deployment = now?.deployments?.find((d) => d.id === deploymentId);
    const line = `  ${deployment?.rolloutState ?? 'gone'}: ${deployment?.runningCount ?? 0}/${deployment?.desiredCount ?? 0} running, ${now?.deployments?.length ?? 0} deployment(s)`;
    if (line !== last) write(line);
    last = line;
    if (!deployment)
      throw new CliError(`${what} was replaced (another UpdateService, or the circuit breaker rolled it back)`);
    if (deployment.rolloutState === 'FAILED')
      throw new CliError(`${what} failed: ${deployment.rolloutStateReason ?? 'no reason given'}`);
    if (deployment.rolloutState === 'COMPLETED' && now?.deployments?.length === 1) return deployment;
    const stall = watch.stall();
    if (stall && !stalled) {
      // Once: ECS keeps trying (with a growing delay when tasks fail to start), and so does this wait.
      stalled = true;
      write(`  ! ${what} is not making progress: ${stall.stall.why}`);
      const hints = stall.stall.latest && options.hints ? likelyFix(stall.stall.latest, options.hints) : [];
      for (const hint of hints) write(`    → ${hint}`);
      write(
        '    ECS keeps trying to start its tasks; fix the cause and deploy again, or press Ctrl-C (the service stays as it is)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(MIN_POLL_MS, options.pollMs ?? MIN_POLL_MS)));
  }
  throw new CliError(`${what} did not complete within ${Math.round(timeoutMs / 60000)} minutes; see dockyard status`);
}

function clock(date: Date | undefined): string {
  return (date ?? new Date()).toISOString().slice(11, 19);
}
