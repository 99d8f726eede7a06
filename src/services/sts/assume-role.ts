/**
 * AssumeRole: a signed caller (the admin, an IAM user, or a role session: role chaining) takes
 * on a role. A trust policy admits a user by its ARN or by the account.
 * The trust policy must allow sts:AssumeRole for the caller (and sts:TagSession when session
 * tags are sent, as configure-aws-credentials does when chaining); for a role session the
 * caller's identity policies must allow it too (authorize). Chained sessions last at most
 * one hour.
 */
import { evaluatePolicies, type ConditionContext } from '../../policy/index.js';
import { globalConditionKeys } from '../../auth/request-context.js';
import { AwsError } from '../../core/errors.js';
import type { Authorization, Operation } from '../../core/operation.js';
import { stsErrors } from '../../trust/sts-errors.js';
import type { StsDeps } from './deps.js';
import { issueRoleSession } from './roles.js';
import { packedPolicySize, readSessionInput, type SessionInput } from './session-input.js';

interface Input extends SessionInput {
  tags: { key: string; value: string }[];
  transitiveTagKeys?: string[];
  externalId?: string;
  sourceIdentity?: string;
  serialNumber?: string;
}

const TAG_KEY = /[\p{L}\p{Z}\p{N}_.:/=+\-@]+/u;

export function assumeRole(deps: StsDeps): Operation<Input, unknown> {
  return {
    input: (reader) => ({
      ...readSessionInput(reader),
      tags:
        reader.list(
          'Tags',
          (tag) => ({
            key: tag.string('Key', {
              required: true,
              min: 1,
              max: 128,
              pattern: TAG_KEY,
              patternText: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+',
            }),
            value: tag.string('Value', { required: true, min: 0, max: 256 }),
          }),
          { maxItems: 50 },
        ) ?? [],
      transitiveTagKeys: reader.stringList('TransitiveTagKeys', { maxItems: 50 }),
      externalId: reader.string('ExternalId', { min: 2, max: 1224, pattern: /[\w+=,.@:/-]*/ }),
      sourceIdentity: reader.string('SourceIdentity', { min: 2, max: 64, pattern: /[\w+=,.@-]*/ }),
      serialNumber: reader.string('SerialNumber', { min: 9, max: 256 }),
    }),
    authorize(input) {
      const context = tagContext(input.tags);
      const needed: Authorization[] = [{ action: 'sts:AssumeRole', resource: input.roleArn, context }];
      if (input.tags.length > 0) needed.push({ action: 'sts:TagSession', resource: input.roleArn, context });
      return needed;
    },
    run(input, ctx) {
      const caller = ctx.caller;
      if (caller.kind === 'anonymous')
        throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', { status: 403 });
      if (input.serialNumber !== undefined)
        throw stsErrors.validation('dockyard has no MFA devices; SerialNumber and TokenCode are not supported.');
      const role = deps.iam.getRoleByArn(input.roleArn);
      if (!role) throw stsErrors.notAuthorized('sts:AssumeRole', caller.arn, input.roleArn);

      const trust = deps.authorizer.document(role.assumeRolePolicyDocument, 'trust');
      const context: ConditionContext = {
        ...globalConditionKeys(ctx),
        ...tagContext(input.tags),
        'sts:RoleSessionName': input.roleSessionName,
        ...(input.externalId !== undefined ? { 'sts:ExternalId': input.externalId } : {}),
        ...(input.sourceIdentity !== undefined ? { 'sts:SourceIdentity': input.sourceIdentity } : {}),
      };
      const principal = {
        type: 'AWS' as const,
        arn: caller.arn,
        accountId: caller.accountId,
        ...(caller.kind === 'assumed-role' ? { roleArn: caller.roleArn } : {}),
      };
      if (
        evaluatePolicies([trust], { action: 'sts:AssumeRole', resource: role.arn, principal, context }).decision !==
        'Allow'
      ) {
        throw stsErrors.notAuthorized('sts:AssumeRole', caller.arn, role.arn);
      }
      if (
        input.tags.length > 0 &&
        evaluatePolicies([trust], { action: 'sts:TagSession', resource: role.arn, principal, context }).decision !==
          'Allow'
      ) {
        throw stsErrors.notAuthorized('sts:TagSession', caller.arn, role.arn);
      }

      const session = issueRoleSession(deps.credentials, deps.iam, ctx, role, input, {
        chained: caller.kind === 'assumed-role',
        tags: Object.fromEntries(input.tags.map((t) => [t.key, t.value])),
        // A chained session still descends from the job token its caller came from.
        ciRunId: caller.kind === 'assumed-role' ? caller.ciRunId : undefined,
      });
      return {
        ...session,
        ...(input.policy !== undefined || input.tags.length > 0
          ? { PackedPolicySize: packedPolicySize(input.policy ?? '') }
          : {}),
        ...(input.sourceIdentity !== undefined ? { SourceIdentity: input.sourceIdentity } : {}),
      };
    },
  };
}

function tagContext(tags: { key: string; value: string }[]): ConditionContext {
  if (tags.length === 0) return {};
  const context: ConditionContext = { 'aws:TagKeys': tags.map((t) => t.key) };
  for (const tag of tags) context[`aws:RequestTag/${tag.key}`] = tag.value;
  return context;
}
