/**
 * Managed policies on roles, users and groups: Attach/Detach{Role,User,Group}Policy and
 * ListAttached{Role,User,Group}Policies, one implementation for the three kinds (holders.ts).
 * Attach and detach are authorized on the identity, with the policy in iam:PolicyARN.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { authorization } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { requireHolder, type HolderKind } from '../holders.js';
import { ARN, PATH_PREFIX, readPaging, type Paging } from '../input-rules.js';
import { requirePolicy } from '../lookups.js';
import type { ManagedPolicy } from '../model.js';
import { compareKeys, paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** Managed policies per role, user or group (the default quota). */
const ATTACHED_QUOTA = 10;

interface AttachmentInput {
  holderName: string;
  policyArn: string;
}

const readAttachment =
  (kind: HolderKind) =>
  (r: InputReader): AttachmentInput => ({
    holderName: r.string(kind.nameMember, { ...kind.nameRules, required: true }),
    policyArn: r.string('PolicyArn', { ...ARN, required: true }),
  });

/** Attach{Kind}Policy: attaching twice is a no-op; at most ten per identity. */
export function attachPolicy(store: IamStore, kind: HolderKind): Operation<AttachmentInput, Record<string, never>> {
  return {
    input: readAttachment(kind),
    authorize: (input, ctx) => [
      authorization(`iam:Attach${kind.title}Policy`, kind.arnOf(store, ctx.accountId, input.holderName), {
        'iam:PolicyARN': input.policyArn,
      }),
    ],
    run: (input) => {
      const holder = requireHolder(store, kind, input.holderName);
      const policy = requirePolicy(store, input.policyArn, iamErrors.notAttachable);
      const links = kind.links(store);
      const attached = links.attachedPolicyArns(holder.id);
      if (attached.includes(policy.arn)) return {};
      if (attached.length >= ATTACHED_QUOTA) throw iamErrors.tooManyAttachedPolicies(kind.title);
      links.attachPolicy(holder.id, policy.arn);
      return {};
    },
  };
}

/** Detach{Kind}Policy. */
export function detachPolicy(store: IamStore, kind: HolderKind): Operation<AttachmentInput, Record<string, never>> {
  return {
    input: readAttachment(kind),
    authorize: (input, ctx) => [
      authorization(`iam:Detach${kind.title}Policy`, kind.arnOf(store, ctx.accountId, input.holderName), {
        'iam:PolicyARN': input.policyArn,
      }),
    ],
    run: (input) => {
      const holder = requireHolder(store, kind, input.holderName);
      if (!kind.links(store).detachPolicy(holder.id, input.policyArn)) throw iamErrors.noSuchPolicy(input.policyArn);
      return {};
    },
  };
}

interface ListAttachedInput extends Paging {
  holderName: string;
  pathPrefix: string;
}

interface AttachedPolicyOutput {
  PolicyName: string;
  PolicyArn: string;
}

/** ListAttached{Kind}Policies: PathPrefix filters on the policies' paths; paged. */
export function listAttachedPolicies(
  store: IamStore,
  kind: HolderKind,
): Operation<ListAttachedInput, { AttachedPolicies: AttachedPolicyOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({
      holderName: r.string(kind.nameMember, { ...kind.nameRules, required: true }),
      pathPrefix: r.string('PathPrefix', PATH_PREFIX) ?? '/',
      ...readPaging(r),
    }),
    authorize: (input, ctx) => [
      authorization(`iam:ListAttached${kind.title}Policies`, kind.arnOf(store, ctx.accountId, input.holderName)),
    ],
    run: (input) => {
      const holder = requireHolder(store, kind, input.holderName);
      const policies = kind
        .links(store)
        .attachedPolicyArns(holder.id)
        .map((arn) => store.policies.get(arn))
        .filter((p): p is ManagedPolicy => p !== undefined && p.path.startsWith(input.pathPrefix))
        .sort((a, b) => compareKeys(a.arn, b.arn));
      const page = paginate(policies, input, (p) => p.arn);
      return {
        AttachedPolicies: page.items.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.arn })),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}
