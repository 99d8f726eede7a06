/**
 * A job on this host (`runs-on: self-hosted`): the job has the host's rights, as a self-hosted
 * runner's job does. Its steps are host processes, each in its own process group; groups that
 * still hold processes when their step ends are killed when the job ends (GitHub's runner kills
 * a job's orphans too). Paths are the host's own.
 */
import { hostEnvironment, RUNNER_NAME } from './job-env.js';
import type { JobHost, JobProcessSpec } from './job-host.js';
import { groupAlive, signalGroup, startProcess, type StartedProcess } from './processes.js';
import { findExecutable } from './shells.js';

export class HostJob implements JobHost {
  readonly environment = 'self-hosted' as const;
  readonly description = [`Runner name: '${RUNNER_NAME}' (self-hosted, this host: the job has the host's rights)`];
  readonly baseEnvironment: Record<string, string>;
  readonly node = process.execPath;
  /** Process groups of finished steps that still hold processes. */
  private readonly leftoverGroups = new Set<number>();

  /** `extraEnvironment`: dockyard's own variables (DOCKER_HOST, the runner's marker…), over the host's login variables. */
  constructor(extraEnvironment: Record<string, string>) {
    this.baseEnvironment = { ...hostEnvironment(), ...extraEnvironment };
  }

  toJob(hostPath: string): string {
    return hostPath;
  }

  toHost(jobPath: string): string {
    return jobPath;
  }

  findExecutable(name: string, path: string | undefined): Promise<string | undefined> {
    return Promise.resolve(findExecutable(name, path));
  }

  start(spec: JobProcessSpec): StartedProcess {
    const started = startProcess(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, onLine: spec.onLine });
    const done = started.done.then((result) => {
      // Only groups with survivors are remembered: an empty group's id may be reused by another job's step.
      if (started.pid !== undefined && groupAlive(started.pid)) this.leftoverGroups.add(started.pid);
      return result;
    });
    return {
      pid: started.pid,
      done,
      get killReason() {
        return started.killReason;
      },
      kill: (reason) => started.kill(reason),
    };
  }

  close(): Promise<void> {
    for (const group of this.leftoverGroups) signalGroup(group, 'SIGKILL');
    this.leftoverGroups.clear();
    return Promise.resolve();
  }
}
