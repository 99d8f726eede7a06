/**
 * scripts/base-images' way into the offline images built in TypeScript:
 * `node dist/src/images/build-main.js [--force] node-slim|runner…` ensures each named image
 * (building it when missing or its recipe changed), printing progress lines on stderr.
 */
import { DockerApiEngine } from '../engine/docker-api.js';
import { ensureNodeSlimImage } from './node-slim.js';
import { formatBytes, formatElapsed, type EnsureOptions, type EnsuredImage } from './offline-image.js';
import { ensureRunnerImageDetails } from './runner-image.js';
import { errorMessage } from '../core/errors.js';

const IMAGES: Record<string, (engine: DockerApiEngine, options: EnsureOptions) => Promise<EnsuredImage>> = {
  'node-slim': ensureNodeSlimImage,
  runner: ensureRunnerImageDetails,
};

async function main(argv: string[]): Promise<number> {
  const force = argv.includes('--force');
  const names = argv.filter((a) => a !== '--force');
  const unknown = names.find((n) => !(n in IMAGES));
  if (names.length === 0 || unknown !== undefined) {
    process.stderr.write(
      `usage: build-main.js [--force] ${Object.keys(IMAGES).join('|')}…${unknown ? ` (not ${unknown})` : ''}\n`,
    );
    return 2;
  }
  const engine = new DockerApiEngine();
  try {
    for (const name of names) {
      const ensure = IMAGES[name] as (typeof IMAGES)[string];
      const say = (text: string) => process.stderr.write(`\x1b[1m[base-images]\x1b[0m ${text}\n`);
      const result = await ensure(engine, {
        force,
        onProgress: (p) => say(`${p.image} ${formatElapsed(p.elapsedMs)} ${p.message}`),
      });
      say(`${result.ref} ${result.built ? 'built' : 'is there'} (${formatBytes(result.sizeBytes)})`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`[base-images] ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await engine.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
