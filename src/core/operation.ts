/**
 * The contract between the protocol layer and the services. A service is a table of
 * operations keyed by AWS's exact operation names; an operation reads its typed input,
 * names the IAM action and resource that authorize it, and runs. Handlers never see HTTP:
 * they take typed input and a RequestContext and return a plain object whose member names
 * are AWS's (PascalCase for IAM/STS, camelCase for JSON services), or throw an AwsError.
 */
import type { Clock } from './clock.js';
import type { InputReader } from './input-reader.js';

/** Who made the call, as established by SigV4 (or anonymous for unsigned operations). */
export type Caller =
  | { kind: 'root'; accountId: string; arn: string; userId: string; accessKeyId: string }
  | {
      kind: 'user';
      accountId: string;
      /** arn:aws:iam::ACCOUNT:user/PATH/NAME */
      arn: string;
      /** The user's unique id, AIDA… */
      userId: string;
      userName: string;
      /** The user's long-term key (AKIA…) that signed the request. */
      accessKeyId: string;
      /** The user's tags (aws:PrincipalTag/*). */
      tags: Record<string, string>;
    }
  | {
      kind: 'assumed-role';
      accountId: string;
      /** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION */
      arn: string;
      /** AROA…:SESSION */
      userId: string;
      accessKeyId: string;
      roleName: string;
      roleArn: string;
      roleId: string;
      sessionName: string;
      /** Session tags (aws:PrincipalTag/*), from AssumeRole Tags. */
      tags: Record<string, string>;
      /** Inline session policy (JSON text) passed to AssumeRole*, if any. */
      sessionPolicy?: string;
      /** Managed policy ARNs passed as PolicyArns to AssumeRole*, if any. */
      sessionPolicyArns?: string[];
      expiresAt: Date;
      /** The web identity the session came from (for sts:AssumeRole chaining context). */
      webIdentity?: { provider: string; subject: string; audience: string };
      /**
       * dockyard-internal, never on the wire: the `run_id` claim of the CI job token this session
       * descends from (AssumeRoleWithWebIdentity; sessions it chains to inherit it), so what a
       * run's credentials did (an ECS deployment) can be told back to that run.
       */
      ciRunId?: string;
    }
  | { kind: 'anonymous'; accountId: string };

export interface RequestContext {
  readonly requestId: string;
  readonly caller: Caller;
  readonly clock: Clock;
  readonly accountId: string;
  readonly region: string;
  /** The client's address, for aws:SourceIp. */
  readonly sourceIp: string;
  /**
   * The client is where AWS's own hostnames lead to this cloud (a job or a task: it came by one,
   * `ecr.<region>.amazonaws.com`, or from a job or task network): addresses are answered in
   * AWS's form, as on AWS, since they work there.
   */
  readonly awsHostnames?: boolean;
}

/** What IAM must allow for a call to proceed: one action on one resource. */
export interface Authorization {
  action: string;
  resource: string;
  /** Extra condition keys for this request (aws:RequestTag/…, aws:TagKeys, service keys). */
  context?: Record<string, string | string[] | undefined>;
  /**
   * The resource's own policy (an ECR repository policy), JSON text. Within one account an
   * allow in either the identity policies or this policy suffices; an explicit deny in
   * either refuses.
   */
  resourcePolicy?: string;
  /**
   * AWS words a denial of this action without its resource (Secrets Manager's ListSecrets:
   * "… is not authorized to perform: secretsmanager:ListSecrets because …").
   */
  unnamedResource?: boolean;
}

/** One authorization, with the condition context only when there is one. */
export function authorization(
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Authorization {
  return Object.keys(context).length > 0 ? { action, resource, context } : { action, resource };
}

/** aws:RequestTag/KEY and aws:TagKeys for the tags a request carries (IAM, ECR and ECS alike). */
export function requestTagContext(
  tags: readonly { key: string; value: string }[] | undefined,
): Record<string, string | string[]> {
  if (!tags || tags.length === 0) return {};
  const context: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.key) };
  for (const tag of tags) context[`aws:RequestTag/${tag.key}`] = tag.value;
  return context;
}

export interface Operation<I, O> {
  /** Reads and validates the raw decoded input. Violations are recorded on the reader. */
  input(reader: InputReader): I;
  /**
   * The authorizations the caller needs, checked after input validation and before `run`.
   * Empty for operations AWS never authorizes (GetCallerIdentity, AssumeRoleWithWebIdentity).
   */
  authorize(input: I, ctx: RequestContext): Authorization[];
  run(input: I, ctx: RequestContext): O | Promise<O>;
  /** AWS serves this operation without a signature (AssumeRoleWithWebIdentity). */
  unsigned?: boolean;
}

/** Erases an operation's types for storage in a table; the table's own type keeps the names exact. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables hold operations of many input/output types
export type AnyOperation = Operation<any, any>;

export type Protocol = 'awsJson1_1' | 'awsQuery' | 'ec2Query';

export interface ServiceDefinition {
  /** The SigV4 signing name: iam, sts, ecr, ecs, ec2, logs. */
  signingName: string;
  /** Human name for messages: IAM, STS, … */
  title: string;
  protocol: Protocol;
  /** awsJson1_1: the X-Amz-Target prefix, e.g. AmazonEC2ContainerRegistry_V20150921. */
  targetPrefix?: string;
  /** Query protocols: the API version in the Version parameter, e.g. 2010-05-08. */
  version?: string;
  /** Query protocols: the XML namespace of responses. */
  xmlns?: string;
  /** The code for input validation failures: ValidationError, InvalidParameterException, … */
  validationErrorCode: string;
  operations: Readonly<Record<string, AnyOperation>>;
}
