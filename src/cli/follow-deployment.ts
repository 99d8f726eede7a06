/**
 * Following one ECS deployment from the terminal until the service runs it alone (COMPLETED and
 * the only deployment), it fails, or something replaces it: a line per change of its state,
 * as `aws ecs wait services-stable` would wait, but saying what happens meanwhile.
 */
import { DescribeServicesCommand, type Deployment, type ECSClient } from '@aws-sdk/client-ecs';
import { CliError } from './command.js';

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
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** Resolves with the completed deployment; a CliError when it fails, is replaced or times out. */
export async function followDeployment(ecs: ECSClient, options: FollowOptions): Promise<Deployment> {
  const { cluster, service, deploymentId, what } = options;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const now = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0];
    const deployment = now?.deployments?.find((d) => d.id === deploymentId);
    const line = `  ${deployment?.rolloutState ?? 'gone'}: ${deployment?.runningCount ?? 0}/${deployment?.desiredCount ?? 0} running, ${now?.deployments?.length ?? 0} deployment(s)`;
    if (line !== last) write(line);
    last = line;
    if (!deployment) throw new CliError(`${what} was replaced (another UpdateService, or the circuit breaker rolled it back)`);
    if (deployment.rolloutState === 'FAILED') throw new CliError(`${what} failed: ${deployment.rolloutStateReason ?? 'no reason given'}`);
    if (deployment.rolloutState === 'COMPLETED' && now?.deployments?.length === 1) return deployment;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
  throw new CliError(`${what} did not complete within ${Math.round(timeoutMs / 60000)} minutes; see dockyard status`);
}
