/**
 * `dockyard endpoint --cluster C --service S`: the stable local URL of a service, like a load
 * balancer's name. Task addresses change with every deployment; this one does not.
 */
import { systemClock } from '../core/clock.js';
import { DEFAULTS, resolveDataDir } from '../cloud/config.js';
import { CloudState } from '../cloud/state.js';
import { EndpointPortPool, NetworkStore } from '../network/index.js';
import { CliError, DATA_OPTION, UsageError, parseFlags, stringFlag, type Command } from './command.js';

const USAGE = `Usage: dockyard endpoint --service S [--cluster C] [--data DIR] [--json]

Prints the stable URL of an ECS service: it routes to the service's RUNNING, healthy tasks and
drains a task before it stops, so it keeps answering through rolling deployments.
  --cluster C   the cluster (default "default")
  --service S   the service name`;

export const endpointCommand: Command = {
  name: ['endpoint'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(
      argv,
      { ...DATA_OPTION, cluster: { type: 'string' }, service: { type: 'string' }, json: { type: 'boolean' } },
      USAGE,
    );
    if (!flags) return 0;
    const service = stringFlag(flags, 'service');
    if (!service) throw new UsageError(`--service S is required\n\n${USAGE}`);
    const cluster = stringFlag(flags, 'cluster') ?? 'default';
    const state = new CloudState(
      { dataDir: resolveDataDir(stringFlag(flags, 'data')), issuer: DEFAULTS.issuer },
      systemClock,
    );
    let port: number | undefined;
    const serviceArn = `arn:aws:ecs:${state.region}:${state.accountId}:service/${cluster}/${service}`;
    try {
      port = new EndpointPortPool(new NetworkStore(state.db), { clock: systemClock }).portOf(serviceArn);
    } finally {
      state.close();
    }
    if (port === undefined)
      throw new CliError(
        `service ${service} in cluster ${cluster} has no endpoint yet (it gets one when the cloud first runs its tasks)`,
      );
    const url = `http://127.0.0.1:${port}`;
    process.stdout.write(flags.json ? `${JSON.stringify({ serviceArn, url })}\n` : `${url}\n`);
    return 0;
  },
};
