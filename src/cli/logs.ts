/**
 * `dockyard logs --cluster C --service S [--follow]`: a service's container output, as the
 * awslogs driver put it into CloudWatch Logs: the log group and stream prefix come from the
 * task definition of each of the service's tasks, the streams are `prefix/container/task-id`
 * as AWS names them, and events are read with FilterLogEvents, like `aws logs tail`.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { resolveDataDir } from '../cloud/config.js';
import { cloudSession } from './cloud-session.js';
import { CliError, DATA_OPTION, UsageError, parseArgsAndFlags, stringFlag, type Command } from './command.js';

const USAGE = `Usage: dockyard logs --service S [--cluster C] [--since DURATION] [--follow] [--data DIR]

Prints the output of a service's containers from CloudWatch Logs (tasks whose task definition
uses the awslogs driver), oldest first, each line prefixed with its time and task.
  --cluster C        the cluster (default "default")
  --since DURATION   how far back: 30s, 10m, 2h, 1d (default 10m)
  --follow           keep printing new lines until Ctrl-C`;

interface Source {
  group: string;
  stream: string;
  task: string;
}

export const logsCommand: Command = {
  name: ['logs'],
  usage: USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(
      argv,
      {
        ...DATA_OPTION,
        cluster: { type: 'string' },
        service: { type: 'string' },
        since: { type: 'string' },
        follow: { type: 'boolean', short: 'f' },
      },
      USAGE,
      { min: 0, max: 0 },
    );
    if (!parsed) return 0;
    const service = stringFlag(parsed.flags, 'service');
    if (!service) throw new UsageError(`--service S is required\n\n${USAGE}`);
    const cluster = stringFlag(parsed.flags, 'cluster') ?? 'default';
    const since = parseDuration(stringFlag(parsed.flags, 'since') ?? '10m');
    const dataDir = resolveDataDir(stringFlag(parsed.flags, 'data'));
    const { aws } = cloudSession(dataDir);
    const ecs = new ECSClient(aws);
    const logs = new CloudWatchLogsClient(aws);

    const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    if (!described.services?.length)
      throw new CliError(
        `service ${service} not found in cluster ${cluster}${described.failures?.[0]?.reason ? ` (${described.failures[0].reason})` : ''}`,
      );

    let stop = false;
    process.once('SIGINT', () => (stop = true));
    let startTime = Date.now() - since;
    const seen = new Set<string>();
    for (;;) {
      const sources = await sourcesOf(ecs, cluster, service);
      if (sources.length === 0 && !parsed.flags.follow) {
        process.stderr.write(
          `no task of ${service} sends its output to CloudWatch Logs (the awslogs driver in its task definition)\n`,
        );
        return 0;
      }
      const lastTime = await printEvents(logs, sources, startTime, seen);
      if (!parsed.flags.follow || stop) return 0;
      // Overlap by a second: events can arrive with slightly older timestamps; `seen` drops repeats.
      startTime = Math.max(startTime, lastTime - 1000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (stop) return 0;
    }
  },
};

/** The log group and stream of every container of the service's tasks that uses awslogs. */
async function sourcesOf(ecs: ECSClient, cluster: string, service: string): Promise<Source[]> {
  const arns = [
    ...((await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }))).taskArns ??
      []),
    ...((await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED' }))).taskArns ??
      []),
  ];
  const sources: Source[] = [];
  const definitions = new Map<string, Awaited<ReturnType<typeof describeDefinition>>>();
  for (let i = 0; i < arns.length; i += 100) {
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? [];
    for (const task of tasks) {
      const arn = task.taskDefinitionArn;
      if (!arn) continue;
      if (!definitions.has(arn)) definitions.set(arn, await describeDefinition(ecs, arn));
      const id = task.taskArn?.split('/').pop() ?? '';
      for (const container of definitions.get(arn) ?? []) {
        const options =
          container.logConfiguration?.logDriver === 'awslogs' ? container.logConfiguration.options : undefined;
        const group = options?.['awslogs-group'];
        const prefix = options?.['awslogs-stream-prefix'];
        if (group && prefix && container.name)
          sources.push({ group, stream: `${prefix}/${container.name}/${id}`, task: id });
      }
    }
  }
  return sources;
}

async function describeDefinition(ecs: ECSClient, arn: string) {
  return (
    (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition?.containerDefinitions ??
    []
  );
}

/** Prints the events since `startTime` not printed yet, oldest first; returns the newest timestamp. */
async function printEvents(
  logs: CloudWatchLogsClient,
  sources: Source[],
  startTime: number,
  seen: Set<string>,
): Promise<number> {
  const byGroup = new Map<string, Source[]>();
  for (const s of sources) byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s]);
  const events: { time: number; task: string; message: string; id: string }[] = [];
  for (const [group, list] of byGroup) {
    const taskOf = new Map(list.map((s) => [s.stream, s.task]));
    // FilterLogEvents takes at most 100 stream names per call.
    for (let i = 0; i < list.length; i += 100) {
      let nextToken: string | undefined;
      do {
        const page = await logs
          .send(
            new FilterLogEventsCommand({
              logGroupName: group,
              logStreamNames: list.slice(i, i + 100).map((s) => s.stream),
              startTime,
              ...(nextToken ? { nextToken } : {}),
            }),
          )
          .catch((error: { name?: string }) => {
            // A task that has not written yet has no stream; its group may not exist yet either.
            if (error.name === 'ResourceNotFoundException') return { events: [], nextToken: undefined };
            throw error;
          });
        for (const e of page.events ?? []) {
          const id = e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`;
          events.push({
            time: e.timestamp ?? 0,
            task: taskOf.get(e.logStreamName ?? '') ?? '?',
            message: e.message ?? '',
            id,
          });
        }
        nextToken = page.nextToken;
      } while (nextToken);
    }
  }
  events.sort((a, b) => a.time - b.time);
  let newest = startTime;
  for (const e of events) {
    newest = Math.max(newest, e.time);
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    process.stdout.write(
      `${new Date(e.time).toISOString().slice(11, 23)} ${e.task.slice(0, 8)} ${e.message.replace(/\n$/, '')}\n`,
    );
  }
  return newest;
}

function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new UsageError(`--since takes a duration like 30s, 10m, 2h or 1d, not ${text}`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
