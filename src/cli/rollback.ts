/**
 * `dockyard rollback --cluster C --service S [--to REVISION]`: put a service back on the task
 * definition it ran before (or a given revision of its family) with UpdateService, the way an
 * operator does it on AWS, and wait until the rolling deployment completes.
 */
import {
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { resolveDataDir } from '../cloud/config.js';
import { cloudSession } from './cloud-session.js';
import { followDeployment } from './follow-deployment.js';
import { CliError, DATA_OPTION, UsageError, parseArgsAndFlags, stringFlag, type Command } from './command.js';

const USAGE = `Usage: dockyard rollback --service S [--cluster C] [--to REVISION] [--no-wait] [--data DIR]

Rolls a service back to the previous revision of its task definition family (or --to REVISION)
with UpdateService, then follows the rolling deployment until it completes or fails, printing
the service's events and why each of its tasks that stops stopped.
  --cluster C     the cluster (default "default")
  --to REVISION   the revision number to run (default: the one below the current one)
  --no-wait       return once UpdateService is accepted`;

export const rollbackCommand: Command = {
  name: ['rollback'],
  usage: USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(
      argv,
      {
        ...DATA_OPTION,
        cluster: { type: 'string' },
        service: { type: 'string' },
        to: { type: 'string' },
        'no-wait': { type: 'boolean' },
      },
      USAGE,
      { min: 0, max: 0 },
    );
    if (!parsed) return 0;
    const service = stringFlag(parsed.flags, 'service');
    if (!service) throw new UsageError(`--service S is required\n\n${USAGE}`);
    const cluster = stringFlag(parsed.flags, 'cluster') ?? 'default';
    const dataDir = resolveDataDir(stringFlag(parsed.flags, 'data'));
    const ecs = new ECSClient(cloudSession(dataDir).aws);

    const current = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0];
    const currentArn =
      current?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? current?.taskDefinition;
    if (!current || current.status !== 'ACTIVE' || !currentArn)
      throw new CliError(`service ${service} is not ACTIVE in cluster ${cluster}`);
    const [family, revisionText] = (currentArn.split('/').pop() ?? '').split(':');
    const revision = Number(revisionText);
    const wanted = stringFlag(parsed.flags, 'to');
    const targetRevision = wanted !== undefined ? Number(wanted) : undefined;
    if (targetRevision !== undefined && (!Number.isInteger(targetRevision) || targetRevision <= 0))
      throw new UsageError(`--to takes a revision number, not ${wanted}`);
    const revisions = await activeRevisions(ecs, family ?? '');
    const target = targetRevision ?? revisions.filter((r) => r < revision).pop();
    if (target === undefined)
      throw new CliError(`${family}:${revision} is the oldest ACTIVE revision; there is nothing to roll back to`);
    if (!revisions.includes(target))
      throw new CliError(`${family}:${target} is not an ACTIVE revision (ACTIVE: ${revisions.join(', ')})`);
    if (target === revision) throw new CliError(`${service} already runs ${family}:${target}`);

    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster, service, taskDefinition: `${family}:${target}` }),
    );
    const deploymentId = updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
    process.stdout.write(
      `rolling ${cluster}/${service} back from ${family}:${revision} to ${family}:${target} (deployment ${deploymentId ?? '?'})\n`,
    );
    if (parsed.flags['no-wait']) return 0;

    const data = stringFlag(parsed.flags, 'data');
    await followDeployment(ecs, {
      cluster,
      service,
      deploymentId,
      what: 'the rollback',
      hints: { cluster, service, ...(data ? { dataFlag: ` --data ${data}` } : {}) },
    });
    process.stdout.write(`✓ ${service} runs ${family}:${target}\n`);
    return 0;
  },
};

async function activeRevisions(ecs: ECSClient, family: string): Promise<number[]> {
  const revisions: number[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', ...(nextToken ? { nextToken } : {}) }),
    );
    for (const arn of page.taskDefinitionArns ?? []) {
      const [name, rev] = (arn.split('/').pop() ?? '').split(':');
      if (name === family) revisions.push(Number(rev));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return revisions.sort((a, b) => a - b);
}
