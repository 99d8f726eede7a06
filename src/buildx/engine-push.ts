/**
 * Pushing an image the engine holds, as `docker push` does: the Docker API's push with the
 * registry's credentials (X-Registry-Auth), progress relayed, and the pushed manifest's digest
 * read from the stream (Docker's `aux` message, or Podman's `TAG: digest: sha256:… size: N`
 * status line).
 */
import type { EngineHttpClient } from '../engine/http-client.js';
import { jsonLines } from '../engine/streams.js';
import { credentialFor, encodeAuthHeader } from './docker-config.js';
import { parseReference, repositoryName } from './reference.js';

interface PushMessage {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/** Pushes `name` (with its tag); resolves with the digest the registry stored. */
export async function enginePush(
  engine: EngineHttpClient,
  name: string,
  configDir: string,
  progress: (line: string) => void,
): Promise<string> {
  const ref = parseReference(name);
  const tag = ref.tag ?? 'latest';
  const credential = credentialFor(configDir, ref.host);
  const repository = name.slice(0, name.length - (ref.tag === undefined ? 0 : ref.tag.length + 1));
  const res = await engine.stream({
    operation: 'push',
    method: 'POST',
    path: `/images/${encodeURI(repository)}/push`,
    query: { tag },
    headers: { 'X-Registry-Auth': encodeAuthHeader(credential ?? {}) },
  });
  let digest: string | undefined;
  let failure: string | undefined;
  for await (const raw of jsonLines(res)) {
    const message = raw as PushMessage;
    if (message.error) failure = message.errorDetail?.message ?? message.error;
    if (message.aux?.Digest) digest = message.aux.Digest;
    if (message.status) {
      const match = /digest: (sha256:[a-f0-9]{64})/.exec(message.status);
      if (match) digest = match[1];
      progress(message.id ? `${message.id}: ${message.status}` : message.status);
    }
  }
  if (failure !== undefined) throw new Error(`failed to push ${repositoryName(ref)}:${tag}: ${failure}`);
  if (!digest) throw new Error(`failed to push ${repositoryName(ref)}:${tag}: the engine reported no digest`);
  return digest;
}

/** Gives image `id` the name `name` (the engine's tag endpoint). */
export async function engineTag(engine: EngineHttpClient, id: string, name: string): Promise<void> {
  const ref = parseReference(name);
  const repository = name.slice(0, name.length - (ref.tag === undefined ? 0 : ref.tag.length + 1));
  await engine.text({
    operation: 'tag',
    method: 'POST',
    path: `/images/${encodeURIComponent(id)}/tag`,
    query: { repo: repository, tag: ref.tag ?? 'latest' },
  });
}

/** Removes a name (and the image, when it was the last name and nothing uses it). */
export async function engineUntag(engine: EngineHttpClient, name: string): Promise<void> {
  await engine
    .text({ operation: 'remove image', method: 'DELETE', path: `/images/${encodeURI(name)}`, query: { noprune: '0' } })
    .catch(() => undefined);
}

/** The image's engine-side size and digest-related facts the metadata file reports. */
export async function inspectImage(
  engine: EngineHttpClient,
  id: string,
): Promise<{ id: string; repoDigests: string[] }> {
  const info = await engine.json<{ Id?: string; RepoDigests?: string[] }>({
    operation: 'inspect image',
    method: 'GET',
    path: `/images/${encodeURIComponent(id)}/json`,
  });
  return {
    id: info?.Id?.startsWith('sha256:') ? info.Id : `sha256:${info?.Id ?? ''}`,
    repoDigests: info?.RepoDigests ?? [],
  };
}
