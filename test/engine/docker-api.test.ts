/**
 * Runs the container engine contract suite against the Docker Engine API driver on this
 * machine's engine (Podman's Docker-compatible service from scripts/setup-engine, or Docker).
 * scripts/setup starts the engine, so a machine without one fails here instead of skipping.
 */
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { containerEngineContract } from './contract-suite.js';
import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../../src/images/tiny-image.js';

containerEngineContract('Docker Engine API driver', async () => {
  const engine = new DockerApiEngine();
  await engine.ping(AbortSignal.timeout(5000));
  return {
    engine,
    async loadTinyImage(ref) {
      await engine.importImage(buildTinyImageTar(), ref, {
        changes: TINY_IMAGE_CHANGES,
        signal: AbortSignal.timeout(60_000),
      });
      // By name, never by id with force: another test's import of the same files may share the id.
      // Podman's import also tags the repository's `:latest`, which goes too.
      const latest = `${ref.slice(0, ref.lastIndexOf(':'))}:latest`;
      return async () => {
        for (const name of [ref, latest]) await engine.removeImage(name).catch(() => undefined);
      };
    },
  };
});
