/**
 * Inline policies of roles, users and groups: Put/Get/List/Delete{Role,User,Group}Policy, one
 * implementation for the three kinds (holders.ts). The inline policies of one identity share a
 * quota, white space not counted: 10,240 characters for a role, 2,048 for a user, 5,120 for a group.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { authorization } from '../authorization.js';
import { encodeDocument, policySize, validatePolicyDocument } from '../documents.js';
import { iamErrors } from '../errors.js';
import { requireHolder, type HolderKind } from '../holders.js';
import { POLICY_DOCUMENT, POLICY_NAME, readPaging, type Paging } from '../input-rules.js';
import { compareKeys, paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

interface InlinePolicyInput {
  holderName: string;
  policyName: string;
}

interface PutPolicyInput extends InlinePolicyInput {
  policyDocument: string;
}

const readHolderName = (kind: HolderKind, r: InputReader): string =>
  r.string(kind.nameMember, { ...kind.nameRules, required: true });

const readInlinePolicy =
  (kind: HolderKind) =>
  (r: InputReader): InlinePolicyInput => ({
    holderName: readHolderName(kind, r),
    policyName: r.string('PolicyName', { ...POLICY_NAME, required: true }),
  });

const holderKey = (kind: HolderKind): 'role' | 'user' | 'group' =>
  kind.title.toLowerCase() as 'role' | 'user' | 'group';

/** Put{Kind}Policy: creates or replaces; counts against the identity's inline quota. */
export function putInlinePolicy(store: IamStore, kind: HolderKind): Operation<PutPolicyInput, Record<string, never>> {
  return {
    input: (r) => ({
      ...readInlinePolicy(kind)(r),
      policyDocument: r.string('PolicyDocument', { ...POLICY_DOCUMENT, required: true }),
    }),
    authorize: (input, ctx) => [
      authorization(`iam:Put${kind.title}Policy`, kind.arnOf(store, ctx.accountId, input.holderName)),
    ],
    run: (input) => {
      const holder = requireHolder(store, kind, input.holderName);
      validatePolicyDocument(input.policyDocument, 'inline');
      const links = kind.links(store);
      const others = links
        .inlinePolicies(holder.id)
        .filter((p) => p.policyName.toLowerCase() !== input.policyName.toLowerCase())
        .reduce((sum, p) => sum + policySize(p.document), 0);
      if (others + policySize(input.policyDocument) > kind.inlineQuota)
        throw iamErrors.inlinePoliciesTooLarge(holderKey(kind), kind.inlineQuota, holder.name);
      links.putInlinePolicy(holder.id, input.policyName, input.policyDocument);
      return {};
    },
  };
}

/** Get{Kind}Policy: the document URL-encoded. */
export function getInlinePolicy(
  store: IamStore,
  kind: HolderKind,
): Operation<InlinePolicyInput, Record<string, string>> {
  return {
    input: readInlinePolicy(kind),
    authorize: (input, ctx) => [
      authorization(`iam:Get${kind.title}Policy`, kind.arnOf(store, ctx.accountId, input.holderName)),
    ],
    run: (input) => {
      const holder = requireHolder(store, kind, input.holderName);
      const policy = kind.links(store).inlinePolicy(holder.id, input.policyName);
      if (!policy) throw iamErrors.noSuchInlinePolicy(holderKey(kind), input.policyName);
      return {
        [kind.nameMember]: holder.name,
        PolicyName: policy.policyName,
        PolicyDocument: encodeDocument(policy.document),
      };
    },
  };
}

interface ListPoliciesInput extends Paging {
  holderName: string;
}

/** List{Kind}Policies: names only; paged. */
export function listInlinePolicies(
  store: IamStore,
  kind: HolderKind,
): Operation<ListPoliciesInput, { PolicyNames: string[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ holderName: readHolderName(kind, r), ...readPaging(r) }),
    authorize: (input, ctx) => [
      authorization(`iam:List${kind.title}Policies`, kind.arnOf(store, ctx.accountId, input.holderName)),
    ],
    run: (input) => {
      const holder = requireHolder(store, kind, input.holderName);
      const names = kind
        .links(store)
        .inlinePolicies(holder.id)
        .map((p) => p.policyName)
        .sort(compareKeys);
      const page = paginate(names, input, (name) => name);
      return { PolicyNames: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}

/** Delete{Kind}Policy. */
export function deleteInlinePolicy(
  store: IamStore,
  kind: HolderKind,
): Operation<InlinePolicyInput, Record<string, never>> {
  return {
    input: readInlinePolicy(kind),
    authorize: (input, ctx) => [
      authorization(`iam:Delete${kind.title}Policy`, kind.arnOf(store, ctx.accountId, input.holderName)),
    ],
    run: (input) => {
      const holder = requireHolder(store, kind, input.holderName);
      if (!kind.links(store).deleteInlinePolicy(holder.id, input.policyName))
        throw iamErrors.noSuchInlinePolicy(holderKey(kind), input.policyName);
      return {};
    },
  };
}
