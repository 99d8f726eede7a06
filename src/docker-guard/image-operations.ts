/**
 * Images: names mapped through the registry hook everywhere they appear, builds checked
 * (parameters and the context's links), and a record of what the job built, pulled and tagged,
 * so that `docker rmi` removes only the job's own images. A pull or tag counts only when it
 * changed what the name points at: pulling the shared base image does not make it the job's.
 */
import { reviewBuild } from './build-policy.js';
import { forwardTo, target, type Call, type GuardContext, type Handler } from './call.js';
import {
  imagePathSegment,
  joinTag,
  mapImageName,
  mapRegistryAuth,
  mapRegistryConfig,
  referenceKey,
} from './image-names.js';
import { forbidden } from './refusal.js';
import { BuildContextScan, escapingLink } from './tar-scan.js';

/** The name in the route's path, mapped, put back into the path. */
function mappedPath(call: Call): { name: string; path: string } {
  const name = mapImageName(target(call), call.ctx.registries);
  return { name, path: (call.route.template ?? '').replace('{}', imagePathSegment(name)) };
}

/**
 * The client's credentials headers with their registries mapped; for an image of a registry the
 * job logged in to by another name (`engineImage`), or a build, the job's login where the client
 * sent none.
 */
function authHeaders(call: Call, engineImage?: string): Record<string, string | undefined> {
  const { registries, registryLogins } = call.ctx;
  const headers: Record<string, string | undefined> = {};
  const sent = call.req.headers['x-registry-auth'];
  const auth = typeof sent === 'string' ? mapRegistryAuth(sent, registries) : undefined;
  const lent = engineImage === undefined ? auth : registryLogins.auth(auth, engineImage);
  if (lent !== undefined) headers['x-registry-auth'] = lent;
  if (call.route.operation === 'ImageBuild') {
    const config = call.req.headers['x-registry-config'];
    const mapped = typeof config === 'string' ? mapRegistryConfig(config, registries) : undefined;
    const filled = registryLogins.config(mapped);
    if (filled !== undefined) headers['x-registry-config'] = filled;
  }
  return headers;
}

async function idOf(ctx: GuardContext, name: string): Promise<string | undefined> {
  return (await ctx.objects.image(name))?.id;
}

/** Forwards with the name in the path mapped (inspect, history, save). */
const onMappedName: Handler = async (call) => forwardTo(call, mappedPath(call).path);

const create: Handler = async (call) => {
  const { ctx, search } = call;
  const out = new URLSearchParams(search);
  const fromSrc = search.get('fromSrc');
  if (fromSrc !== null && fromSrc !== '-') {
    throw forbidden(
      `docker import ${fromSrc}: importing from a URL or a path on the engine's host is not allowed in workflow jobs; send the tarball (docker import FILE)`,
    );
  }
  const fromImage = search.get('fromImage');
  const repo = search.get('repo');
  if (fromImage) out.set('fromImage', mapImageName(fromImage, ctx.registries));
  if (repo) out.set('repo', mapImageName(repo, ctx.registries));
  // The name this pull or import gives, as the job wrote it and as the engine sees it.
  const written = fromImage
    ? joinTag(fromImage, search.get('tag'))
    : repo
      ? joinTag(repo, search.get('tag'))
      : undefined;
  const engineName = written ? mapImageName(written, ctx.registries) : undefined;
  const before = engineName ? await idOf(ctx, engineName) : undefined;
  return forwardTo(
    call,
    '/images/create',
    {
      headers: authHeaders(call, engineName),
      after: async (status) => {
        if (status >= 300 || !written || !engineName) return;
        const after = await idOf(ctx, engineName);
        if (!after || after === before) return;
        ctx.objects.rememberCreatedImage(after);
        ctx.objects.rememberImageName(written, after);
      },
    },
    out,
  );
};

const push: Handler = async (call) => {
  const { name, path } = mappedPath(call);
  return forwardTo(call, path, { headers: authHeaders(call, name) });
};

const tag: Handler = async (call) => {
  const { ctx, search } = call;
  const source = mappedPath(call);
  const repo = search.get('repo') ?? '';
  const out = new URLSearchParams(search);
  if (repo) out.set('repo', mapImageName(repo, ctx.registries));
  const written = joinTag(repo, search.get('tag'));
  const engineName = mapImageName(written, ctx.registries);
  const before = repo ? await idOf(ctx, engineName) : undefined;
  return forwardTo(
    call,
    source.path,
    {
      after: async (status) => {
        if (status >= 300 || !repo) return;
        const after = await idOf(ctx, engineName);
        if (after && after !== before) ctx.objects.rememberImageName(written, after);
      },
    },
    out,
  );
};

const remove: Handler = async (call) => {
  const { ctx, search } = call;
  const written = target(call);
  const { name, path } = mappedPath(call);
  const image = await ctx.objects.image(name);
  // No such image: the engine says so in its own words.
  if (!image) return forwardTo(call, path);
  ctx.objects.checkImageRemoval(written, image);
  if (/^(1|true)$/i.test(search.get('force') ?? '')) await refuseForeignUsers(ctx, image.id, written);
  return forwardTo(call, path);
};

/** A forced removal also removes the image's containers: none of them may be someone else's. */
async function refuseForeignUsers(ctx: GuardContext, id: string, written: string): Promise<void> {
  const users = await ctx.engine.json<Array<{ Id?: string; Labels?: Record<string, string> | null }>>({
    operation: 'list containers',
    method: 'GET',
    path: '/containers/json',
    query: { all: true, filters: JSON.stringify({ ancestor: [id] }) },
  });
  const foreign = (users ?? []).filter((c) => c.Labels?.[ctx.objects.label.key] !== ctx.objects.label.value);
  if (foreign.length > 0)
    throw forbidden(`docker rmi --force ${written}: containers this job did not create use the image`);
}

const commit: Handler = async (call) => {
  const { ctx, search } = call;
  const out = new URLSearchParams(search);
  const container = search.get('container') ?? '';
  out.set('container', await ctx.objects.container(container, `docker commit ${container}`));
  const repo = search.get('repo');
  if (repo) out.set('repo', mapImageName(repo, ctx.registries));
  const written = repo ? joinTag(repo, search.get('tag')) : undefined;
  return forwardTo(
    call,
    '/commit',
    {
      response: {
        kind: 'json',
        transform: (value) => {
          const id = (value as { Id?: unknown }).Id;
          if (typeof id === 'string') {
            ctx.objects.rememberCreatedImage(id);
            if (written) ctx.objects.rememberImageName(written, id);
          }
          return value;
        },
      },
    },
    out,
  );
};

/** NAME of a build's `{"stream":"Successfully tagged NAME\n"}` progress message; undefined for any other line. */
function taggedName(line: string): string | undefined {
  if (!line.includes('Successfully tagged') || line.length > 4096) return undefined;
  try {
    const stream = (JSON.parse(line) as { stream?: unknown }).stream;
    return typeof stream === 'string' ? /^Successfully tagged (\S+)\s*$/.exec(stream)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

/** A name as the engine may spell it back: no docker.io/library/ or localhost/ prefix, `:latest` when untagged. */
function comparableName(name: string): string {
  return referenceKey(name.replace(/^(docker\.io\/library\/|docker\.io\/|localhost\/)/, ''));
}

const build: Handler = async (call) => {
  const { ctx } = call;
  const review = reviewBuild(call.search, ctx.registries);
  const engineTags = review.search.getAll('t');
  const before = new Map<string, string | undefined>();
  for (const name of engineTags) before.set(name, await idOf(ctx, name));
  const ownNames = new Set([...engineTags, ...review.tags].map(comparableName));
  const scan = new BuildContextScan();
  let built: string | undefined;
  let failed = false;
  return forwardTo(
    call,
    '/build',
    {
      headers: authHeaders(call),
      check: {
        push: (chunk) => scan.push(chunk),
        finish: async () => {
          const links = await scan.finish();
          for (const path of review.hostReadPaths) {
            const link = escapingLink(links, path);
            if (link !== undefined)
              throw forbidden(
                `build context: ${path} leads out of the context through the link ${link}; the engine would read it on its host`,
              );
          }
        },
      },
      response: {
        kind: 'lines',
        // Podman reports every name the built image has, other jobs' and clouds' too (the same
        // content builds the same image): only the build's own names reach the job.
        keep: (line) => {
          const tagged = taggedName(line);
          return tagged === undefined || ownNames.has(comparableName(tagged));
        },
        line: (line) => {
          // Docker's stream ends with {"aux":{"ID":"sha256:…"}} (Podman's too, except with -q); errors are {"errorDetail":…,"error":…}.
          if (!line.startsWith('{') || line.length > 1024 * 1024) return;
          try {
            const event = JSON.parse(line) as { aux?: { ID?: unknown }; error?: unknown; errorDetail?: unknown };
            if (typeof event.aux?.ID === 'string') built = event.aux.ID;
            if (event.error !== undefined || event.errorDetail !== undefined) failed = true;
          } catch {
            // progress text that is not JSON: nothing to learn from it
          }
        },
      },
      after: async (status) => {
        if (status >= 300 || failed) return;
        const first = engineTags[0];
        if (!built && first !== undefined) built = await idOf(ctx, first);
        if (!built) return;
        ctx.objects.rememberCreatedImage(built);
        review.tags.forEach((written, i) => {
          const engineName = engineTags[i];
          if (built && engineName !== undefined && before.get(engineName) !== built)
            ctx.objects.rememberImageName(written, built);
        });
      },
    },
    review.search,
  );
};

const getAll: Handler = async (call) => {
  const out = new URLSearchParams();
  for (const [key, value] of call.search)
    out.append(key, key === 'names' ? mapImageName(value, call.ctx.registries) : value);
  return forwardTo(call, '/images/get', {}, out);
};

export const IMAGE_HANDLERS = {
  ImageList: async (call: Call) => forwardTo(call, '/images/json'),
  ImageSearch: async (call: Call) => forwardTo(call, '/images/search'),
  ImageLoad: async (call: Call) => forwardTo(call, '/images/load'),
  ImageInspect: onMappedName,
  ImageHistory: onMappedName,
  ImageGet: onMappedName,
  DistributionInspect: async (call: Call) => {
    const { name, path } = mappedPath(call);
    return forwardTo(call, path, { headers: authHeaders(call, name) });
  },
  ImageGetAll: getAll,
  ImageCreate: create,
  ImagePush: push,
  ImageTag: tag,
  ImageDelete: remove,
  ImageCommit: commit,
  ImageBuild: build,
} satisfies Record<string, Handler>;
