/**
 * A job in its own fresh container (a JobHost): steps are engine exec sessions in it, paths are
 * GitHub's hosted runner's, and the container, with everything the job started through its
 * Docker socket, is removed when the job ends.
 *
 * Paths inside (GitHub's hosted layout): the job's directory is /home/runner/work (workspace
 * /home/runner/work/<repo>/<repo>, RUNNER_TEMP /home/runner/work/_temp), the action cache
 * /home/runner/work/_actions (read-only), dockyard's built-in actions and their code under
 * /opt/dockyard (read-only), RUNNER_TOOL_CACHE /opt/hostedtoolcache (the container's own), the
 * job's Docker API guard at /var/run/docker.sock.
 */
import type { Json } from '../../workflow/contract.js';
import { errorMessage } from '../../core/errors.js';
import type { JobHost, JobProcessSpec } from '../job-host.js';
import type { StartedProcess } from '../processes.js';
import type { StepAgentClient } from './agent-client.js';
import { startExecProcess } from './exec-process.js';
import type { JobEngine } from './job-engine.js';
import type { PathMapping } from './job-mounts.js';

/** The variables every step in a container gets beyond the image's. */
export interface ContainerJobParts {
  engine: JobEngine;
  containerId: string;
  image: string;
  description: string[];
  /** The image's environment (with the engine's additions) and dockyard's own. */
  baseEnvironment: Record<string, string>;
  paths: PathMapping;
  toolCache: string;
  /** Executables found at set-up: `name\npath` → absolute path or ''. */
  found: Map<string, string>;
  /** Releases everything (the guard, the container, the guard's directory). */
  release(): Promise<void>;
  /** `job.services`: id, network and port mappings by service key. */
  services: Record<string, Json>;
  /** The step agent in the container (the runner image); without it, steps are engine exec sessions. */
  agent: StepAgentClient | undefined;
}

export class ContainerJob implements JobHost {
  readonly environment = 'github-hosted' as const;
  readonly node = 'node';
  readonly description: string[];
  readonly baseEnvironment: Record<string, string>;
  readonly toolCache: string;
  readonly services: Record<string, Json>;
  private closing: Promise<void> | undefined;

  constructor(private readonly parts: ContainerJobParts) {
    this.description = parts.description;
    this.baseEnvironment = parts.baseEnvironment;
    this.toolCache = parts.toolCache;
    this.services = parts.services;
  }

  toJob(hostPath: string): string {
    return this.parts.paths.toJob(hostPath);
  }

  toHost(jobPath: string): string | undefined {
    return this.parts.paths.toHost(jobPath);
  }

  async findExecutable(name: string, path: string | undefined): Promise<string | undefined> {
    const key = `${name}\n${path ?? ''}`;
    let found = this.parts.found.get(key);
    if (found === undefined) {
      found = await this.lookUp(name, path);
      this.parts.found.set(key, found);
    }
    return found === '' ? undefined : found;
  }

  start(spec: JobProcessSpec): StartedProcess {
    const agent = this.parts.agent;
    if (agent === undefined)
      return startExecProcess(this.parts.engine, this.parts.containerId, spec, (message) => spawnError(message, spec));
    const started = agent.start(spec);
    const done = started.done.then((result) =>
      result.spawnError === undefined ? result : { ...result, spawnError: spawnError(result.spawnError.message, spec) },
    );
    return {
      pid: undefined,
      done,
      get killReason() {
        return started.killReason;
      },
      kill: (reason) => started.kill(reason),
    };
  }

  close(): Promise<void> {
    this.closing ??= this.parts.release();
    return this.closing;
  }

  /** `command -v` in the container, with the step's PATH. */
  private async lookUp(name: string, path: string | undefined): Promise<string> {
    if (name.startsWith('/')) path = undefined;
    let output = '';
    const process = this.start({
      file: 'sh',
      args: ['-c', 'command -v "$1" || true', 'sh', name],
      cwd: '/',
      env: { ...this.baseEnvironment, ...(path === undefined ? {} : { PATH: path }) },
      onLine: (line, stream) => {
        if (stream === 'stdout') output += line;
      },
    });
    const result = await process.done;
    if (result.spawnError !== undefined)
      throw new Error(`Looking up ${name} in the job's container failed: ${errorMessage(result.spawnError)}`);
    return output.startsWith('/') ? output.trim() : '';
  }
}

/** An engine's refusal to start a step's process, in the runner's words. */
function spawnError(engineMessage: string, spec: JobProcessSpec): Error {
  if (
    /executable file not found|no such file or directory.*exec|not found in \$PATH|^spawn \S+ ENOENT/i.test(
      engineMessage,
    ) &&
    !/chdir/i.test(engineMessage)
  ) {
    return new Error(
      `Unable to locate executable file: ${spec.file}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`,
    );
  }
  if (/chdir|working directory|workdir/i.test(engineMessage)) {
    return new Error(
      `An error occurred trying to start process '${spec.file}' with working directory '${spec.cwd}'. No such file or directory`,
    );
  }
  return new Error(`The job's container could not start '${spec.file}': ${engineMessage}`);
}
