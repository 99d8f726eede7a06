/**
 * Who is calling and what they may do. The registry speaks Basic auth with ECR's user name
 * `AWS` and a password from GetAuthorizationToken; the caller is the principal that obtained
 * the password, and every action is authorized by IAM (identity policies and the repository
 * policy) with ECR's action names on the repository's ARN, exactly as the control plane's
 * operations are. Unauthenticated requests get ECR's challenge:
 * `Basic realm="https://<host>/",service="ecr.amazonaws.com"`.
 *
 * Order, as AWS does it: authenticate (401), authorize (403 DENIED), then look the
 * repository up (404 NAME_UNKNOWN), so a caller without permission learns nothing about
 * which repositories exist.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../core/clock.js';
import type { Caller, RequestContext } from '../core/operation.js';
import type { ImageStore, RepositoryInfo } from '../core/image-store.js';
import { registryErrors } from './errors.js';
import type { RegistryTokenStore } from './tokens.js';

/** The IAM actions the data plane asks for (ECR's names). */
export type RegistryAction =
  | 'ecr:BatchGetImage'
  | 'ecr:GetDownloadUrlForLayer'
  | 'ecr:BatchCheckLayerAvailability'
  | 'ecr:InitiateLayerUpload'
  | 'ecr:UploadLayerPart'
  | 'ecr:CompleteLayerUpload'
  | 'ecr:PutImage'
  | 'ecr:ListImages'
  | 'ecr:BatchDeleteImage';

export interface RegistryAuthDeps {
  images: ImageStore;
  tokens: RegistryTokenStore;
  authorizer: Authorizer;
  clock: Clock;
  accountId: string;
  region: string;
}

/** ECR's challenge, naming the host the client used. */
export function challenge(req: IncomingMessage): string {
  const host = req.headers.host;
  const safe = host && /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host) ? host : 'localhost';
  return `Basic realm="https://${safe}/",service="ecr.amazonaws.com"`;
}

/** The caller behind the request's Basic credentials; throws 401 with the challenge otherwise. */
export function authenticate(req: IncomingMessage, deps: RegistryAuthDeps): Caller {
  const header = req.headers.authorization ?? '';
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) throw registryErrors.unauthorized(challenge(req));
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== 'AWS') throw registryErrors.unauthorized(challenge(req));
  const result = deps.tokens.verify(decoded.slice(colon + 1), deps.clock.now());
  if (!result) throw registryErrors.unauthorized(challenge(req));
  if ('expired' in result) throw registryErrors.expired(challenge(req));
  return result.caller;
}

/** The RequestContext IAM evaluates conditions against (aws:SourceIp, aws:CurrentTime, …). */
export function requestContext(req: IncomingMessage, caller: Caller, deps: RegistryAuthDeps): RequestContext {
  const ip = req.socket.remoteAddress ?? '127.0.0.1';
  return {
    requestId: randomUUID(),
    caller,
    clock: deps.clock,
    accountId: deps.accountId,
    region: deps.region,
    sourceIp: ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip,
  };
}

/** arn:aws:ecr:REGION:ACCOUNT:repository/NAME */
export function repositoryArn(deps: Pick<RegistryAuthDeps, 'region' | 'accountId'>, name: string): string {
  return `arn:aws:ecr:${deps.region}:${deps.accountId}:repository/${name}`;
}

/** Whether `ctx` may perform every action on `repository`; the denial's message when not. */
export function denial(
  ctx: RequestContext,
  deps: RegistryAuthDeps,
  repository: string,
  actions: readonly RegistryAction[],
): string | undefined {
  const info = deps.images.getRepository(repository);
  const resource = info?.arn ?? repositoryArn(deps, repository);
  const resourcePolicy = info?.policyText;
  const result = deps.authorizer.check(
    ctx,
    actions.map((action) => (resourcePolicy ? { action, resource, resourcePolicy } : { action, resource })),
  );
  return result?.message;
}

/** Authorizes `actions` on `repository` and returns it; throws 403 DENIED or 404 NAME_UNKNOWN. */
export function authorizeRepository(
  ctx: RequestContext,
  deps: RegistryAuthDeps,
  repository: string,
  actions: readonly RegistryAction[],
): RepositoryInfo {
  const message = denial(ctx, deps, repository, actions);
  if (message) throw registryErrors.denied(message);
  const info = deps.images.getRepository(repository);
  if (!info) throw registryErrors.nameUnknown(repository, deps.accountId);
  return info;
}
