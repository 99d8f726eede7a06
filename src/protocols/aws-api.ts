/**
 * The AWS API pipeline: every AWS call goes through these named steps, in this order.
 *
 *   1. route      find the service: X-Amz-Target prefix (awsJson1_1) or the Version
 *                 parameter (awsQuery, ec2Query), then the operation name; a regional
 *                 service's region is the one the request is signed for (its SigV4 scope)
 *   2. authenticate  verify SigV4 (header or presigned) and resolve the caller; operations
 *                 AWS serves unsigned (AssumeRoleWithWebIdentity) may skip it
 *   3. detect     an operation the service does not have gets AWS's unknown-operation error
 *   4. validate   the operation reads its typed input; violations become one AWS error
 *   5. authorize  IAM evaluates the caller's policies for the operation's action/resource
 *   6. run        the handler
 *   7. serialise  the protocol renders the result or the AwsError; a bug becomes a bare
 *                 500 InternalFailure with the request id, never a stack trace
 */
import { createHash } from 'node:crypto';
import type { Authorizer } from '../auth/authorizer.js';
import type { CredentialStore } from '../auth/credentials.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { requestId as newRequestId } from '../core/ids.js';
import type { Caller, Protocol, RequestContext, ServiceDefinition } from '../core/operation.js';
import { accessDeniedError, authFailureError } from './auth-errors.js';
import { jsonError, jsonResult, parseJsonBody } from './aws-json.js';
import { queryError, queryResult } from './aws-query.js';
import { ec2Error, ec2Result } from './ec2-query.js';
import { AwsError, isAwsError } from '../core/errors.js';
import { header, type ApiRequest, type ApiResponse } from './http-types.js';
import { InputReader } from '../core/input-reader.js';
import { nestParams, parseForm } from './query-params.js';
import { peekCredential, verifySigV4 } from './sigv4/verify.js';
import { scopeRegion } from './sigv4/messages.js';

export interface AwsApiOptions {
  /** Services served the same in every region (IAM, STS): global, as on AWS. */
  services: readonly ServiceDefinition[];
  /** Services that keep state per region; without it, `services` is everything. */
  regional?: RegionalServices;
  credentials: CredentialStore;
  authorizer: Authorizer;
  clock: Clock;
  logger: Logger;
  accountId: string;
  /** The region of calls that name none (unsigned ones). */
  region: string;
}

/** Each region's instances of the regional services. */
export interface RegionalServices {
  /** One region's services, for routing: every region's have the same names, targets and operations. */
  readonly shapes: readonly ServiceDefinition[];
  /** Whether the cloud serves `region` (a request signed for another is refused as AWS refuses it). */
  serves(region: string): boolean;
  /** The region's services, opened on first use. */
  servicesIn(region: string): readonly ServiceDefinition[];
}

/** The outcome of routing: which service and operation, the region, and the raw decoded input. */
interface Route {
  service: ServiceDefinition | undefined;
  /** Whether the service keeps state per region (then `region` picks its instance). */
  regional: boolean;
  region: string;
  protocol: Protocol;
  operation: string;
  raw: Record<string, unknown>;
}

const GENERIC_QUERY_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export class AwsApi {
  private readonly byTarget = new Map<string, ServiceDefinition>();
  private readonly byVersion = new Map<string, ServiceDefinition>();
  private readonly bySigningName = new Map<string, ServiceDefinition>();

  private readonly regionalNames = new Set<string>();

  constructor(private readonly options: AwsApiOptions) {
    for (const service of [...options.services, ...(options.regional?.shapes ?? [])]) {
      if (service.targetPrefix) this.byTarget.set(service.targetPrefix, service);
      if (service.version) this.byVersion.set(service.version, service);
      this.bySigningName.set(service.signingName, service);
    }
    for (const service of options.regional?.shapes ?? []) this.regionalNames.add(service.signingName);
  }

  /** True when the request looks like an AWS API call (so the router sends it here). */
  static accepts(request: ApiRequest): boolean {
    if (header(request, 'x-amz-target')) return true;
    const type = header(request, 'content-type') ?? '';
    if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) return true;
    return /(^|&)Action=/.test(request.query);
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const requestId = newRequestId();
    let route: Route | undefined;
    try {
      route = this.route(request);
      // A regional endpoint refuses a region it does not serve before it checks the signature.
      if (route.regional && !this.options.regional?.serves(route.region))
        throw authFailureError(route.protocol, { kind: 'wrongScope', message: scopeRegion(route.region) });
      const caller = this.authenticate(request, route);
      // Only now, signed: a region's state opens on its first authenticated call.
      const service = route.regional ? this.instanceIn(route.region, route.service) : route.service;
      const operation = service?.operations[route.operation];
      if (!service || !operation) throw unknownOperation(route, service);
      const ctx: RequestContext = {
        requestId,
        caller,
        clock: this.options.clock,
        accountId: this.options.accountId,
        region: route.region,
        sourceIp: request.sourceIp,
        ...(request.fromJobOrTask === true || reachedByAwsHostname(request) ? { awsHostnames: true } : {}),
      };
      const reader = new InputReader(route.raw, service.validationErrorCode);
      const input: unknown = operation.input(reader);
      reader.done();
      const denial = this.options.authorizer.check(ctx, operation.authorize(input, ctx));
      if (denial) throw accessDeniedError(service.protocol, denial.message);
      const output: unknown = await operation.run(input, ctx);
      return this.serialise(route, output, requestId);
    } catch (error) {
      return this.failure(route, request, error, requestId);
    }
  }

  /**
   * An operation called from inside the cloud as `caller` (ECS's agent fetching a task's secrets
   * as its execution role): steps 3 to 6, so IAM decides exactly as for a signed request. The
   * output, or the AwsError AWS would answer; the service is named by its signing name, a
   * regional one's instance by `region` (the cloud's default region when absent).
   */
  async invoke(
    caller: Caller,
    sourceIp: string,
    signingName: string,
    operationName: string,
    raw: Record<string, unknown>,
    region: string = this.options.region,
  ): Promise<unknown> {
    const shape = this.bySigningName.get(signingName);
    const regional = this.regionalNames.has(signingName);
    if (regional && !this.options.regional?.serves(region))
      throw authFailureError(shape?.protocol ?? 'awsJson1_1', { kind: 'wrongScope', message: scopeRegion(region) });
    const service = regional ? this.instanceIn(region, shape) : shape;
    const operation = service?.operations[operationName];
    if (!service || !operation) throw new Error(`no operation ${signingName}:${operationName}`);
    const ctx: RequestContext = {
      requestId: newRequestId(),
      caller,
      clock: this.options.clock,
      accountId: this.options.accountId,
      region,
      sourceIp,
    };
    const reader = new InputReader(raw, service.validationErrorCode);
    const input: unknown = operation.input(reader);
    reader.done();
    const denial = this.options.authorizer.check(ctx, operation.authorize(input, ctx));
    if (denial) throw accessDeniedError(service.protocol, denial.message);
    return operation.run(input, ctx);
  }

  /** Step 1: find the service and the operation name, and decode the input. */
  private route(request: ApiRequest): Route {
    const target = header(request, 'x-amz-target');
    if (target !== undefined) {
      const dot = target.lastIndexOf('.');
      const service = this.byTarget.get(target.slice(0, dot));
      const operation = dot >= 0 ? target.slice(dot + 1) : target;
      return this.located(request, {
        service,
        protocol: 'awsJson1_1',
        operation,
        raw: service ? parseJsonBody(request.body) : {},
      });
    }
    const params = parseForm(request.query);
    const type = header(request, 'content-type') ?? '';
    if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
      for (const [name, value] of parseForm(request.body.toString('utf8'))) params.set(name, value);
    }
    const version = params.get('Version');
    const scoped = peekCredential(request)?.scope.service;
    const service =
      (version ? this.byVersion.get(version) : undefined) ?? (scoped ? this.bySigningName.get(scoped) : undefined);
    const protocol: Protocol = service?.protocol ?? 'awsQuery';
    return this.located(request, { service, protocol, operation: params.get('Action') ?? '', raw: nestParams(params) });
  }

  /**
   * The route's region: the credential scope's (the CLI's --region, the SDK's region), else the
   * cloud's default region.
   */
  private located(request: ApiRequest, route: Omit<Route, 'region' | 'regional'>): Route {
    const region = peekCredential(request)?.scope.region ?? this.options.region;
    const regional = route.service !== undefined && this.regionalNames.has(route.service.signingName);
    return { ...route, region, regional };
  }

  /** The instance of a regional service in `region`. */
  private instanceIn(region: string, shape: ServiceDefinition | undefined): ServiceDefinition | undefined {
    if (!shape || !this.options.regional) return shape;
    return this.options.regional.servicesIn(region).find((s) => s.signingName === shape.signingName);
  }

  /** Step 2: SigV4, unless the operation is one AWS serves unsigned and no signature was sent. */
  private authenticate(request: ApiRequest, route: Route): Caller {
    const operation = route.service?.operations[route.operation];
    const signed = header(request, 'authorization') !== undefined || /(^|&)X-Amz-Algorithm=/.test(request.query);
    if (operation?.unsigned && !signed) return { kind: 'anonymous', accountId: this.options.accountId };
    const expected = route.service?.signingName ?? peekCredential(request)?.scope.service ?? 'sts';
    const bodySha256 = createHash('sha256').update(request.body).digest('hex');
    const now = this.options.clock.now();
    const result = verifySigV4(
      { method: request.method, path: request.path, query: request.query, headers: request.headers, bodySha256 },
      (id) => {
        const key = this.options.credentials.lookup(id);
        if (!key) return undefined;
        return {
          secretAccessKey: key.secretAccessKey,
          sessionToken: key.sessionToken,
          expiresAt: key.expiresAt,
          principal: key.caller,
        };
      },
      now,
      { service: expected },
    );
    if (!result.ok) throw authFailureError(route.protocol, result.failure);
    this.options.credentials.recordUse(result.principal, result.scope.service, result.scope.region);
    return result.principal;
  }

  /** Step 7: render a result. */
  private serialise(route: Route, output: unknown, requestId: string): ApiResponse {
    const service = route.service as ServiceDefinition;
    switch (service.protocol) {
      case 'awsJson1_1':
        return jsonResult(output, requestId);
      case 'awsQuery':
        return queryResult(service.xmlns ?? GENERIC_QUERY_XMLNS, route.operation, output, requestId);
      case 'ec2Query':
        return ec2Result(service.xmlns ?? '', route.operation, output, requestId);
    }
  }

  /** Step 7, for errors: AWS errors in the wire's shape; anything else is a bug, logged, never shown. */
  private failure(route: Route | undefined, request: ApiRequest, error: unknown, requestId: string): ApiResponse {
    let aws: AwsError;
    if (isAwsError(error)) {
      aws = error;
    } else {
      this.options.logger.error('internal error', {
        requestId,
        error: error instanceof Error ? error.stack : String(error),
      });
      aws = new AwsError(
        'InternalFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        { status: 500 },
      );
    }
    const protocol = route?.protocol ?? (header(request, 'x-amz-target') !== undefined ? 'awsJson1_1' : 'awsQuery');
    switch (protocol) {
      case 'awsJson1_1':
        return jsonError(aws, requestId);
      case 'ec2Query':
        return ec2Error(aws, requestId);
      case 'awsQuery':
        return queryError(route?.service?.xmlns ?? GENERIC_QUERY_XMLNS, aws, requestId);
    }
  }
}

/** Step 3: each protocol's error for an operation the service does not have. */
function unknownOperation(route: Route, service: ServiceDefinition | undefined): AwsError {
  if (route.protocol === 'awsJson1_1')
    return new AwsError(
      'UnknownOperationException',
      service ? `dockyard's ${service.title} does not implement ${route.operation}` : '',
    );
  if (route.protocol === 'ec2Query')
    return new AwsError('InvalidAction', `The action ${route.operation} is not valid for this web service.`);
  if (!route.operation) return new AwsError('MissingAction', 'Missing Action');
  if (!service)
    return new AwsError('InvalidAction', `Could not find operation ${route.operation} for version ${'(unknown)'}`);
  return new AwsError(
    'InvalidAction',
    `Could not find operation ${route.operation} for version ${service.version ?? ''}`,
  );
}

/** True when the request's Host is one of AWS's service hostnames (only jobs and tasks resolve them here). */
function reachedByAwsHostname(request: ApiRequest): boolean {
  const host = header(request, 'host') ?? '';
  return /\.(amazonaws\.com(\.cn)?|api\.aws)(:\d+)?$/i.test(host);
}
