/**
 * Removing what jobs leave in the engine: at a job's end everything carrying its label
 * (containers by force with their anonymous volumes, then networks, then named volumes), and
 * after a crash, `sweepOrphanedJobObjects` removes what jobs of a cloud left that no longer run.
 * Failures to remove one object are logged and do not stop the rest.
 */
import { discoverEndpoint, parseEndpoint } from '../engine/endpoint.js';
import { isNotFound } from '../engine/errors.js';
import { EngineHttpClient } from '../engine/http-client.js';
import type { GuardLogger } from './call.js';
import { errorMessage } from '../core/errors.js';

interface Labelled {
  Id?: string;
  Name?: string;
  Labels?: Record<string, string> | null;
}

/** What was removed (objects that went away by themselves meanwhile are not counted). */
export interface RemovalCounts {
  containers: number;
  networks: number;
  volumes: number;
}

function filters(labels: string[]): string {
  return JSON.stringify({ label: labels });
}

async function listContainers(engine: EngineHttpClient, labels: string[]): Promise<Labelled[]> {
  return (
    (await engine.json<Labelled[]>({
      operation: 'list containers',
      method: 'GET',
      path: '/containers/json',
      query: { all: true, filters: filters(labels) },
    })) ?? []
  );
}

async function listNetworks(engine: EngineHttpClient, labels: string[]): Promise<Labelled[]> {
  return (
    (await engine.json<Labelled[]>({
      operation: 'list networks',
      method: 'GET',
      path: '/networks',
      query: { filters: filters(labels) },
    })) ?? []
  );
}

async function listVolumes(engine: EngineHttpClient, labels: string[]): Promise<Labelled[]> {
  const answer = await engine.json<{ Volumes?: Labelled[] | null }>({
    operation: 'list volumes',
    method: 'GET',
    path: '/volumes',
    query: { filters: filters(labels) },
  });
  return answer?.Volumes ?? [];
}

/** Removes the given objects; a failure is logged, counted out, and the rest still go. */
async function removeAll(
  engine: EngineHttpClient,
  found: { containers: Labelled[]; networks: Labelled[]; volumes: Labelled[] },
  logger: GuardLogger,
): Promise<RemovalCounts> {
  const counts: RemovalCounts = { containers: 0, networks: 0, volumes: 0 };
  const attempt = async (
    kind: keyof RemovalCounts,
    name: string,
    path: string,
    query?: Record<string, string | boolean>,
  ) => {
    try {
      await engine.text({ operation: `remove ${kind}`, method: 'DELETE', path, query });
      counts[kind]++;
    } catch (error) {
      // Gone already (a --rm container that ended as its connection closed): nothing to do.
      if (isNotFound(error)) return;
      logger.warn(`docker guard: could not remove ${kind.slice(0, -1)} ${name}`, { error: errorMessage(error) });
    }
  };
  // Containers first: a network or volume in use cannot go.
  for (const c of found.containers)
    if (c.Id) await attempt('containers', c.Id, `/containers/${c.Id}`, { force: true, v: true });
  for (const n of found.networks) if (n.Id) await attempt('networks', n.Name ?? n.Id, `/networks/${n.Id}`);
  for (const v of found.volumes)
    if (v.Name) await attempt('volumes', v.Name, `/volumes/${encodeURIComponent(v.Name)}`, { force: true });
  return counts;
}

/** Removes every container, network and volume carrying all of `labels` (`key=value`). */
export async function removeLabelled(
  engine: EngineHttpClient,
  labels: string[],
  logger: GuardLogger,
): Promise<RemovalCounts> {
  return removeAll(
    engine,
    {
      containers: await listContainers(engine, labels),
      networks: await listNetworks(engine, labels),
      volumes: await listVolumes(engine, labels),
    },
    logger,
  );
}

/** Options of {@link sweepOrphanedJobObjects}. */
export interface SweepOptions {
  /** The engine endpoint (`unix:///…`); discovered as the engine driver does when absent. */
  engine?: string;
  /** The cloud's label: only objects carrying it are looked at. */
  cloudLabel: { key: string; value: string };
  /** The label key naming the job (its value is the job's ID). */
  jobLabelKey: string;
  /** Whether a job is still running (its objects are kept). */
  isLive(jobId: string): boolean;
  logger: GuardLogger;
}

/**
 * Removes the containers, networks and volumes that jobs of this cloud created and that no live
 * job owns (a cloud killed mid-job leaves them). For the runner's start-up.
 */
export async function sweepOrphanedJobObjects(options: SweepOptions): Promise<RemovalCounts> {
  const endpoint = options.engine ? parseEndpoint(options.engine) : discoverEndpoint();
  const engine = new EngineHttpClient(endpoint);
  const labels = [`${options.cloudLabel.key}=${options.cloudLabel.value}`, options.jobLabelKey];
  const orphaned = (objects: Labelled[]) =>
    objects.filter((o) => !options.isLive(o.Labels?.[options.jobLabelKey] ?? ''));
  try {
    return await removeAll(
      engine,
      {
        containers: orphaned(await listContainers(engine, labels)),
        networks: orphaned(await listNetworks(engine, labels)),
        volumes: orphaned(await listVolumes(engine, labels)),
      },
      options.logger,
    );
  } finally {
    engine.close();
  }
}
