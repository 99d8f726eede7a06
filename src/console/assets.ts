/**
 * The console's built browser files (`npm run build` bundles src/console/web into
 * dist/console/: console.js, console.css, icon.svg). Read once, kept in memory with their
 * hash: pages link them as `?v=HASH`, so a browser may cache them for good. They hold no data
 * and are served without a session (the login page needs its stylesheet).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/console/assets.js → dist/console. */
export const ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console');

const TYPES: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

export interface Asset {
  name: string;
  type: string;
  body: Buffer;
  /** The first 16 hex digits of its SHA-256: its version in URLs and its ETag. */
  hash: string;
}

export class ConsoleAssets {
  private loaded: Map<string, Asset> | undefined;

  constructor(private readonly dir: string = ASSETS_DIR) {}

  /** The asset of that name, undefined when there is none; throws when the build never ran. */
  get(name: string): Asset | undefined {
    return this.all().get(name);
  }

  /** `/…/assets/console.js?v=HASH`: the URL a page links. */
  url(prefix: string, name: string): string {
    const asset = this.get(name);
    return `${prefix}/assets/${name}${asset ? `?v=${asset.hash}` : ''}`;
  }

  /** Whether the build produced the files (the shell says how to fix it otherwise). */
  available(): boolean {
    return Object.keys(TYPES).every((name) => existsSync(join(this.dir, name)));
  }

  private all(): Map<string, Asset> {
    if (this.loaded) return this.loaded;
    const assets = new Map<string, Asset>();
    for (const [name, type] of Object.entries(TYPES)) {
      const file = join(this.dir, name);
      if (!existsSync(file)) continue;
      const body = readFileSync(file);
      assets.set(name, { name, type, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 16) });
    }
    // Kept once complete; a missing build is looked for again on the next request.
    if (assets.size === Object.keys(TYPES).length) this.loaded = assets;
    return assets;
  }
}
