/**
 * node-app: a small HTTP service as ECS apps are really written. Its configuration comes from
 * the task definition's `secrets` (a Secrets Manager secret and an SSM parameter, injected by
 * ECS as environment variables); it calls AWS as its task role through the AWS SDK's default
 * credential chain (the container credentials endpoint) with no endpoint configuration; and it
 * reaches the worker service's task at its private IP, found through ECS.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const PORT = Number(process.env.PORT ?? '80');
const CLUSTER = process.env.CLUSTER ?? 'node-app-cluster';
const WORKER_SERVICE = process.env.WORKER_SERVICE ?? 'node-worker-service';
const WORKER_PORT = Number(process.env.WORKER_PORT ?? '8080');

/** A secret as it may be logged: its length and a short digest, never the value. */
function masked(value: string | undefined): string {
  if (value === undefined) return '(missing)';
  return `${value.length} chars, sha256 ${createHash('sha256').update(value).digest('hex').slice(0, 12)}…`;
}

async function callerArn(): Promise<string> {
  const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  return me.Arn ?? '';
}

async function parameter(name: string): Promise<string> {
  const out = await new SSMClient({}).send(new GetParameterCommand({ Name: name }));
  return out.Parameter?.Value ?? '';
}

/** The worker's private IP: its service's running task's ENI address. */
async function workerAddress(): Promise<string | undefined> {
  const ecs = new ECSClient({});
  const listed = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: WORKER_SERVICE }));
  if (!listed.taskArns?.length) return undefined;
  const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: listed.taskArns }));
  const running = described.tasks?.find((t) => t.lastStatus === 'RUNNING');
  return running?.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
}

async function askWorker(): Promise<string> {
  const ip = await workerAddress();
  if (!ip) return 'no running worker task';
  const response = await fetch(`http://${ip}:${WORKER_PORT}/`, { signal: AbortSignal.timeout(3000) });
  return `${ip}:${WORKER_PORT} answered ${response.status}: ${(await response.text()).trim()}`;
}

/** Each check as a line of the app's log and of its answer. */
async function report(): Promise<Record<string, string>> {
  const result: Record<string, string> = {
    'secret DB_PASSWORD': masked(process.env.DB_PASSWORD),
    'parameter APP_GREETING': process.env.APP_GREETING ?? '(missing)',
  };
  const checks: [string, () => Promise<string>][] = [
    ['sts:GetCallerIdentity', callerArn],
    ['ssm:GetParameter /node-app/greeting', () => parameter('/node-app/greeting')],
    ['worker', askWorker],
  ];
  for (const [name, check] of checks) {
    try {
      result[name] = await check();
    } catch (error) {
      result[name] = `failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    }
  }
  return result;
}

createServer((req, res) => {
  report()
    .then((result) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ greeting: process.env.APP_GREETING, ...result }, null, 2)}\n`);
    })
    .catch(() => {
      res.writeHead(500);
      res.end();
    });
}).listen(PORT, () => {
  console.log(`node-app listening on ${PORT}`);
  void report().then((result) => {
    for (const [name, value] of Object.entries(result)) console.log(`${name}: ${value}`);
  });
});
