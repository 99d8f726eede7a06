/**
 * Runs GitHub's own toolkit clients (@actions/artifact 2.x, what upload-artifact@v4 bundles, and
 * @actions/cache 4.x) in a process of their own, as a job's action would: the job's variables
 * come in the environment, the operation in argv, the result goes out as one JSON line.
 * TOOLKIT_FROM names a file whose node_modules hold the clients (the package's by default).
 */
import { createRequire } from 'node:module';

interface ArtifactClient {
  uploadArtifact(
    name: string,
    files: string[],
    root: string,
    options?: { retentionDays?: number },
  ): Promise<{ id?: number; size?: number; digest?: string }>;
  listArtifacts(options?: {
    latest?: boolean;
  }): Promise<{ artifacts: { id: number; name: string; size: number; digest?: string }[] }>;
  downloadArtifact(
    id: number,
    options?: { path?: string; expectedHash?: string },
  ): Promise<{ downloadPath?: string; digestMismatch?: boolean }>;
  getArtifact(name: string): Promise<{ artifact: { id: number; name: string; size: number } }>;
  deleteArtifact(name: string): Promise<{ id: number }>;
}

interface CacheModule {
  saveCache(paths: string[], key: string): Promise<number>;
  restoreCache(paths: string[], key: string, restoreKeys?: string[]): Promise<string | undefined>;
}

const require = createRequire(process.env.TOOLKIT_FROM ?? new URL('../../../package.json', import.meta.url).pathname);
const [operation = '', ...args] = process.argv.slice(2);

async function main(): Promise<unknown> {
  if (operation.startsWith('artifact-')) {
    const { DefaultArtifactClient } = require('@actions/artifact') as {
      DefaultArtifactClient: new () => ArtifactClient;
    };
    const client = new DefaultArtifactClient();
    switch (operation) {
      case 'artifact-upload': {
        const [name = '', root = '', retention, ...files] = args;
        return client.uploadArtifact(name, files, root, retention === '-' ? {} : { retentionDays: Number(retention) });
      }
      case 'artifact-list':
        return client.listArtifacts();
      case 'artifact-get':
        return client.getArtifact(args[0] ?? '');
      case 'artifact-download': {
        const { artifact } = await client.getArtifact(args[0] ?? '');
        return client.downloadArtifact(artifact.id, { path: args[1] ?? '' });
      }
      case 'artifact-delete':
        return client.deleteArtifact(args[0] ?? '');
    }
  }
  const cache = require('@actions/cache') as CacheModule;
  switch (operation) {
    case 'cache-save':
      return { id: await cache.saveCache([args[1] ?? ''], args[0] ?? '') };
    case 'cache-restore':
      return { key: (await cache.restoreCache([args[1] ?? ''], args[0] ?? '', args.slice(2))) ?? null };
  }
  throw new Error(`unknown operation ${operation}`);
}

main().then(
  (result) => process.stdout.write(`RESULT ${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stdout.write(`ERROR ${JSON.stringify(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 1;
  },
);
