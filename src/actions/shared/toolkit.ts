/**
 * GitHub's toolkit clients for the results service, as the upstream actions bundle them:
 * @actions/artifact 2.x (upload-artifact@v4, download-artifact@v4), @actions/cache 4.x
 * (cache@v4) and the @actions/glob @actions/cache depends on (path patterns). Loaded with require from the package's
 * node_modules and typed here by the few calls the built-ins make, so the rest of dockyard
 * neither loads nor type-checks against them.
 *
 * Client quirk: both clients take any server but github.com, *.ghe.com and *.localhost for
 * GitHub Enterprise Server (no artifacts v4; cache v1 only), and dockyard's GITHUB_SERVER_URL is
 * http://localhost:PORT. `hostedView` hands them github.com's origin for that check alone; every
 * URL they call comes from ACTIONS_RESULTS_URL, which the runner sets to the cloud.
 */
import { createRequire } from 'node:module';

export interface ArtifactFound {
  id: number;
  name: string;
  size: number;
  digest?: string;
}

export interface ArtifactClient {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { retentionDays?: number; compressionLevel?: number },
  ): Promise<{ id?: number; size?: number; digest?: string }>;
  listArtifacts(options?: { latest?: boolean }): Promise<{ artifacts: ArtifactFound[] }>;
  getArtifact(name: string): Promise<{ artifact: ArtifactFound }>;
  downloadArtifact(
    id: number,
    options?: { path?: string; expectedHash?: string },
  ): Promise<{ downloadPath?: string; digestMismatch?: boolean }>;
  deleteArtifact(name: string): Promise<{ id: number }>;
}

export interface CacheClient {
  isFeatureAvailable(): boolean;
  restoreCache(
    paths: string[],
    primaryKey: string,
    restoreKeys?: string[],
    options?: { lookupOnly?: boolean },
    enableCrossOsArchive?: boolean,
  ): Promise<string | undefined>;
  saveCache(
    paths: string[],
    key: string,
    options?: { uploadChunkSize?: number },
    enableCrossOsArchive?: boolean,
  ): Promise<number>;
}

export interface Globber {
  getSearchPaths(): string[];
  glob(): Promise<string[]>;
}

export interface GlobModule {
  create(
    patterns: string,
    options?: { followSymbolicLinks?: boolean; implicitDescendants?: boolean },
  ): Promise<Globber>;
}

const require = createRequire(import.meta.url);

export function artifactClient(): ArtifactClient {
  hostedView();
  const { DefaultArtifactClient } = require('@actions/artifact') as { DefaultArtifactClient: new () => ArtifactClient };
  return new DefaultArtifactClient();
}

export function cacheClient(): CacheClient {
  hostedView();
  return require('@actions/cache') as CacheClient;
}

/** @actions/glob as @actions/cache depends on it: one copy, whatever the package installs at the top. */
export function globModule(): GlobModule {
  return createRequire(require.resolve('@actions/cache'))('@actions/glob') as GlobModule;
}

/** The server URL the step was given (for links), before hostedView replaces it. */
export const serverUrl = process.env.GITHUB_SERVER_URL ?? 'https://github.com';

function hostedView(): void {
  process.env.GITHUB_SERVER_URL = 'https://github.com';
}
