/**
 * Where a job's processes run: this host (`runs-on: self-hosted`, ./host-job.ts) or a fresh
 * container of a runner image (./container/container-job.ts). The runner itself always works
 * with host paths (it writes scripts and file-command files, reads what steps wrote, resolves
 * actions); a JobHost says where the job sees each of them and starts processes there. As in
 * nektos/act, host and container environments implement one interface.
 */
import type { Json } from '../workflow/contract.js';
import type { RunnerEnvironment } from './job-env.js';
import type { StartedProcess } from './processes.js';

/** A process to start, with every path as the job sees it. */
export interface JobProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
}

export interface JobHost {
  /** `github-hosted` for a job container (it stands in for GitHub's fresh VM), `self-hosted` for this host. */
  readonly environment: RunnerEnvironment;
  /** The first line of "Set up job" after the runner's name, e.g. `Image: localhost/dockyard/runner:…`. */
  readonly description: string[];
  /** The environment under the workflow's: the image's (container) or the host's login variables, with dockyard's own. */
  readonly baseEnvironment: Record<string, string>;
  /** RUNNER_TOOL_CACHE when it is no host directory (a job container's own /opt/hostedtoolcache). */
  readonly toolCache?: string;
  /** `job.services` (a container job's service containers). */
  readonly services?: Record<string, Json>;
  /** The executable JavaScript actions run with. */
  readonly node: string;
  /** Where the job sees a host path (one of the job's directories or the actions'). */
  toJob(hostPath: string): string;
  /** Where on the host a path the job names is, when it is in one of the job's directories. */
  toHost(jobPath: string): string | undefined;
  /** Finds an executable on `path` as the job would (undefined when absent). */
  findExecutable(name: string, path: string | undefined): Promise<string | undefined>;
  /** Starts a step's process (see processes.ts for what `kill` does). */
  start(spec: JobProcessSpec): StartedProcess;
  /** Ends whatever the job's steps left running and releases the job's resources. Never throws. */
  close(): Promise<void>;
}
