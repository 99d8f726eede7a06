/**
 * Containers and exec sessions: creates reviewed and labelled, everything else only on the
 * job's own containers (named by ID when forwarded), lists and prunes narrowed to the job's label.
 */
import { encode, forwardTo, jsonBody, target, withJobFilter, type Call, type Handler } from './call.js';
import { checkExecCreate, checkResources, reviewContainerCreate } from './container-policy.js';
import { ExitCodeWatch } from './exit-codes.js';
import type { JsonObject } from './json-input.js';
import type { ContainerOperation } from './routes.js';

/** What the user ran, for refusals (`docker rm web: container web was not created by this job`). */
const COMMANDS: Record<ContainerOperation, string> = {
  // Most commands inspect first (docker exec, logs, cp): naming one would mislead.
  ContainerInspect: '',
  ContainerTop: 'docker top',
  ContainerLogs: 'docker logs',
  ContainerChanges: 'docker diff',
  ContainerExport: 'docker export',
  ContainerStats: 'docker stats',
  ContainerResize: 'resize',
  ContainerStart: 'docker start',
  ContainerStop: 'docker stop',
  ContainerRestart: 'docker restart',
  ContainerKill: 'docker kill',
  ContainerUpdate: 'docker update',
  ContainerRename: 'docker rename',
  ContainerPause: 'docker pause',
  ContainerUnpause: 'docker unpause',
  ContainerAttach: 'docker attach',
  ContainerAttachWebsocket: 'docker attach',
  ContainerWait: 'docker wait',
  ContainerDelete: 'docker rm',
  ContainerArchiveInfo: 'docker cp',
  ContainerArchive: 'docker cp',
  PutContainerArchive: 'docker cp',
  ContainerExec: 'docker exec',
};

/** The path of the container operation with the container named by its ID. */
function containerPath(call: Call, id: string): string {
  const template = call.route.template ?? '';
  return template.replace('{}', encodeURIComponent(id));
}

/** The job's container the route names (its ID), or a refusal. */
async function ownContainer(call: Call): Promise<string> {
  const operation = call.route.operation as ContainerOperation;
  const ref = target(call);
  const command = COMMANDS[operation];
  return call.ctx.objects.container(ref, command ? `${command} ${ref}` : '');
}

/** Any operation on one of the job's containers, forwarded unchanged apart from the ID. */
const onOwnContainer: Handler = async (call) => forwardTo(call, containerPath(call, await ownContainer(call)));

const create: Handler = async (call) => {
  const { ctx } = call;
  const review = reviewContainerCreate(await jsonBody(call, 'container create'), ctx);
  for (const ref of review.containers) await ctx.objects.container(ref.ref, ref.use);
  for (const ref of review.networks) await ctx.objects.network(ref.ref, ref.use);
  for (const ref of review.volumes) {
    // A named volume the engine would create on the fly would carry no label: create it labelled first.
    if ((await ctx.objects.volume(ref.ref, ref.use)) === undefined) {
      await ctx.engine.json({
        operation: 'create volume',
        method: 'POST',
        path: '/volumes/create',
        json: { Name: ref.ref, Labels: ctx.labels },
      });
    }
  }
  return forwardTo(call, '/containers/create', {
    body: encode(review.body),
    response: {
      kind: 'json',
      transform: (value) => {
        const id = (value as { Id?: unknown }).Id;
        if (typeof id === 'string') ctx.objects.containers.set(id, review.hostBinds);
        return value;
      },
    },
  });
};

const start: Handler = async (call) => {
  const id = await ownContainer(call);
  for (const hostPath of call.ctx.objects.containers.get(id) ?? []) call.ctx.roots.recheck(hostPath);
  return forwardTo(call, containerPath(call, id));
};

const update: Handler = async (call) => {
  const id = await ownContainer(call);
  const body = await jsonBody(call, 'container update');
  checkResources(body, 'update');
  return forwardTo(call, containerPath(call, id), { body: encode(body) });
};

const remove: Handler = async (call) => {
  const id = await ownContainer(call);
  // Anonymous volumes carry no label, so the job could never reach them again: they go with the container.
  const search = new URLSearchParams(call.search);
  search.set('v', '1');
  return forwardTo(
    call,
    containerPath(call, id),
    {
      after: (status) => {
        if (status < 300) call.ctx.objects.containers.delete(id);
      },
    },
    search,
  );
};

const execCreate: Handler = async (call) => {
  const id = await ownContainer(call);
  const body = await jsonBody(call, 'exec create');
  checkExecCreate(body);
  return forwardTo(call, containerPath(call, id), {
    body: encode(body),
    response: {
      kind: 'json',
      transform: (value) => {
        const execId = (value as JsonObject).Id;
        if (typeof execId === 'string') call.ctx.objects.rememberExec(execId, id);
        return value;
      },
    },
  });
};

/**
 * A wait: Podman 4.3 loses the exit code of a container removed as it exits (`docker run --rm`
 * always "succeeds"); the code is taken from the engine's events instead (exit-codes.ts).
 */
const wait: Handler = async (call) => {
  const id = await ownContainer(call);
  const path = containerPath(call, id);
  if (call.search.get('condition') !== 'removed') return forwardTo(call, path);
  const watch = new ExitCodeWatch(call.ctx.engine, id);
  return forwardTo(call, path, {
    cleanup: () => watch.stop(),
    response: {
      kind: 'json',
      headersFirst: true,
      transform: async (value) => {
        const answer = value as { StatusCode?: unknown; Error?: unknown };
        if (answer.StatusCode !== 0 || answer.Error) return value;
        const code = await watch.exitCode();
        return code === undefined ? value : { ...answer, StatusCode: code };
      },
    },
  });
};

const onOwnExec: Handler = async (call) => {
  const ref = target(call);
  const id = await call.ctx.objects.exec(ref, `docker exec (session ${ref})`);
  return forwardTo(call, (call.route.template ?? '').replace('{}', encodeURIComponent(id)));
};

export const CONTAINER_HANDLERS = {
  ContainerList: async (call: Call) => forwardTo(call, '/containers/json', {}, withJobFilter(call)),
  ContainerPrune: async (call: Call) => forwardTo(call, '/containers/prune', {}, withJobFilter(call)),
  ContainerCreate: create,
  ContainerInspect: onOwnContainer,
  ContainerTop: onOwnContainer,
  ContainerLogs: onOwnContainer,
  ContainerChanges: onOwnContainer,
  ContainerExport: onOwnContainer,
  ContainerStats: onOwnContainer,
  ContainerResize: onOwnContainer,
  ContainerStart: start,
  ContainerStop: onOwnContainer,
  ContainerRestart: start,
  ContainerKill: onOwnContainer,
  ContainerUpdate: update,
  ContainerRename: onOwnContainer,
  ContainerPause: onOwnContainer,
  ContainerUnpause: onOwnContainer,
  ContainerAttach: onOwnContainer,
  ContainerAttachWebsocket: onOwnContainer,
  ContainerWait: wait,
  ContainerDelete: remove,
  ContainerArchiveInfo: onOwnContainer,
  ContainerArchive: onOwnContainer,
  PutContainerArchive: onOwnContainer,
  ContainerExec: execCreate,
  ExecStart: onOwnExec,
  ExecResize: onOwnExec,
  ExecInspect: onOwnExec,
} satisfies Record<string, Handler>;
