/**
 * What a job container mounts from the host and where, and the mapping between host paths and
 * the paths the job sees. Only the job's own directory is writable; actions' code is mounted
 * read-only; nothing else of the host (the data directory, the engine's socket, other jobs) is
 * in the container.
 */
import { realpathSync } from 'node:fs';
import { posix } from 'node:path';
import type { BindMount } from './job-engine.js';

/** The job's directory as GitHub's hosted runner has it. */
export const JOB_WORK_DIR = '/home/runner/work';
/** The runner's file-command files and scripts, in RUNNER_TEMP as GitHub's runner has them. */
export const JOB_FILE_COMMANDS = '/home/runner/work/_temp/_runner_file_commands';
/** The action cache (`dockyard actions add`), where GitHub keeps downloaded actions. */
export const JOB_ACTIONS_DIR = '/home/runner/work/_actions';
/** dockyard's built-in actions and the code they run. */
export const JOB_DOCKYARD_DIR = '/opt/dockyard';
/** The step agent's program (./step-agent.ts) and its socket, in the runner's directory. */
export const JOB_STEP_AGENT = '/opt/dockyard/step-agent.js';
export const JOB_STEP_AGENT_SOCKET = '/home/runner/work/_temp/_runner_file_commands/.step-agent.sock';
/** RUNNER_TOOL_CACHE, as on GitHub's hosted images. */
export const JOB_TOOL_CACHE = '/opt/hostedtoolcache';
/** Where the job's Docker API guard is mounted. */
export const JOB_DOCKER_SOCKET = '/var/run/docker.sock';
/** The cloud's CA certificate, where update-ca-certificates picks up local CAs. */
export const JOB_CA_CERT = '/usr/local/share/ca-certificates/dockyard-ca.crt';
/** The bundle of the image's CAs and the cloud's (AWS_CA_BUNDLE, SSL_CERT_FILE, …; Node gets JOB_CA_CERT alone). */
export const JOB_CA_BUNDLE = '/etc/dockyard/ca-bundle.crt';

/** Host directories a job container needs. */
export interface JobMountSources {
  /** The job's directory (workspace, temp): read-write. */
  jobRoot: string;
  /** The runner's directory of file-command files and scripts (outside jobRoot), at RUNNER_TEMP/_runner_file_commands. */
  fileCommands: string;
  /** `dockyard actions add`'s cache. */
  actionCache: string;
  /** The built-in actions' action.yml files. */
  builtinActions: string;
  /** The package root: dist/src/actions (with dist/src/core and dist/buildx), node_modules and package.json are the built-in actions' code. */
  packageRoot: string;
  /** The guard's socket. */
  dockerSocket: string;
  /** The cloud's CA certificate. */
  caCert: string;
}

/** Host path ↔ job path, by the longest matching prefix. */
export class PathMapping {
  /** Longest host prefix first, so a nested mount wins over its parent. */
  private readonly pairs: { host: string; job: string }[];

  constructor(pairs: { host: string; job: string }[]) {
    this.pairs = [...pairs].sort((a, b) => b.host.length - a.host.length);
  }

  /** Where the job sees `hostPath`; a path outside every mount is returned as it is. */
  toJob(hostPath: string): string {
    for (const { host, job } of this.pairs) {
      if (hostPath === host) return job;
      if (hostPath.startsWith(`${host}/`)) return posix.join(job, hostPath.slice(host.length + 1));
    }
    return hostPath;
  }

  /** Where on the host `jobPath` is, when it is inside a mounted directory. */
  toHost(jobPath: string): string | undefined {
    const clean = posix.normalize(jobPath);
    const byJob = [...this.pairs].sort((a, b) => b.job.length - a.job.length);
    for (const { host, job } of byJob) {
      if (clean === job) return host;
      if (clean.startsWith(`${job}/`)) return posix.join(host, clean.slice(job.length + 1));
    }
    return undefined;
  }
}

/** The mounts of a job container and the path mapping they make. */
export function jobMounts(sources: JobMountSources): { mounts: BindMount[]; paths: PathMapping } {
  const dockyard = (relative: string) => posix.join(JOB_DOCKYARD_DIR, relative);
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  // node_modules may be a symbolic link (a worktree's): the container gets its target.
  const code: BindMount[] = [
    { hostPath: sources.builtinActions, containerPath: dockyard('builtin-actions'), readOnly: true },
    {
      hostPath: posix.join(sources.packageRoot, 'dist', 'src', 'actions'),
      containerPath: dockyard('dist/src/actions'),
      readOnly: true,
    },
    // What the actions import of dockyard: only src/core (the layer rule, eslint.config.js).
    {
      hostPath: posix.join(sources.packageRoot, 'dist', 'src', 'core'),
      containerPath: dockyard('dist/src/core'),
      readOnly: true,
    },
    // The docker actions run dockyard's buildx plugin bundle from dist/buildx (buildx-runner.ts).
    {
      hostPath: posix.join(sources.packageRoot, 'dist', 'buildx'),
      containerPath: dockyard('dist/buildx'),
      readOnly: true,
    },
    {
      hostPath: real(posix.join(sources.packageRoot, 'node_modules')),
      containerPath: dockyard('node_modules'),
      readOnly: true,
    },
    {
      hostPath: posix.join(sources.packageRoot, 'package.json'),
      containerPath: dockyard('package.json'),
      readOnly: true,
    },
    {
      hostPath: posix.join(sources.packageRoot, 'dist', 'src', 'runner', 'container', 'step-agent.js'),
      containerPath: JOB_STEP_AGENT,
      readOnly: true,
    },
  ];
  const mounts: BindMount[] = [
    { hostPath: sources.jobRoot, containerPath: JOB_WORK_DIR, readOnly: false },
    { hostPath: sources.fileCommands, containerPath: JOB_FILE_COMMANDS, readOnly: false },
    { hostPath: sources.actionCache, containerPath: JOB_ACTIONS_DIR, readOnly: true },
    ...code,
    { hostPath: sources.dockerSocket, containerPath: JOB_DOCKER_SOCKET, readOnly: false },
    { hostPath: sources.caCert, containerPath: JOB_CA_CERT, readOnly: true },
  ];
  const paths = new PathMapping([
    { host: sources.jobRoot, job: JOB_WORK_DIR },
    { host: sources.fileCommands, job: JOB_FILE_COMMANDS },
    { host: sources.actionCache, job: JOB_ACTIONS_DIR },
    { host: sources.builtinActions, job: dockyard('builtin-actions') },
    { host: posix.join(sources.packageRoot, 'dist', 'src', 'actions'), job: dockyard('dist/src/actions') },
  ]);
  return { mounts, paths };
}
