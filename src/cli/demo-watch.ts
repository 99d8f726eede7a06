/**
 * The demo's pushes, watched: while `git push` streams the run, the seed's service is read once
 * a second (service-watch.ts), following only deployments that did not exist before the push.
 * When the one the push started stalls (its tasks keep stopping, ECS throttles their starts,
 * the circuit breaker fails it), the demo does not wait out the deploy action's 30 minutes: it
 * cancels the run and stops, with ECS's reason and what to try.
 */
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { RunSummary } from '../control/contract.js';
import { describeStop } from '../scheduler/failure-signals.js';
import { CliError } from './command.js';
import type { ControlClient } from './control-client.js';
import { likelyFix, type HintContext } from './failure-hints.js';
import { gitPush } from './push.js';
import { ServiceWatch } from './service-watch.js';

const POLL_MS = 1000;
/** How long a cancelled run has to end its push before git is stopped. */
const CANCEL_GRACE_MS = 10_000;

export interface WatchedPush {
  /** The hosted repository (whose runs are cancelled on a stall). */
  repository: string;
  /** Where the hints' commands point. */
  hints: HintContext;
}

/** `git push` in `work`; a CliError saying why and what to do when the deployment it starts stalls. */
export async function pushWatchingDeployment(
  work: string,
  ecs: ECSClient,
  api: ControlClient,
  options: WatchedPush,
): Promise<{ status: number; verdict: boolean | undefined }> {
  const { cluster, service } = options.hints;
  const before =
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0]?.deployments ?? [];
  const existing = new Set(before.map((d) => d.id));
  const watch = new ServiceWatch(ecs, { cluster, service, follows: (d) => !existing.has(d.id) });
  const abort = new AbortController();
  const push = gitPush(['dockyard', 'main'], work, { signal: abort.signal });
  let pushed = false;
  void push.finally(() => (pushed = true)).catch(() => undefined);
  let stalled: ReturnType<ServiceWatch['stall']>;
  while (!pushed && !stalled) {
    await Promise.race([push, new Promise((resolve) => setTimeout(resolve, POLL_MS))]).catch(() => undefined);
    if (pushed) break;
    // A failed poll (the cloud busy) is retried on the next turn; the push goes on regardless.
    stalled = await watch.poll().then(
      () => watch.stall(),
      () => undefined,
    );
  }
  if (!stalled) return push;

  const runs = await api
    .get<RunSummary[]>(`/runs?repository=${encodeURIComponent(options.repository)}&limit=10`)
    .catch((): RunSummary[] => []);
  const cancelled = runs.filter((r) => r.status !== 'completed');
  for (const run of cancelled) await api.post(`/runs/${run.id}/cancel`).catch(() => undefined);
  const grace = setTimeout(() => abort.abort(), CANCEL_GRACE_MS);
  await push.catch(() => undefined);
  clearTimeout(grace);

  const { stall } = stalled;
  const lines = [`the deployment the push started is not making progress: ${stall.why}`];
  if (stall.latest) {
    lines.push(`  ${describeStop(stall.latest)}`);
    for (const hint of likelyFix(stall.latest, options.hints)) lines.push(`  → ${hint}`);
  }
  const data = options.hints.dataFlag ?? '';
  lines.push(`  → dockyard status${data}   (the service, its latest stop and event)`);
  for (const run of cancelled)
    lines.push(`  → dockyard runs view ${run.id} --log${data}   (the run, cancelled by the demo)`);
  lines.push("ECS keeps trying to start the service's tasks; fix the cause and run the demo again.");
  throw new CliError(lines.join('\n'));
}
