/** What STS's operations are built from; the cloud passes them in. */
import type { JWTVerifyGetKey } from 'jose';
import type { Authorizer } from '../../auth/authorizer.js';
import type { CredentialStore } from '../../auth/credentials.js';
import type { StsRoleSource } from '../../trust/role-source.js';

export interface StsDeps {
  iam: StsRoleSource;
  credentials: CredentialStore;
  authorizer: Authorizer;
  keysFor(issuer: string): JWTVerifyGetKey | undefined;
}
