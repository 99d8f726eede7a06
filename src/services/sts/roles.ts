/**
 * What STS needs from IAM, and the checks every AssumeRole* shares: the role must exist,
 * the requested duration must fit its MaxSessionDuration, and session policies must be valid.
 */
import { PolicyValidationError, parsePolicy } from '../../policy/index.js';
import type { CredentialStore, SessionCaller } from '../../auth/credentials.js';
import type { RequestContext } from '../../core/operation.js';
import type { SessionInput } from './session-input.js';
import { stsErrors } from '../../trust/sts-errors.js';
import type { RoleRecord, StsRoleSource } from '../../trust/role-source.js';

/** The session's lifetime in seconds, checked against the role's maximum. */
export function sessionDuration(input: SessionInput, role: RoleRecord, chained: boolean): number {
  const duration = input.durationSeconds ?? 3600;
  if (chained && duration > 3600) {
    throw stsErrors.validation(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > role.maxSessionDuration) {
    throw stsErrors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  return duration;
}

/** Validates session policies: inline JSON and managed policy ARNs that must exist. */
export function checkSessionPolicies(input: SessionInput, iam: StsRoleSource): void {
  if (input.policy !== undefined) {
    try {
      parsePolicy(input.policy, 'session');
    } catch (error) {
      if (error instanceof PolicyValidationError)
        throw stsErrors.malformedPolicy((error as PolicyValidationError).message);
      throw error;
    }
  }
  for (const arn of input.policyArns ?? []) {
    if (iam.managedPolicyDefaultDocument(arn) === undefined)
      throw stsErrors.validation(`Policy ${arn} does not exist or is not attachable.`);
  }
}

/** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (the role's path is not part of it). */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

/**
 * Everything an admitted AssumeRole* shares after its own checks: the duration, the session
 * policies, and the issued session with AWS's ARNs and ids, rendered as STS returns it.
 */
export function issueRoleSession(
  credentials: CredentialStore,
  iam: StsRoleSource,
  ctx: RequestContext,
  role: RoleRecord,
  input: SessionInput,
  session: {
    chained: boolean;
    tags?: Record<string, string>;
    webIdentity?: SessionCaller['webIdentity'];
    ciRunId?: string | undefined;
  },
) {
  const now = ctx.clock.now();
  const duration = sessionDuration(input, role, session.chained);
  checkSessionPolicies(input, iam);
  const arn = assumedRoleArn(ctx.accountId, role.roleName, input.roleSessionName);
  const userId = `${role.roleId}:${input.roleSessionName}`;
  const issued = credentials.issueSession(
    {
      kind: 'assumed-role',
      accountId: ctx.accountId,
      arn,
      userId,
      roleName: role.roleName,
      roleArn: role.arn,
      roleId: role.roleId,
      sessionName: input.roleSessionName,
      tags: session.tags ?? {},
      ...(input.policy !== undefined ? { sessionPolicy: input.policy } : {}),
      ...(input.policyArns?.length ? { sessionPolicyArns: input.policyArns } : {}),
      expiresAt: new Date(now.getTime() + duration * 1000),
      ...(session.webIdentity ? { webIdentity: session.webIdentity } : {}),
      ...(session.ciRunId !== undefined ? { ciRunId: session.ciRunId } : {}),
    },
    now,
  );
  return {
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: issued.expiration,
    },
    AssumedRoleUser: { AssumedRoleId: userId, Arn: arn },
  };
}
