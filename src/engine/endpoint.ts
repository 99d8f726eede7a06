/**
 * Where the container engine listens. An explicit endpoint wins; else `DOCKER_HOST`
 * (`unix://…` or `tcp://host:port`, plain HTTP only); else the first socket that exists of
 * Podman's root socket, Docker's socket and the rootless Podman socket under XDG_RUNTIME_DIR.
 */
import { existsSync } from 'node:fs';
import { EngineError } from './errors.js';

/** A socket the Docker Engine API answers on. */
export type EngineEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

/** Parses `unix:///path`, `tcp://host:port`, `http://host:port` or a bare socket path. */
export function parseEndpoint(value: string): EngineEndpoint {
  const unsupported = (why: string) =>
    new EngineError({
      operation: 'connect',
      status: 0,
      code: 'Unsupported',
      engineMessage: '',
      message: `container engine endpoint ${value}: ${why}`,
    });
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value };
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw unsupported('a unix socket path must be absolute');
    return { kind: 'unix', socketPath };
  }
  if (value.startsWith('tcp://') || value.startsWith('http://')) {
    const url = new URL(value.replace(/^tcp:/, 'http:'));
    const port = url.port === '' ? 2375 : Number(url.port);
    return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  }
  throw unsupported('only unix:// and plain tcp:// endpoints are supported (no TLS, ssh or npipe)');
}

/** Renders an endpoint the way DOCKER_HOST spells it, for messages. */
export function formatEndpoint(endpoint: EngineEndpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}

/** Inputs of {@link discoverEndpoint}; `exists` is injectable for tests. */
export interface DiscoveryInput {
  explicit?: string;
  env?: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
}

/** The candidate sockets, in the order they are tried when DOCKER_HOST is not set. */
export function candidateSockets(env: NodeJS.ProcessEnv): string[] {
  const candidates = ['/run/podman/podman.sock', '/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) candidates.push(`${env.XDG_RUNTIME_DIR}/podman/podman.sock`);
  return candidates;
}

/** Finds the engine endpoint; throws `Unavailable` naming every place it looked. */
export function discoverEndpoint(input: DiscoveryInput = {}): EngineEndpoint {
  const env = input.env ?? process.env;
  const exists = input.exists ?? existsSync;
  if (input.explicit) return parseEndpoint(input.explicit);
  if (env.DOCKER_HOST) {
    if (env.DOCKER_TLS_VERIFY) {
      throw new EngineError({
        operation: 'connect',
        status: 0,
        code: 'Unsupported',
        engineMessage: '',
        message: 'DOCKER_TLS_VERIFY is set: TLS engine endpoints are not supported',
      });
    }
    return parseEndpoint(env.DOCKER_HOST);
  }
  const candidates = candidateSockets(env);
  const found = candidates.find((path) => exists(path));
  if (found) return { kind: 'unix', socketPath: found };
  throw new EngineError({
    operation: 'connect',
    status: 0,
    code: 'Unavailable',
    engineMessage: '',
    message: `no container engine found: DOCKER_HOST is not set and none of ${candidates.join(', ')} exists (run scripts/setup-engine, or start Docker)`,
  });
}
