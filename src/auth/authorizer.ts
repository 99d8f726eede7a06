/**
 * Authorizes calls the way IAM does for the principals dockyard has: the root key may do
 * everything; a user may do what its identity policies allow (inline and attached, and those
 * of its groups), a role session what the role's allow (inline and attached, AWS-managed
 * included), narrowed by the permissions boundary when there is one, and for a session by its
 * session policies. A denial carries AWS's message, naming the principal, the action, the
 * resource and why.
 *
 * A session belongs to the role's unique id (AROA…), and a user's key to the user's (AIDA…),
 * not to a name, as in AWS: once the role or user is deleted, or deleted and created again under
 * the same name (a new id), what it held has no identity policies left and every authorized call
 * is denied; it never gains the namesake's permissions. (A user's keys are deleted with the user,
 * so this matters for what outlives a key: registry passwords.) Calls that need no authorization
 * (GetCallerIdentity) still work.
 *
 * Resource-based policies (ECR repository policies, secrets' resource policies) come with the
 * authorization that names them. Gaps: SCPs and cross-account access do not exist here (one
 * account per cloud).
 */
import { evaluatePolicies, parsePolicy, type ConditionContext, type PolicyDocument } from '../policy/index.js';
import type { Authorization, Caller, RequestContext } from '../core/operation.js';
import { globalConditionKeys } from './request-context.js';

/** A caller with identity policies: a user or a role session. */
type IdentityCaller = Extract<Caller, { kind: 'user' | 'assumed-role' }>;

/** What the authorizer needs from IAM. The user methods are optional for sources that have no users. */
export interface IdentityPolicySource {
  /** The unique id (AROA…) of the role that has this name now; undefined when there is none. */
  roleId(roleName: string): string | undefined;
  rolePolicyDocuments(roleName: string): { source: string; document: string }[];
  managedPolicyDefaultDocument(arn: string): string | undefined;
  /** The role's permissions boundary policy ARN, if it has one. */
  rolePermissionsBoundary?(roleName: string): string | undefined;
  /** The unique id (AIDA…) of the user that has this name now. */
  userId?(userName: string): string | undefined;
  /** The user's own policies and its groups'. */
  userPolicyDocuments?(userName: string): { source: string; document: string }[];
  userPermissionsBoundary?(userName: string): string | undefined;
}

export type Denial = { denied: true; message: string };

const PARSED_CACHE_LIMIT = 1000;

export class Authorizer {
  /** Parsed documents by their text: policies change rarely and parsing is the costly part. */
  private readonly parsed = new Map<string, PolicyDocument>();

  constructor(private readonly iam: IdentityPolicySource) {}

  /** Undefined when every authorization is allowed; otherwise the first denial. */
  check(ctx: RequestContext, authorizations: readonly Authorization[]): Denial | undefined {
    const caller = ctx.caller;
    if (caller.kind === 'root' || authorizations.length === 0) return undefined;
    if (caller.kind === 'anonymous') {
      const first = authorizations[0] as Authorization;
      return {
        denied: true,
        message: `Anonymous caller is not authorized to perform: ${first.action} on resource: ${first.resource}`,
      };
    }
    if (!this.stillExists(caller)) {
      // The identity is gone: nothing it had applies, and a namesake's policies are not its own.
      const first = authorizations[0] as Authorization;
      return deny(caller, first, `because no identity-based policy allows the ${first.action} action`);
    }
    const global = globalConditionKeys(ctx);
    const identity = this.identityPolicies(caller);
    const boundary = this.boundary(caller);
    const session = this.sessionPolicies(caller);
    for (const auth of authorizations) {
      const request = {
        action: auth.action,
        resource: auth.resource,
        context: auth.context ? { ...global, ...auth.context } : global,
      };
      const result = evaluatePolicies(identity, request);
      if (result.decision === 'ExplicitDeny')
        return deny(caller, auth, 'with an explicit deny in an identity-based policy');
      const resource = auth.resourcePolicy
        ? this.resourceDecision(auth.resourcePolicy, caller, request)
        : 'ImplicitDeny';
      if (resource === 'ExplicitDeny') return deny(caller, auth, 'with an explicit deny in a resource-based policy');
      // Same account: an allow in the identity policies or in the resource's policy suffices.
      if (result.decision !== 'Allow' && resource !== 'Allow')
        return deny(caller, auth, `because no identity-based policy allows the ${auth.action} action`);
      if (boundary) {
        const decision = evaluatePolicies([boundary], request).decision;
        if (decision === 'ExplicitDeny') return deny(caller, auth, 'with an explicit deny in a permissions boundary');
        if (decision !== 'Allow')
          return deny(caller, auth, `because no permissions boundary allows the ${auth.action} action`);
      }
      if (session.length > 0) {
        const decision = evaluatePolicies(session, request).decision;
        if (decision === 'ExplicitDeny') return deny(caller, auth, 'with an explicit deny in a session policy');
        if (decision !== 'Allow')
          return deny(caller, auth, `because no session policy allows the ${auth.action} action`);
      }
    }
    return undefined;
  }

  /** Parses (once) a stored policy document. Stored documents were validated when written. */
  document(text: string, kind: 'identity' | 'session' | 'trust' | 'resource' = 'identity'): PolicyDocument {
    const key = `${kind}\n${text}`;
    let doc = this.parsed.get(key);
    if (!doc) {
      doc = parsePolicy(text, kind);
      if (this.parsed.size >= PARSED_CACHE_LIMIT) this.parsed.delete(this.parsed.keys().next().value as string);
      this.parsed.set(key, doc);
    }
    return doc;
  }

  /** Whether the user or role the caller stands for is the one with that name now. */
  private stillExists(caller: IdentityCaller): boolean {
    if (caller.kind === 'user') return this.iam.userId?.(caller.userName) === caller.userId;
    return this.iam.roleId(caller.roleName) === caller.roleId;
  }

  private resourceDecision(
    policy: string,
    caller: IdentityCaller,
    request: { action: string; resource: string; context: ConditionContext },
  ) {
    const principal = {
      type: 'AWS' as const,
      arn: caller.arn,
      accountId: caller.accountId,
      ...(caller.kind === 'assumed-role' ? { roleArn: caller.roleArn } : {}),
    };
    return evaluatePolicies([this.document(policy, 'resource')], { ...request, principal }).decision;
  }

  private identityPolicies(caller: IdentityCaller): PolicyDocument[] {
    const documents =
      caller.kind === 'user'
        ? (this.iam.userPolicyDocuments?.(caller.userName) ?? [])
        : this.iam.rolePolicyDocuments(caller.roleName);
    return documents.map((p) => this.document(p.document));
  }

  private boundary(caller: IdentityCaller): PolicyDocument | undefined {
    const arn =
      caller.kind === 'user'
        ? this.iam.userPermissionsBoundary?.(caller.userName)
        : this.iam.rolePermissionsBoundary?.(caller.roleName);
    if (!arn) return undefined;
    const text = this.iam.managedPolicyDefaultDocument(arn);
    return text ? this.document(text) : undefined;
  }

  private sessionPolicies(caller: IdentityCaller): PolicyDocument[] {
    if (caller.kind === 'user') return [];
    const docs: PolicyDocument[] = [];
    if (caller.sessionPolicy) docs.push(this.document(caller.sessionPolicy, 'session'));
    for (const arn of caller.sessionPolicyArns ?? []) {
      const text = this.iam.managedPolicyDefaultDocument(arn);
      if (text) docs.push(this.document(text, 'session'));
    }
    return docs;
  }
}

function deny(caller: IdentityCaller, auth: Authorization, reason: string): Denial {
  const resource = auth.unnamedResource ? '' : ` on resource: ${auth.resource}`;
  return {
    denied: true,
    message: `User: ${caller.arn} is not authorized to perform: ${auth.action}${resource} ${reason}`,
  };
}

export type { ConditionContext };
