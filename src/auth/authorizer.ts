/**
 * Authorizes calls the way IAM does for the principals dockyard has: the root key may do
 * everything; a role session may do what the role's identity policies allow (inline and
 * attached, AWS-managed included), narrowed by its session policy and its permissions
 * boundary when present. A denial carries AWS's message, naming the principal, the action,
 * the resource and why.
 *
 * A session belongs to the role's unique id (AROA…), not its name, as in AWS: once the role is
 * deleted, or deleted and created again under the same name (a new role with a new id), the
 * session has no identity policies left and every authorized call is denied; it never gains
 * the new role's permissions. Calls that need no authorization (GetCallerIdentity) still work.
 *
 * Resource-based policies (ECR repository policies, secrets' resource policies) come with the
 * authorization that names them. Gaps: SCPs and cross-account access do not exist here (one
 * account per cloud).
 */
import { evaluatePolicies, parsePolicy, type ConditionContext, type PolicyDocument } from '../policy/index.js';
import type { Authorization, RequestContext } from '../services/operation.js';
import type { SessionCaller } from './credentials.js';
import { globalConditionKeys } from './request-context.js';

/** What the authorizer needs from IAM. */
export interface RolePolicySource {
  /** The unique id (AROA…) of the role that has this name now; undefined when there is none. */
  roleId(roleName: string): string | undefined;
  rolePolicyDocuments(roleName: string): { source: string; document: string }[];
  managedPolicyDefaultDocument(arn: string): string | undefined;
  /** The role's permissions boundary policy ARN, if it has one. */
  rolePermissionsBoundary?(roleName: string): string | undefined;
}

export type Denial = { denied: true; message: string };

const PARSED_CACHE_LIMIT = 1000;

export class Authorizer {
  /** Parsed documents by their text: policies change rarely and parsing is the costly part. */
  private readonly parsed = new Map<string, PolicyDocument>();

  constructor(private readonly iam: RolePolicySource) {}

  /** Undefined when every authorization is allowed; otherwise the first denial. */
  check(ctx: RequestContext, authorizations: readonly Authorization[]): Denial | undefined {
    const caller = ctx.caller;
    if (caller.kind === 'root' || authorizations.length === 0) return undefined;
    if (caller.kind === 'anonymous') {
      const first = authorizations[0] as Authorization;
      return { denied: true, message: `Anonymous caller is not authorized to perform: ${first.action} on resource: ${first.resource}` };
    }
    if (this.iam.roleId(caller.roleName) !== caller.roleId) {
      // The session's role is gone: nothing it had applies, and a namesake's policies are not its own.
      const first = authorizations[0] as Authorization;
      return deny(caller, first, `because no identity-based policy allows the ${first.action} action`);
    }
    const global = globalConditionKeys(ctx);
    const identity = this.identityPolicies(caller);
    for (const auth of authorizations) {
      const request = { action: auth.action, resource: auth.resource, context: auth.context ? { ...global, ...auth.context } : global };
      const result = evaluatePolicies(identity, request);
      if (result.decision === 'ExplicitDeny') return deny(caller, auth, 'with an explicit deny in an identity-based policy');
      const resource = auth.resourcePolicy ? this.resourceDecision(auth.resourcePolicy, caller, request) : 'ImplicitDeny';
      if (resource === 'ExplicitDeny') return deny(caller, auth, 'with an explicit deny in a resource-based policy');
      // Same account: an allow in the identity policies or in the resource's policy suffices.
      if (result.decision !== 'Allow' && resource !== 'Allow') return deny(caller, auth, `because no identity-based policy allows the ${auth.action} action`);
      const boundary = this.boundary(caller);
      if (boundary) {
        const decision = evaluatePolicies([boundary], request).decision;
        if (decision === 'ExplicitDeny') return deny(caller, auth, 'with an explicit deny in a permissions boundary');
        if (decision !== 'Allow') return deny(caller, auth, `because no permissions boundary allows the ${auth.action} action`);
      }
      const session = this.sessionPolicies(caller);
      if (session.length > 0) {
        const decision = evaluatePolicies(session, request).decision;
        if (decision === 'ExplicitDeny') return deny(caller, auth, 'with an explicit deny in a session policy');
        if (decision !== 'Allow') return deny(caller, auth, `because no session policy allows the ${auth.action} action`);
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

  private resourceDecision(policy: string, caller: SessionCaller, request: { action: string; resource: string; context: ConditionContext }) {
    const principal = { type: 'AWS' as const, arn: caller.arn, accountId: caller.accountId, roleArn: caller.roleArn };
    return evaluatePolicies([this.document(policy, 'resource')], { ...request, principal }).decision;
  }

  private identityPolicies(caller: SessionCaller): PolicyDocument[] {
    return this.iam.rolePolicyDocuments(caller.roleName).map((p) => this.document(p.document));
  }

  private boundary(caller: SessionCaller): PolicyDocument | undefined {
    const arn = this.iam.rolePermissionsBoundary?.(caller.roleName);
    if (!arn) return undefined;
    const text = this.iam.managedPolicyDefaultDocument(arn);
    return text ? this.document(text) : undefined;
  }

  private sessionPolicies(caller: SessionCaller): PolicyDocument[] {
    const docs: PolicyDocument[] = [];
    if (caller.sessionPolicy) docs.push(this.document(caller.sessionPolicy, 'session'));
    for (const arn of caller.sessionPolicyArns ?? []) {
      const text = this.iam.managedPolicyDefaultDocument(arn);
      if (text) docs.push(this.document(text, 'session'));
    }
    return docs;
  }
}

function deny(caller: SessionCaller, auth: Authorization, reason: string): Denial {
  const resource = auth.unnamedResource ? '' : ` on resource: ${auth.resource}`;
  return { denied: true, message: `User: ${caller.arn} is not authorized to perform: ${auth.action}${resource} ${reason}` };
}

export type { ConditionContext };
