/**
 * What every route handler receives: the request and response, its path and query, the
 * authenticated caller's RequestContext, the registry the path names (its account, region and
 * images), the registry's dependencies and the upload sessions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/operation.js';
import { authorizeRepository, type RegistryAction, type RegistryScope } from './authorize.js';
import type { DiskBlobStore } from './blob-store.js';
import type { ImageStore, RepositoryInfo } from '../core/image-store.js';
import type { RegistryTokenStore } from './tokens.js';
import type { UploadSessions } from './uploads.js';

/** The registry's dependencies, injected by the cloud's wiring. */
export interface RegistryDeps {
  /**
   * The images of a region this cloud serves (opened on first use); undefined for a region it
   * does not serve. Every region's repositories share the one blob store.
   */
  imagesIn(region: string): ImageStore | undefined;
  blobs: DiskBlobStore;
  tokens: RegistryTokenStore;
  authorizer: Authorizer;
  clock: Clock;
  accountId: string;
  /** The region whose repositories are served without an ECR host in the path (core/ecr-address.ts). */
  homeRegion: string;
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
  /** The registry the path names; route handlers get the repository name within it. */
  scope: RegistryScope;
  deps: RegistryDeps;
  uploads: UploadSessions;
}

/** Authorizes `actions` on `name` for the exchange's caller; throws 403 or 404 NAME_UNKNOWN. */
export function authorizeOn(x: Exchange, name: string, actions: readonly RegistryAction[]): RepositoryInfo {
  return authorizeRepository(x.ctx, x.deps.authorizer, x.scope, name, actions);
}

/** The path of repository `name` below /v2/, as the client spells it (its registry's prefix included). */
export function pathOf(x: Exchange, name: string): string {
  return `/v2/${x.scope.prefix}${name}`;
}

/** Which repository an upload session belongs to: `name` in the exchange's registry (one per account and region). */
export function uploadOwner(x: Exchange, name: string): string {
  return `${x.scope.accountId}/${x.scope.region}/${name}`;
}
