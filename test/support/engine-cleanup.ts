/**
 * What a test that ran real containers leaves behind, removed: the containers labelled for its
 * cloud (a stopped cloud keeps them for adoption; a deleted data directory never would) and the
 * images its builds and pulls left in the engine.
 */
import { DeleteServiceCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LABEL, cloudLabelFor } from '../../src/runtime/runtime.js';

import { run } from './run.js';
import { waitFor } from './wait-for.js';

const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///run/podman/podman.sock';

/** Deletes a service (force) and waits up to 30 s for its tasks to stop; never throws. */
export async function deleteServiceAndWait(ecs: ECSClient, cluster: string, service: string): Promise<void> {
  await ecs.send(new DeleteServiceCommand({ cluster, service, force: true })).catch(() => undefined);
  await waitFor(
    `${service}'s tasks to stop`,
    async () => ((await ecs.send(new ListTasksCommand({ cluster }))).taskArns?.length === 0 ? true : undefined),
    { timeoutMs: 30_000 },
  ).catch(() => undefined);
}

/**
 * Removes the containers labelled for the cloud of `dataDir`, listing again until none is left
 * (30 s at most): a removal Podman refuses while it is still busy with the container (seen
 * with a task whose cloud stopped as it started) is tried again. Never throws.
 */
export async function removeCloudContainers(dataDir: string): Promise<void> {
  const engine = new DockerApiEngine();
  const labels = { [LABEL.cloud]: cloudLabelFor(dataDir) };
  try {
    await waitFor(
      `the containers of ${dataDir}'s cloud to be removed`,
      async () => {
        const left = await engine.listContainers({ labels });
        for (const c of left) await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
        return left.length === 0;
      },
      { timeoutMs: 30_000 },
    ).catch((error: unknown) => console.error(String(error)));
  } finally {
    await engine.close();
  }
}

/**
 * Removes the names under `prefix` (e.g. `localhost:41234/my-app` or `localhost:41234/`) that a
 * test's builds and pulls left in the engine. By name, never `rmi -f` by ID: tests that build the
 * same files get the same image ID, and forcing it would remove another test's running containers
 * with it. An image that keeps another name is only untagged; one still in use stays.
 */
export async function removeImages(prefix: string): Promise<void> {
  const listed = await listImageNames().catch(() => []);
  const names = [...new Set(listed.filter((l) => l.startsWith(prefix) && !l.endsWith(':<none>')))];
  for (const name of names) await run('docker', ['rmi', name], { env: { DOCKER_HOST } });
}

/**
 * The engine's image names (`repository:tag`). Podman 4.3 lists images without a lock against
 * removals: an image another test removes mid-listing fails the whole listing with "image not
 * known", so the listing is asked again until it answers (10 s at most).
 */
export async function listImageNames(engineHost = DOCKER_HOST): Promise<string[]> {
  return waitFor(
    'the engine to list its images',
    async () => {
      const listed = await run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], {
        env: { DOCKER_HOST: engineHost },
      });
      if (listed.status === 0)
        return listed.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
      if (/image not known/.test(listed.stderr)) return undefined;
      throw new Error(`docker images exited ${listed.status}: ${listed.stderr}`);
    },
    { timeoutMs: 10_000 },
  );
}
