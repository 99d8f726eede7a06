/**
 * What a service's PRIMARY deployment answers on its task's public IP, as a browser would see
 * it, waiting while the task starts.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { primaryTaskPublicIp } from '../../src/seed/public-ip.js';
import { waitFor } from './wait-for.js';

export function servedByPrimaryTask(ecs: ECSClient, ec2: EC2Client, cluster: string, service: string): Promise<string> {
  return waitFor(
    "the PRIMARY deployment's task to answer on its public IP",
    async () => {
      const ip = await primaryTaskPublicIp(ecs, ec2, cluster, service);
      if (!ip) return undefined;
      try {
        return (await (await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(5000) })).text()).trim();
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 60_000 },
  );
}
