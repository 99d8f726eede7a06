/**
 * One service under test, in process, through the real AWS API pipeline (as Hono tests call
 * `app.request`): a real SQLite file in a temp directory, a ManualClock, the account's root key,
 * and every call a SigV4-signed request that AwsApi routes, authenticates, validates, authorizes
 * with the real Authorizer, runs and serialises. No socket.
 *
 * `call` answers the handler's output as the handler returned it (typed members, Dates), so
 * tests assert on the operation's result; a refusal comes back as the AwsError the wire carried
 * (code, message, status parsed from the response). `authorize` sends the same request with an
 * authorizer that records what the pipeline asks IAM to allow and then refuses, so nothing runs.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authorizer, type Denial, type IdentityPolicySource } from '../../src/auth/authorizer.js';
import { CredentialStore } from '../../src/auth/credentials.js';
import { ManualClock, type Clock } from '../../src/core/clock.js';
import { AwsError, isAwsError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type {
  AnyOperation,
  Authorization,
  Caller,
  RequestContext,
  ServiceDefinition,
} from '../../src/core/operation.js';
import { AwsApi } from '../../src/protocols/aws-api.js';
import type { ApiResponse } from '../../src/protocols/http-types.js';
import { openDatabase, type Db } from '../../src/store/database.js';

/** A request context for the account's root caller. */
function rootContext(accountId: string, region: string, clock: Clock): RequestContext {
  return {
    requestId: 'test-request',
    caller: {
      kind: 'root',
      accountId,
      arn: `arn:aws:iam::${accountId}:root`,
      userId: accountId,
      accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
    },
    clock,
    accountId,
    region,
    sourceIp: '127.0.0.1',
  };
}

/** Asserts that `promise` rejects with the AWS error `code` (and `message`, `status` when given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  message?: string | RegExp,
  status?: number,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAwsError(error), `expected an AwsError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    if (message instanceof RegExp) assert.match(error.message, message);
    if (status !== undefined) assert.equal(error.status, status);
    return true;
  });
}

/** What a service's test set-up builds over the harness's database and clock; `service` is required. */
export interface ServiceParts {
  service: ServiceDefinition;
}

export interface HarnessOptions<P extends ServiceParts> {
  /** Temp directory prefix, e.g. 'dockyard-iam-'. */
  name: string;
  accountId: string;
  region: string;
  start: Date;
  /** Builds the service (and whatever the tests read besides) over the database; again on reopen. */
  open(db: Db, clock: ManualClock): P;
}

export interface ServiceHarnessBase<Name extends string> {
  readonly dir: string;
  /** The SQLite file. */
  readonly file: string;
  db: Db;
  readonly clock: ManualClock;
  /** The root caller's context (for tests that call a store or a helper with one). */
  readonly ctx: RequestContext;
  /** The last response, as a client received it. */
  readonly lastResponse: ApiResponse | undefined;
  /**
   * Sends `operation` with `input` (a JSON object; for Query services also already-encoded form
   * parameters such as 'Filter.1.Name=vpc-id') through the pipeline.
   */
  call<T = Record<string, unknown>>(operation: Name, input?: Record<string, unknown> | string): Promise<T>;
  /**
   * The same, with `caller` as the handler's caller (a user, a role session): the request is
   * signed and authorized as the root user, so the authorizations are computed, not evaluated.
   */
  callAs<T = Record<string, unknown>>(
    caller: Caller,
    operation: Name,
    input?: Record<string, unknown> | string,
  ): Promise<T>;
  /** The authorizations the pipeline asks for, after validating the input; nothing runs. */
  authorize(operation: Name, input?: Record<string, unknown> | string): Promise<Authorization[]>;
  /** Closes the database and opens the same file again with fresh parts (a restart); returns the harness. */
  reopen(): this;
  /** Closes the database and removes the temp directory. */
  dispose(): void;
}

export type ServiceHarness<Name extends string, P extends ServiceParts> = ServiceHarnessBase<Name> & P;

/** The caller is the account's root user, whom no role policy concerns. */
const NO_ROLES: IdentityPolicySource = {
  roleId: () => undefined,
  rolePolicyDocuments: () => [],
  managedPolicyDefaultDocument: () => undefined,
};

/** Records what it is asked to allow, then refuses, so `authorize` never runs an operation. */
class RecordingAuthorizer extends Authorizer {
  recording: Authorization[] | undefined;
  override check(ctx: RequestContext, authorizations: readonly Authorization[]): Denial | undefined {
    if (this.recording === undefined) return super.check(ctx, authorizations);
    this.recording.push(...authorizations);
    return { denied: true, message: 'recorded by the test harness' };
  }
}

export function createServiceHarness<Name extends string, P extends ServiceParts>(
  options: HarnessOptions<P>,
): ServiceHarness<Name, P> {
  const dir = mkdtempSync(join(tmpdir(), options.name));
  const file = join(dir, 'state.db');
  const clock = new ManualClock(options.start);
  const ctx = rootContext(options.accountId, options.region, clock);
  let outputs: unknown[] = [];
  let asCaller: Caller | undefined;
  let last: ApiResponse | undefined;
  let api: AwsApi;
  let authorizer: RecordingAuthorizer;
  let root: { accessKeyId: string; secretAccessKey: string };

  /** The service with each handler's output recorded on its way to the serialiser (and `callAs`'s caller put in). */
  const recorded = (service: ServiceDefinition): ServiceDefinition => ({
    ...service,
    operations: Object.fromEntries(
      Object.entries(service.operations).map(([name, op]): [string, AnyOperation] => [
        name,
        {
          ...op,
          authorize: (input, authCtx) => op.authorize(input, asCaller ? { ...authCtx, caller: asCaller } : authCtx),
          run: async (input, runCtx) => {
            const output: unknown = await op.run(input, asCaller ? { ...runCtx, caller: asCaller } : runCtx);
            outputs.push(output);
            return output;
          },
        },
      ]),
    ),
  });

  const open = (): P & { db: Db } => {
    const db = openDatabase(file);
    const parts = options.open(db, clock);
    const credentials = new CredentialStore(db, options.accountId);
    root = credentials.ensureRootKey(options.accountId, clock.now());
    authorizer = new RecordingAuthorizer(NO_ROLES);
    api = new AwsApi({
      services: [recorded(parts.service)],
      credentials,
      authorizer,
      clock,
      logger: silentLogger,
      accountId: options.accountId,
      region: options.region,
    });
    return { ...parts, db };
  };

  const send = async (operation: string, input: Record<string, unknown> | string): Promise<ApiResponse> => {
    const service = harness.service;
    const signer = new SignatureV4({
      credentials: root,
      region: options.region,
      service: service.signingName,
      sha256: Sha256,
    });
    const { headers, body } = encode(service, operation, input);
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: 'localhost',
        path: '/',
        headers: { host: 'localhost', ...headers },
        body,
      },
      { signingDate: clock.now() },
    );
    last = await api.handle({
      method: 'POST',
      path: '/',
      query: '',
      headers: lowerCase(signed.headers as Record<string, string>),
      body: Buffer.from(body),
      sourceIp: '127.0.0.1',
    });
    return last;
  };

  const harness = {
    dir,
    file,
    clock,
    ctx,
    get lastResponse() {
      return last;
    },
    async call<T>(operation: Name, input: Record<string, unknown> | string = {}): Promise<T> {
      outputs = [];
      const response = await send(operation, input);
      if (response.status >= 400) throw wireError(response);
      return outputs[0] as T;
    },
    async callAs<T>(caller: Caller, operation: Name, input: Record<string, unknown> | string = {}): Promise<T> {
      asCaller = caller;
      try {
        return await harness.call<T>(operation, input);
      } finally {
        asCaller = undefined;
      }
    },
    async authorize(operation: Name, input: Record<string, unknown> | string = {}): Promise<Authorization[]> {
      const recording: Authorization[] = [];
      authorizer.recording = recording;
      try {
        const response = await send(operation, input);
        // A refusal before authorization (validation, an unknown operation) is the answer itself.
        if (response.status >= 400 && !String(response.body).includes('recorded by the test harness'))
          throw wireError(response);
      } finally {
        authorizer.recording = undefined;
      }
      return recording;
    },
    reopen() {
      harness.db.close();
      Object.assign(harness, open());
      return harness;
    },
    dispose() {
      if (harness.db.open) harness.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
    ...open(),
  } as unknown as ServiceHarness<Name, P>;
  return harness;
}

/** The request a client sends for `operation`: headers and body in the service's protocol. */
function encode(
  service: ServiceDefinition,
  operation: string,
  input: Record<string, unknown> | string,
): { headers: Record<string, string>; body: string } {
  if (service.protocol === 'awsJson1_1') {
    return {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${service.targetPrefix ?? ''}.${operation}`,
      },
      body: JSON.stringify(input),
    };
  }
  const params = new URLSearchParams({ Action: operation, Version: service.version ?? '' });
  const encoded =
    typeof input === 'string' ? input : queryParams(input, service.protocol === 'ec2Query' ? '' : 'member').toString();
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: encoded === '' ? params.toString() : `${params.toString()}&${encoded}`,
  };
}

/** A structure as Query parameters: `A.B=x`, lists as `A.member.N` (EC2: `A.N`). */
function queryParams(input: Record<string, unknown>, listItem: string): URLSearchParams {
  const params = new URLSearchParams();
  const add = (prefix: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) =>
        add(listItem ? `${prefix}.${listItem}.${index + 1}` : `${prefix}.${index + 1}`, item),
      );
    } else if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) add(`${prefix}.${key}`, item);
    } else params.append(prefix, String(value));
  };
  for (const [key, value] of Object.entries(input)) add(key, value);
  return params;
}

/** The AwsError a client would see in an error response (JSON `__type`/`message`, or XML `Code`/`Message`). */
function wireError(response: ApiResponse): AwsError {
  const body = String(response.body);
  if (body.startsWith('{')) {
    const parsed = JSON.parse(body) as { __type?: string; message?: string; Message?: string };
    return new AwsError(parsed.__type ?? 'Unknown', parsed.message ?? parsed.Message ?? '', {
      status: response.status,
    });
  }
  const code = /<Code>([\s\S]*?)<\/Code>/.exec(body)?.[1] ?? 'Unknown';
  const message = /<Message>([\s\S]*?)<\/Message>/.exec(body)?.[1] ?? '';
  return new AwsError(unescapeXml(code), unescapeXml(message), { status: response.status });
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] ?? '',
  );
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}
