/**
 * Managed policy versions: GetPolicyVersion, CreatePolicyVersion, ListPolicyVersions,
 * DeletePolicyVersion and SetDefaultPolicyVersion. A policy keeps at most five versions; the
 * default one cannot be deleted; AWS's policies cannot be changed at all.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { authorization } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { ARN, POLICY_DOCUMENT, VERSION_ID, readPaging, type Paging } from '../input-rules.js';
import { requireOwnPolicy, requirePolicy } from '../lookups.js';
import type { ManagedPolicy, PolicyVersion } from '../model.js';
import { policyVersionOutput, type PolicyVersionOutput } from '../outputs.js';
import { paginate } from '../pagination.js';
import type { IamStore } from '../store.js';
import { checkManagedPolicyDocument } from './managed-policies.js';

/** Versions per managed policy. */
const VERSION_QUOTA = 5;

interface VersionInput {
  policyArn: string;
  versionId: string;
}

const readVersion = (r: InputReader): VersionInput => ({
  policyArn: r.string('PolicyArn', { ...ARN, required: true }),
  versionId: r.string('VersionId', { ...VERSION_ID, required: true }),
});

function requireVersion(store: IamStore, policy: ManagedPolicy, versionId: string): PolicyVersion {
  const version = store.policies.version(policy, versionId);
  if (!version) throw iamErrors.noSuchPolicyVersion(policy.arn, versionId);
  return version;
}

/** GetPolicyVersion: the document URL-encoded. */
export function getPolicyVersion(store: IamStore): Operation<VersionInput, { PolicyVersion: PolicyVersionOutput }> {
  return {
    input: readVersion,
    authorize: (input) => [authorization('iam:GetPolicyVersion', input.policyArn)],
    run: (input) => {
      const policy = requirePolicy(store, input.policyArn);
      return { PolicyVersion: policyVersionOutput(requireVersion(store, policy, input.versionId), true) };
    },
  };
}

interface CreatePolicyVersionInput {
  policyArn: string;
  policyDocument: string;
  setAsDefault: boolean;
}

/** CreatePolicyVersion: at most five versions; SetAsDefault optional. */
export function createPolicyVersion(
  store: IamStore,
): Operation<CreatePolicyVersionInput, { PolicyVersion: PolicyVersionOutput }> {
  return {
    input: (r) => ({
      policyArn: r.string('PolicyArn', { ...ARN, required: true }),
      policyDocument: r.string('PolicyDocument', { ...POLICY_DOCUMENT, required: true }),
      setAsDefault: r.boolean('SetAsDefault') ?? false,
    }),
    authorize: (input) => [authorization('iam:CreatePolicyVersion', input.policyArn)],
    run: (input) => {
      const policy = requireOwnPolicy(store, input.policyArn);
      if (store.policies.versions(policy).length >= VERSION_QUOTA) throw iamErrors.tooManyVersions();
      checkManagedPolicyDocument(input.policyDocument);
      const version = store.policies.createVersion(policy, input.policyDocument, input.setAsDefault);
      return { PolicyVersion: policyVersionOutput(version, false) };
    },
  };
}

interface ListPolicyVersionsInput extends Paging {
  policyArn: string;
}

/** ListPolicyVersions: newest first, without documents. */
export function listPolicyVersions(
  store: IamStore,
): Operation<ListPolicyVersionsInput, { Versions: PolicyVersionOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ policyArn: r.string('PolicyArn', { ...ARN, required: true }), ...readPaging(r) }),
    authorize: (input) => [authorization('iam:ListPolicyVersions', input.policyArn)],
    run: (input) => {
      const policy = requirePolicy(store, input.policyArn);
      // Newest first, as IAM lists them; paged by position.
      const page = paginate(store.policies.versions(policy), input);
      return {
        Versions: page.items.map((v) => policyVersionOutput(v, false)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}

/** DeletePolicyVersion: any but the default. */
export function deletePolicyVersion(store: IamStore): Operation<VersionInput, Record<string, never>> {
  return {
    input: readVersion,
    authorize: (input) => [authorization('iam:DeletePolicyVersion', input.policyArn)],
    run: (input) => {
      const policy = requireOwnPolicy(store, input.policyArn);
      const version = requireVersion(store, policy, input.versionId);
      if (version.isDefaultVersion) throw iamErrors.defaultVersion();
      store.policies.deleteVersion(policy, version.versionId);
      return {};
    },
  };
}

/** SetDefaultPolicyVersion. */
export function setDefaultPolicyVersion(store: IamStore): Operation<VersionInput, Record<string, never>> {
  return {
    input: readVersion,
    authorize: (input) => [authorization('iam:SetDefaultPolicyVersion', input.policyArn)],
    run: (input) => {
      const policy = requireOwnPolicy(store, input.policyArn);
      store.policies.setDefaultVersion(policy, requireVersion(store, policy, input.versionId).versionId);
      return {};
    },
  };
}
