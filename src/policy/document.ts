/**
 * The shapes of the IAM policy language as the rest of dockyard sees them: a normalised
 * policy document (every list is an array, Statement is always an array, condition values
 * are strings), the request an evaluation answers, and the answers themselves. No logic
 * lives here; `parse.ts` produces these documents and `evaluate.ts` reads them.
 */

/**
 * Where a policy is used decides what it may contain: identity and session policies name no
 * principal and must name resources; trust policies (a role's AssumeRolePolicyDocument) must
 * name a principal and no resource; resource policies (ECR repository policies, …) name a
 * principal and may omit Resource.
 */
export type PolicyKind = 'identity' | 'trust' | 'resource' | 'session';

/** The two policy language versions AWS accepts. Without a Version, 2008-10-17 applies. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

/** Normalised: every list element is an array, Statement always an array. */
export interface PolicyDocument {
  Version?: PolicyVersion;
  Id?: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  /** `"*"` stays the string '*'; `{"AWS":"*"}` stays an object (both match everyone). */
  Principal?: PrincipalBlock;
  NotPrincipal?: PrincipalBlock;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  /** Operator (canonical spelling, e.g. ForAnyValue:StringLikeIfExists) → key → values. */
  Condition?: Record<string, Record<string, string[]>>;
}

/** A Principal or NotPrincipal element: everyone, or lists of principals by type. */
export type PrincipalBlock =
  '*' | { AWS?: string[]; Federated?: string[]; Service?: string[]; CanonicalUser?: string[] };

/** The principal types a PrincipalBlock object may name. */
export type PrincipalType = 'AWS' | 'Federated' | 'Service' | 'CanonicalUser';

/**
 * Condition keys and values of one request. Key lookup is case-insensitive (AWS: condition
 * key names are case-insensitive). An absent key, `undefined` and `[]` all mean "not in the
 * request"; set operators tell `[]` apart only in explanations.
 */
export type ConditionContext = Record<string, string | string[] | undefined>;

/** The caller, as a policy's Principal element sees it. */
export interface PrincipalRef {
  type: 'AWS' | 'Federated' | 'Service';
  /**
   * The caller as a principal: an assumed-role session ARN (arn:aws:sts::A:assumed-role/R/S),
   * arn:aws:iam::A:root, an OIDC provider ARN (Federated), or a service name.
   */
  arn: string;
  /** For AWS principals: the caller's account id. Derived from `arn` when omitted. */
  accountId?: string;
  /** For sessions: the role ARN (arn:aws:iam::A:role/path/R), which a policy may name instead. */
  roleArn?: string;
}

/** One authorization question: may this principal do this action on this resource now? */
export interface EvaluationRequest {
  /** `service:Operation`, e.g. ecr:PutImage or sts:AssumeRoleWithWebIdentity. */
  action: string;
  /** The resource ARN, or '*' for actions without one. Ignored by statements without Resource. */
  resource: string;
  /** Checked against Principal/NotPrincipal; omitted for identity-policy evaluation. */
  principal?: PrincipalRef;
  context: ConditionContext;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** A statement that applied to a request. */
export interface MatchedStatement {
  policyIndex: number;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

export interface EvaluationResult {
  decision: Decision;
  /**
   * The statements behind the decision, for messages: every applicable Deny for
   * ExplicitDeny, every applicable Allow for Allow, none for ImplicitDeny.
   */
  matched: MatchedStatement[];
}

/** Per-statement explanation, for `dockyard trust check` and denial messages. */
export interface StatementExplanation {
  policyIndex: number;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** true when every element matched, i.e. this statement applies to the request */
  applies: boolean;
  /** Every element that did not match (all of them, not only the first). */
  failures: ExplanationFailure[];
}

/** Why one element of a statement did not match; `detail` is one line a user reads. */
export type ExplanationFailure =
  | {
      element: 'Action' | 'NotAction' | 'Resource' | 'NotResource' | 'Principal' | 'NotPrincipal';
      requestValue: string;
      policyValues: string[];
      detail: string;
    }
  | {
      element: 'Condition';
      operator: string;
      key: string;
      /** As written in the policy (variables unresolved). */
      policyValues: string[];
      /** undefined when the key is absent from the request. */
      requestValues: string[] | undefined;
      detail: string;
    };
