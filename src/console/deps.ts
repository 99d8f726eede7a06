/**
 * What the console reads, handed in by the cloud's wiring: the stores and the runner in
 * process (never the AWS APIs over HTTP), and the change notifications its live views follow.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AdminCredential } from '../control/admin-auth.js';
import type { JobClaimsInput } from '../identity/claims.js';
import type { VerificationKeyResolver } from '../identity/issuer.js';
import type { Runner } from '../runner/runner.js';
import type { EcrImageStore } from '../services/ecr/image-store.js';
import type { EcsStore } from '../services/ecs/store.js';
import type { IamStore } from '../services/iam/store.js';
import type { LogsStore } from '../services/logs/store.js';
import type { WebIdentityDecisions } from '../services/sts/decisions.js';

export interface ConsoleDeps {
  admin: AdminCredential;
  /** The cloud's URL (http://127.0.0.1:PORT): where one-time links point. */
  url: string;
  /** The cloud's port: the session cookie's name carries it (cookies are not scoped by port). */
  port: number;
  clock: Clock;
  logger: Logger;
  accountId: string;
  /** The region shown: the stores below are its. */
  region: string;
  /** The region whose repositories the registry also serves at `registryHost/<name>` (core/ecr-address.ts). */
  homeRegion: string;
  /** host:port of the registry (image URIs that name it are this cloud's ECR). */
  registryHost: string;
  ecs: EcsStore;
  /** The port of a service's stable endpoint, once the runtime allocated one. */
  endpointPort(serviceArn: string): number | undefined;
  logs: LogsStore;
  images: EcrImageStore;
  iam: IamStore;
  decisions: WebIdentityDecisions;
  runner: Pick<Runner, 'listRuns' | 'getRun' | 'readStepLog' | 'watchAll' | 'rerun' | 'cancel'>;
  repositories: {
    list(): { fullName: string }[];
    get(fullName: string): { fullName: string } | undefined;
    cloneUrl(fullName: string): string;
  };
  /** The CI OIDC issuer, to build the token a job would get (the trust check). */
  issuer: {
    url: string;
    ready: Promise<void>;
    issue(input: JobClaimsInput): Promise<string>;
    getKey: VerificationKeyResolver;
  };
}
