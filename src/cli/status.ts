/**
 * `dockyard status`: what the local cloud is running, at a glance: where it listens, each ECS
 * service with its running/desired count, rollout state, task addresses and stable endpoint,
 * and the latest workflow runs. For a service whose tasks keep stopping: why the latest one
 * stopped, whether its deployment has stalled, and what to try. Read through the AWS APIs and
 * the control API, like any client.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { resolveDataDir } from '../cloud/config.js';
import type { RunSummary } from '../control/contract.js';
import { deploymentStall, describeStop, isAbnormalStop } from '../scheduler/failure-signals.js';
import { primaryTaskPublicIp } from '../seed/public-ip.js';
import { DATA_OPTION, parseArgsAndFlags, stringFlag, type Command } from './command.js';
import { ControlClient } from './control-client.js';
import { cloudSession } from './cloud-session.js';
import { endpointPorts, endpointUrl } from './endpoint-ports.js';
import { likelyFix } from './failure-hints.js';
import { stoppedTasks } from './service-watch.js';
import { consoleUrl } from './console.js';

const USAGE = `Usage: dockyard status [--json] [--data DIR]

Shows the running cloud: its URL, every ECS service (running/desired tasks, rollout state,
the PRIMARY task's public IP, the stable endpoint, the latest event; for tasks that stop, why
the latest one did and whether the deployment has stalled) and the latest workflow runs.`;

/** Stopped tasks of a PRIMARY deployment read for the latest stop. */
const STOPS_READ = 100;

interface ServiceStatus {
  cluster: string;
  service: string;
  status: string;
  running: number;
  desired: number;
  rollout: string;
  deployments: number;
  taskUrl?: string;
  endpoint?: string;
  lastEvent?: string;
  /** The PRIMARY deployment's latest task that stopped abnormally. */
  lastStop?: {
    taskArn: string;
    stopCode?: string;
    stoppedReason?: string;
    stoppedAt?: string;
    reachedRunning: boolean;
    containers: { name: string; exitCode?: number; reason?: string }[];
    summary: string;
  };
  /** Why the PRIMARY deployment makes no progress (failure-signals.ts), when it does not. */
  stalled?: string;
  /** What to try, when stalled. */
  hints?: string[];
}

export const statusCommand: Command = {
  name: ['status'],
  usage: USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, USAGE, { min: 0, max: 0 });
    if (!parsed) return 0;
    const dataDir = resolveDataDir(stringFlag(parsed.flags, 'data'));
    const { cloud, aws } = cloudSession(dataDir);
    const ecs = new ECSClient(aws);
    const ec2 = new EC2Client(aws);
    const described: { cluster: string; service: Service }[] = [];
    for (const clusterArn of (await ecs.send(new ListClustersCommand({}))).clusterArns ?? []) {
      const cluster = clusterArn.split('/').pop() ?? clusterArn;
      const arns = (await ecs.send(new ListServicesCommand({ cluster }))).serviceArns ?? [];
      for (let i = 0; i < arns.length; i += 10) {
        for (const service of (
          await ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }))
        ).services ?? [])
          described.push({ cluster, service });
      }
    }
    // One read of the endpoint ports for every service.
    const ports = endpointPorts(
      dataDir,
      described.map((d) => d.service.serviceArn ?? ''),
    );
    const services: ServiceStatus[] = [];
    const dataFlag = stringFlag(parsed.flags, 'data') ? ` --data ${dataDir}` : '';
    for (const { cluster, service } of described)
      services.push(await describe(ecs, ec2, cluster, service, ports.get(service.serviceArn ?? ''), dataFlag));
    const runs = await ControlClient.forDataDir(dataDir).get<RunSummary[]>('/runs?limit=5');
    if (parsed.flags.json) {
      process.stdout.write(
        `${JSON.stringify({ url: cloud.url, console: consoleUrl(cloud.url), pid: cloud.pid, accountId: cloud.accountId, region: cloud.region, services, runs }, null, 2)}\n`,
      );
      return 0;
    }
    const out: string[] = [
      `dockyard at ${cloud.url} (pid ${cloud.pid}, account ${cloud.accountId}, ${cloud.region})`,
      `console: ${consoleUrl(cloud.url)} (\`dockyard console\` prints a one-time login link)`,
      '',
    ];
    if (services.length === 0) out.push('no ECS services');
    for (const s of services) {
      const failing = s.stalled !== undefined || s.rollout === 'FAILED';
      const mark =
        s.status !== 'ACTIVE' ? '-' : failing ? '✗' : s.running === s.desired && s.deployments === 1 ? '✓' : '…';
      out.push(
        `${mark} ${s.cluster}/${s.service}  ${s.running}/${s.desired} running, ${s.deployments} deployment${s.deployments === 1 ? '' : 's'}, ${s.rollout}${s.stalled !== undefined && s.rollout !== 'FAILED' ? ' (stalled)' : ''}`,
      );
      if (s.taskUrl) out.push(`    task:     ${s.taskUrl}`);
      if (s.endpoint) out.push(`    endpoint: ${s.endpoint}`);
      if (s.lastEvent) out.push(`    ${s.lastEvent.length > 110 ? `${s.lastEvent.slice(0, 109)}…` : s.lastEvent}`);
      // The latest stop is news while the service is short of tasks or rolling out; the reason is shown whole.
      if (s.lastStop && (failing || s.running < s.desired || s.rollout !== 'COMPLETED'))
        out.push(`    last stop: ${s.lastStop.summary}`);
      if (s.stalled !== undefined) out.push(`    ${s.rollout === 'FAILED' ? 'failed' : 'stalled'}: ${s.stalled}`);
      for (const hint of s.hints ?? []) out.push(`    → ${hint}`);
    }
    out.push('', runs.length === 0 ? 'no workflow runs' : 'latest runs:');
    for (const r of runs) {
      out.push(
        `  #${r.id} ${r.status === 'completed' ? r.conclusion : r.status}  ${r.workflow} (${r.repository}, ${r.event} ${r.ref.replace(/^refs\/(heads|tags)\//, '')} ${r.sha.slice(0, 7)})`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};

async function describe(
  ecs: ECSClient,
  ec2: EC2Client,
  cluster: string,
  service: Service,
  port: number | undefined,
  dataFlag: string,
): Promise<ServiceStatus> {
  const name = service.serviceName ?? '?';
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const ip =
    service.status === 'ACTIVE' ? await primaryTaskPublicIp(ecs, ec2, cluster, name).catch(() => undefined) : undefined;
  const endpoint = port === undefined ? undefined : endpointUrl(port);
  const stops = primary?.id
    ? (await stoppedTasks(ecs, cluster, primary.id, { limit: STOPS_READ })).filter(isAbnormalStop)
    : [];
  const latest = stops.sort((a, b) => (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0)).at(-1);
  const stall = primary ? deploymentStall(primary, stops, service.events ?? []) : undefined;
  return {
    cluster,
    service: name,
    status: service.status ?? '?',
    running: service.runningCount ?? 0,
    desired: service.desiredCount ?? 0,
    rollout: primary?.rolloutState ?? '?',
    deployments: service.deployments?.length ?? 0,
    ...(ip ? { taskUrl: `http://${ip}/` } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(service.events?.[0]?.message ? { lastEvent: service.events[0].message } : {}),
    ...(latest ? { lastStop: stopView(latest) } : {}),
    ...(stall
      ? { stalled: stall.why, hints: stall.latest ? likelyFix(stall.latest, { cluster, service: name, dataFlag }) : [] }
      : {}),
  };
}

function stopView(task: Task): NonNullable<ServiceStatus['lastStop']> {
  return {
    taskArn: task.taskArn ?? '',
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(task.stoppedAt ? { stoppedAt: task.stoppedAt.toISOString() } : {}),
    reachedRunning: task.startedAt !== undefined,
    containers: (task.containers ?? []).map((c) => ({
      name: c.name ?? '',
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
    })),
    summary: describeStop(task),
  };
}
