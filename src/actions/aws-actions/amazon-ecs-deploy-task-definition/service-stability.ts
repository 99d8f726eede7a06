/**
 * Waiting for a service to become stable after UpdateService: the SDK's own
 * waitUntilServicesStable (same acceptors: MISSING/DRAINING/INACTIVE fail, one deployment with
 * runningCount == desiredCount succeeds), then, in v2, the check that the new deployment was
 * neither rolled back nor FAILED.
 *
 * By design: polls every 2 s where the real action waits at least 15 s between polls. The local
 * cloud converges in seconds, and a 15 s floor would make every local deploy wait 15 s for
 * nothing. `wait-max-delay-seconds` still caps the backoff when given.
 */
import * as core from '@actions/core';
import { DescribeServicesCommand, waitUntilServicesStable, type ECSClient } from '@aws-sdk/client-ecs';

export const POLL_SECONDS = 2;

export async function waitForStableService(
  ecs: ECSClient,
  cluster: string,
  service: string,
  waitForMinutes: number,
  maxDelaySeconds: number | undefined,
): Promise<void> {
  core.debug(`Waiting for the service to become stable. Will wait for ${waitForMinutes} minutes`);
  await waitUntilServicesStable(
    {
      client: ecs,
      minDelay: POLL_SECONDS,
      maxDelay: Math.max(POLL_SECONDS, maxDelaySeconds ?? POLL_SECONDS),
      maxWaitTime: waitForMinutes * 60,
    },
    { services: [service], cluster },
  );
}

/** v2: fails when the deployment UpdateService started is gone (rolled back) or FAILED. */
export async function verifyDeployment(
  ecs: ECSClient,
  cluster: string,
  service: string,
  deploymentId: string,
): Promise<void> {
  const described = await ecs.send(new DescribeServicesCommand({ services: [service], cluster }));
  const deployment = (described.services?.[0]?.deployments ?? []).find((candidate) => candidate.id === deploymentId);
  if (!deployment) {
    throw new Error(
      `Deployment ${deploymentId} not found after stabilization. The deployment was likely rolled back by the deployment circuit breaker.`,
    );
  }
  if (deployment.rolloutState === 'FAILED') {
    throw new Error(`Deployment ${deploymentId} FAILED: ${deployment.rolloutStateReason || 'unknown reason'}`);
  }
  core.info(`Deployment ${deploymentId} verified: rolloutState=${deployment.rolloutState || 'N/A'}`);
}
