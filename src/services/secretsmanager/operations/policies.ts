/**
 * Resource policies: GetResourcePolicy, PutResourcePolicy, DeleteResourcePolicy and
 * ValidateResourcePolicy. A policy is checked by the IAM policy engine as a resource-based
 * policy; once attached, the authorizer evaluates it with every call on the secret
 * (authorization.ts), so it can let a role in that its identity policies do not, or keep one out.
 */
import { PolicyValidationError, parsePolicy, type PolicyDocument } from '../../../policy/index.js';
import type { Operation } from '../../../core/operation.js';
import { onSecret } from '../authorization.js';
import { secretsErrors } from '../errors.js';
import { RESOURCE_POLICY, SECRET_ID, readSecretId } from '../input-rules.js';
import { requireSecret } from '../lookups.js';
import type { SecretsStore } from '../store.js';

interface PolicyOutput {
  ARN: string;
  Name: string;
  ResourcePolicy?: string;
}

export function getResourcePolicy(store: SecretsStore): Operation<{ secretId: string }, PolicyOutput> {
  return {
    input: (r) => ({ secretId: readSecretId(r) }),
    authorize: (input, ctx) => onSecret(store, ctx, 'GetResourcePolicy', input.secretId),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      return { ARN: secret.arn, Name: secret.name, ResourcePolicy: secret.policy };
    },
  };
}

interface PutPolicyInput {
  secretId: string;
  policy: string;
  blockPublic: boolean;
}

/** PutResourcePolicy: with BlockPublicPolicy, a policy that allows everyone (Principal "*") is refused. */
export function putResourcePolicy(store: SecretsStore): Operation<PutPolicyInput, PolicyOutput> {
  return {
    input: (r) => ({
      secretId: readSecretId(r),
      policy: r.string('ResourcePolicy', { ...RESOURCE_POLICY, required: true }),
      blockPublic: r.boolean('BlockPublicPolicy') ?? false,
    }),
    authorize: (input, ctx) =>
      onSecret(store, ctx, 'PutResourcePolicy', input.secretId, {
        'secretsmanager:BlockPublicPolicy': String(input.blockPublic),
      }),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      const document = parseResourcePolicy(input.policy);
      if (input.blockPublic && allowsEveryone(document)) throw secretsErrors.publicPolicy();
      store.setPolicy(secret.arn, input.policy, ctx.clock.now().getTime());
      return { ARN: secret.arn, Name: secret.name };
    },
  };
}

export function deleteResourcePolicy(store: SecretsStore): Operation<{ secretId: string }, PolicyOutput> {
  return {
    input: (r) => ({ secretId: readSecretId(r) }),
    authorize: (input, ctx) => onSecret(store, ctx, 'DeleteResourcePolicy', input.secretId),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      store.setPolicy(secret.arn, undefined, ctx.clock.now().getTime());
      return { ARN: secret.arn, Name: secret.name };
    },
  };
}

interface ValidateInput {
  secretId?: string;
  policy: string;
}

/** ValidateResourcePolicy: the policy engine's verdict, as ValidationErrors. */
export function validateResourcePolicy(store: SecretsStore): Operation<ValidateInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      secretId: r.string('SecretId', SECRET_ID),
      policy: r.string('ResourcePolicy', { ...RESOURCE_POLICY, required: true }),
    }),
    authorize: (input, ctx) =>
      input.secretId === undefined
        ? [{ action: 'secretsmanager:ValidateResourcePolicy', resource: '*' }]
        : onSecret(store, ctx, 'ValidateResourcePolicy', input.secretId),
    run: (input, ctx) => {
      if (input.secretId !== undefined) requireSecret(store, input.secretId, ctx);
      try {
        parsePolicy(input.policy, 'resource');
        return { PolicyValidationPassed: true, ValidationErrors: [] };
      } catch (error) {
        if (!(error instanceof PolicyValidationError)) throw error;
        return {
          PolicyValidationPassed: false,
          ValidationErrors: [{ CheckName: 'SYNTAX_CHECK', ErrorMessage: error.message }],
        };
      }
    },
  };
}

function parseResourcePolicy(text: string): PolicyDocument {
  try {
    return parsePolicy(text, 'resource');
  } catch (error) {
    if (error instanceof PolicyValidationError) throw secretsErrors.malformedPolicy(error.message);
    throw error;
  }
}

/** An Allow statement whose principal is everyone, with no condition to narrow it. */
function allowsEveryone(document: PolicyDocument): boolean {
  return document.Statement.some((s) => {
    if (s.Effect !== 'Allow' || s.Condition !== undefined || s.Principal === undefined) return false;
    return s.Principal === '*' || (s.Principal.AWS ?? []).includes('*');
  });
}
