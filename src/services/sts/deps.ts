/** What STS's operations are built from; the cloud passes them in. */
import type { JWTVerifyGetKey } from 'jose';
import type { Authorizer } from '../../auth/authorizer.js';
import type { CredentialStore } from '../../auth/credentials.js';
import type { StsRoleSource } from '../../trust/role-source.js';
import type { WebIdentityDecisions } from './decisions.js';

export interface StsDeps {
  iam: StsRoleSource;
  credentials: CredentialStore;
  authorizer: Authorizer;
  keysFor(issuer: string): JWTVerifyGetKey | undefined;
  /** Where AssumeRoleWithWebIdentity's decisions are kept (the console shows them); none when absent. */
  decisions?: WebIdentityDecisions;
}
