/**
 * One image build through the Docker API's build endpoint (the engine's classic builder): the
 * request's options as query parameters, the docker configuration's registry credentials as
 * X-Registry-Config (for private base images), the context as a tar stream; the engine's
 * progress is relayed line by line and its image ID read from the final `aux` message.
 * A step that fails with "exec format error" on a foreign platform is reported as what it is:
 * no emulator for that architecture on the engine's host.
 */
import type { EngineHttpClient } from '../engine/http-client.js';
import { jsonLines } from '../engine/streams.js';
import type { BuildRequest } from './build-options.js';
import type { BuildContext } from './context-tar.js';
import { allCredentials, encodeAuthHeader } from './docker-config.js';
import { formatPlatform, type Platform } from './platforms.js';

/** The engine's build progress messages. */
interface BuildMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** What one engine build needs beyond the request. */
export interface EngineBuildInput {
  request: BuildRequest;
  context: BuildContext;
  tags: string[];
  platform?: Platform;
  configDir: string;
  /** Where progress lines go (stderr, or nowhere with --quiet). */
  progress: (line: string) => void;
}

/** A build the engine refused or failed. */
export class BuildFailure extends Error {
  override readonly name = 'BuildFailure';
}

/** The message for a step that could not run a foreign platform's program. */
export function emulationMessage(platform: Platform): string {
  const arch = platform.architecture;
  return (
    `the engine cannot run ${formatPlatform(platform)} programs: its host has no emulator registered for ${arch} (binfmt_misc). ` +
    `Install Debian's qemu-user-static on the engine's host (scripts/setup-engine does, where the kernel allows binfmt_misc), or build for the host's platform`
  );
}

/** Runs one build; resolves with the image ID (`sha256:…`). */
export async function engineBuild(engine: EngineHttpClient, input: EngineBuildInput): Promise<string> {
  const { request } = input;
  const query: Record<string, string | string[] | undefined> = {
    dockerfile: input.context.dockerfile,
    t: input.tags,
    rm: '1',
    forcerm: '1',
    buildargs: JSON.stringify(request.buildArgs),
    labels: JSON.stringify(request.labels),
    target: request.target || undefined,
    platform: input.platform ? formatPlatform(input.platform) : undefined,
    nocache: request.noCache ? '1' : undefined,
    pull: request.pull ? '1' : undefined,
    networkmode: request.network || undefined,
    extrahosts: request.addHosts.length > 0 ? JSON.stringify(request.addHosts) : undefined,
    shmsize: request.shmSize === undefined ? undefined : String(request.shmSize),
    ulimits: request.ulimits.length > 0 ? JSON.stringify(request.ulimits) : undefined,
    cgroupparent: request.cgroupParent || undefined,
    ...request.resources,
  };
  const credentials = allCredentials(input.configDir);
  const headers: Record<string, string> =
    Object.keys(credentials).length > 0 ? { 'X-Registry-Config': encodeAuthHeader(credentials) } : {};
  const res = await engine.stream({
    operation: 'build',
    method: 'POST',
    path: '/build',
    query,
    body: input.context.stream,
    contentType: 'application/x-tar',
    headers,
  });
  let id: string | undefined;
  let failure: string | undefined;
  let output = '';
  for await (const raw of jsonLines(res)) {
    const message = raw as BuildMessage;
    if (message.stream) {
      output += message.stream;
      if (output.length > 64 * 1024) output = output.slice(-32 * 1024);
      for (const line of message.stream.replace(/\n$/, '').split('\n')) input.progress(line);
    }
    if (message.status) input.progress(message.status);
    if (message.error) failure = message.errorDetail?.message ?? message.error;
    if (message.aux?.ID) id = message.aux.ID;
  }
  if (failure !== undefined) {
    if (input.platform && /exec format error/i.test(`${failure}\n${output}`))
      throw new BuildFailure(emulationMessage(input.platform));
    throw new BuildFailure(failure);
  }
  if (!id) throw new BuildFailure('the engine ended the build without an image ID');
  return id;
}
