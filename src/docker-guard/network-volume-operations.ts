/**
 * Networks and volumes: a job creates, inspects, connects and removes its own (labelled ones);
 * lists and prunes are narrowed to its label. The engine's predefined networks (bridge, none)
 * stay usable and visible, but what they show of other containers (the cloud's tasks sit on the
 * default bridge) is narrowed to the job's containers.
 */
import {
  encode,
  forwardTo,
  jobLabelFilter,
  jsonBody,
  target,
  withJobFilter,
  type Call,
  type GuardContext,
  type Handler,
} from './call.js';
import { PREDEFINED_NETWORKS } from './container-policy.js';
import { canonicalKeys, stringAt, type JsonObject } from './json-input.js';
import { reviewNetworkCreate, reviewVolumeCreate } from './network-volume-policy.js';
import { forbidden } from './refusal.js';

/** Names the engine gives its own networks (Docker's `host` included: it is listed, never joinable). */
const ENGINE_NETWORKS = new Set([...PREDEFINED_NETWORKS, 'host']);

interface WireNetwork {
  Name?: string;
  Labels?: Record<string, string> | null;
  Containers?: Record<string, unknown> | null;
}

/** IDs of the job's containers now. */
async function jobContainerIds(ctx: GuardContext): Promise<Set<string>> {
  const list = await ctx.engine.json<Array<{ Id?: string }>>({
    operation: 'list containers',
    method: 'GET',
    path: '/containers/json',
    query: { all: true, filters: JSON.stringify({ label: [jobLabelFilter(ctx)] }) },
  });
  return new Set((list ?? []).map((c) => c.Id ?? ''));
}

/** A network as the job may see it: its own whole, an engine network with only the job's containers. */
function narrowed(network: WireNetwork, ctx: GuardContext, mine: Set<string>): WireNetwork | undefined {
  if (network.Labels?.[ctx.objects.label.key] === ctx.objects.label.value) return network;
  if (!ENGINE_NETWORKS.has(network.Name ?? '')) return undefined;
  if (!network.Containers) return network;
  return {
    ...network,
    Containers: Object.fromEntries(Object.entries(network.Containers).filter(([id]) => mine.has(id))),
  };
}

const list: Handler = async (call) =>
  forwardTo(call, '/networks', {
    response: {
      kind: 'json',
      transform: async (value) => {
        if (!Array.isArray(value)) return value;
        const mine = await jobContainerIds(call.ctx);
        return (value as WireNetwork[]).map((n) => narrowed(n, call.ctx, mine)).filter((n) => n !== undefined);
      },
    },
  });

/** The job's network the route names, or an engine network when `engineOk`. */
async function resolveNetwork(call: Call, use: string, engineOk: boolean): Promise<string> {
  const ref = target(call);
  if (engineOk && ENGINE_NETWORKS.has(ref)) return ref;
  return (await call.ctx.objects.network(ref, `${use} ${ref}`)).id;
}

const inspect: Handler = async (call) => {
  const id = await resolveNetwork(call, 'docker network inspect', true);
  return forwardTo(call, `/networks/${encodeURIComponent(id)}`, {
    response: {
      kind: 'json',
      transform: async (value) => narrowed(value as WireNetwork, call.ctx, await jobContainerIds(call.ctx)) ?? value,
    },
  });
};

const create: Handler = async (call) => {
  const body = await jsonBody(call, 'network create');
  reviewNetworkCreate(body, call.ctx.labels);
  return forwardTo(call, '/networks/create', { body: encode(body) });
};

const remove: Handler = async (call) =>
  forwardTo(call, `/networks/${encodeURIComponent(await resolveNetwork(call, 'docker network rm', false))}`);

/** Connect and disconnect: the job's container, to its own network or an engine one. */
const connection: Handler = async (call) => {
  const verb = call.route.operation === 'NetworkConnect' ? 'docker network connect' : 'docker network disconnect';
  const network = await resolveNetwork(call, verb, true);
  if (network === 'host' || network === 'none')
    throw forbidden(`${verb} ${network}: containers cannot join the ${network} network after they were created`);
  const body: JsonObject = canonicalKeys(await jsonBody(call, verb), ['Container'], verb);
  const container = stringAt(body, 'Container', verb);
  body.Container = await call.ctx.objects.container(container, `${verb} ${target(call)} ${container}`);
  return forwardTo(
    call,
    `/networks/${encodeURIComponent(network)}/${call.route.operation === 'NetworkConnect' ? 'connect' : 'disconnect'}`,
    { body: encode(body) },
  );
};

const volumeCreate: Handler = async (call) => {
  const body = await jsonBody(call, 'volume create');
  reviewVolumeCreate(body, call.ctx.labels);
  return forwardTo(call, '/volumes/create', { body: encode(body) });
};

/** Inspect and remove: the job's volume only. */
const ownVolume: Handler = async (call) => {
  const name = target(call);
  const verb = call.route.operation === 'VolumeDelete' ? 'docker volume rm' : 'docker volume inspect';
  // A missing volume: the engine says so in its own words.
  await call.ctx.objects.volume(name, `${verb} ${name}`);
  return forwardTo(call, `/volumes/${encodeURIComponent(name)}`);
};

export const NETWORK_VOLUME_HANDLERS = {
  NetworkList: list,
  NetworkInspect: inspect,
  NetworkCreate: create,
  NetworkDelete: remove,
  NetworkConnect: connection,
  NetworkDisconnect: connection,
  NetworkPrune: async (call: Call) => forwardTo(call, '/networks/prune', {}, withJobFilter(call)),
  VolumeList: async (call: Call) => forwardTo(call, '/volumes', {}, withJobFilter(call)),
  VolumeCreate: volumeCreate,
  VolumeInspect: ownVolume,
  VolumeDelete: ownVolume,
  VolumePrune: async (call: Call) => forwardTo(call, '/volumes/prune', {}, withJobFilter(call)),
} satisfies Record<string, Handler>;
