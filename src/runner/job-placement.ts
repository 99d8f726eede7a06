/**
 * Where a job runs, started: its `runs-on` resolved to this host or a runner image, its
 * `container:` and `services:` read, and the JobHost made (for a container, the image ensured and
 * the container started, its set-up written to the job's log under "Set up job").
 */
import { makePrivateDir } from '../store/private-files.js';
import type { Scope } from '../workflow/contract.js';
import { evaluateToken } from '../workflow/index.js';
import { readJobContainer, readServices } from './container/job-services.js';
import { HostJob } from './host-job.js';
import type { JobPaths } from './job-env.js';
import type { JobHost } from './job-host.js';
import type { JobLog } from './job-log.js';
import type { JobInstance, RunEnvironment } from './job-runner.js';

/** The scope `container:` and `services:` are evaluated in: the job's matrix, needs, vars, inputs (GitHub's contexts for them). */
function placementScope(instance: JobInstance, env: RunEnvironment): Scope {
  return {
    contexts: {
      matrix: instance.matrix ?? {},
      needs: instance.needs,
      strategy: instance.strategy,
      vars: env.vars,
      inputs: env.inputs,
      github: { repository: env.run.repository, ref: env.run.ref, sha: env.run.sha, event_name: env.run.event },
    },
    state: { status: 'success' },
  };
}

/** Starts where the job runs; throws (the job fails) when no runner can take it. */
export async function startJobHost(
  env: RunEnvironment,
  instance: JobInstance,
  job: { paths: JobPaths; log: JobLog; signal: AbortSignal },
): Promise<JobHost> {
  const placement = env.placement(instance.runsOn);
  if (placement.kind === 'unknown') throw new Error(placement.message);
  const scope = placementScope(instance, env);
  const container = readJobContainer(
    instance.job.container === undefined ? undefined : evaluateToken(instance.job.container, scope),
  );
  const services = readServices(
    instance.job.services === undefined ? undefined : evaluateToken(instance.job.services, scope),
  );
  if (placement.kind === 'host') {
    if (container !== undefined || services.length > 0)
      throw new Error(
        `container: and services: need a job container; runs-on: ${placement.labels.join(', ')} runs this job on this host.`,
      );
    // Shared by this host's jobs, as a self-hosted runner's tool cache is.
    makePrivateDir(job.paths.toolCache);
    const host = new HostJob(env.jobEnv);
    for (const line of host.description) job.log.write(line);
    return host;
  }
  if (env.containers === undefined) {
    throw new Error(
      `This job runs in a container of ${placement.image} (runs-on: ${placement.labels.join(', ')}), but this cloud has no container engine for jobs; \`runs-on: self-hosted\` runs a job on this host.`,
    );
  }
  return env.containers.start({
    image: placement.image,
    ...(container === undefined ? {} : { container }),
    services,
    job: { runId: env.run.id, jobId: instance.jobId, dirName: instance.dirName },
    paths: job.paths,
    log: (line) => job.log.write(line),
    signal: job.signal,
  });
}

/** The job's directories as it sees them. */
export function jobView(host: JobHost, paths: JobPaths): JobPaths {
  return {
    root: host.toJob(paths.root),
    workspace: host.toJob(paths.workspace),
    temp: host.toJob(paths.temp),
    fileCommands: host.toJob(paths.fileCommands),
    toolCache: host.toolCache ?? host.toJob(paths.toolCache),
    dockerConfig: host.toJob(paths.dockerConfig),
    eventPath: host.toJob(paths.eventPath),
  };
}
