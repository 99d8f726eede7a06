/**
 * What every route handler receives: the request and response, its path and query, the
 * authenticated caller's RequestContext, the registry's dependencies and the upload sessions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/operation.js';
import { authorizeRepository, type RegistryAction } from './authorize.js';
import type { DiskBlobStore } from './blob-store.js';
import type { ImageStore, RepositoryInfo } from '../core/image-store.js';
import type { RegistryTokenStore } from './tokens.js';
import type { UploadSessions } from './uploads.js';

/** The registry's dependencies, injected by the cloud's wiring. */
export interface RegistryDeps {
  images: ImageStore;
  blobs: DiskBlobStore;
  tokens: RegistryTokenStore;
  authorizer: Authorizer;
  clock: Clock;
  accountId: string;
  region: string;
  logger: { error(msg: string, f?: object): void };
}

/** One request in flight, authenticated. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request path, undecoded. */
  path: string;
  query: URLSearchParams;
  ctx: RequestContext;
  deps: RegistryDeps;
  uploads: UploadSessions;
}

/** Authorizes `actions` on `name` for the exchange's caller; throws 403 or 404 NAME_UNKNOWN. */
export function authorizeOn(x: Exchange, name: string, actions: readonly RegistryAction[]): RepositoryInfo {
  return authorizeRepository(x.ctx, x.deps, name, actions);
}
