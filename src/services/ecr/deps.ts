/**
 * What the ECR service is built from. The cloud wires these in one place: the image store
 * (shared with the OCI data plane), the registry token issuer (the data plane's: it also
 * verifies the passwords it hands out) and the registry's address.
 */
import type { Caller } from '../../core/operation.js';
import type { EcrImageStore } from './image-store.js';

/** Issues registry passwords for GetAuthorizationToken. */
export interface RegistryTokenIssuer {
  issue(caller: Caller, now: Date): { password: string; expiresAt: Date };
}

export interface EcrServiceDeps {
  images: EcrImageStore;
  tokens: RegistryTokenIssuer;
  /** host[:port] of the registry; proxyEndpoint is `http://${registryHost}`. */
  registryHost: string;
  accountId: string;
  region: string;
}
