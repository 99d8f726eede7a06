/**
 * `npm run bench -- ecs`: the ECS runtime's numbers (issue 4), against real containers through
 * Podman's Docker API. The cloud runs as its own process (bench/ecs-cloud.ts) with short
 * scheduler timings (a task without a health check counts healthy once RUNNING) and the
 * runtime's default 500 ms tick; its task image is the engine tests' tiny perl HTTP server.
 *
 *   deploy      UpdateService (forceNewDeployment) → the deployment COMPLETED, as a client
 *               polling DescribeServices sees it, minus the app's own start time: the same
 *               image created, started and answering through the engine directly. n = 7.
 *   cpu at rest the cloud's CPU time per second (utime + stime from /proc) over 30 s with 50
 *               services × 2 tasks RUNNING and steady; the Podman service's beside it.
 *   requests/s  wrk (1 thread, 16 connections, 5 s, 3 rounds, paths taking turns) through the
 *               service's stable endpoint, through the task's address (its private address:
 *               the task network's, behind its security groups), its public address (127.K.x.y,
 *               DNAT'ed to the private one, or a proxy per port where the kernel does not
 *               enforce groups), and straight to the container's address; ratios to the direct path.
 *
 *   console     the web console's services page over the 50 services of "rest": its weight and
 *               time to first render in chromium (bench/console.ts); `npm run bench -- console`
 *               runs only this case.
 *
 * DOCKYARD_BENCH_CASES=deploy,rps,rest,console picks cases (default all; rps needs deploy);
 * DOCKYARD_BENCH_CPU_PROF=<dir> runs the cloud with `node --cpu-prof` writing there.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerApiEngine } from '../src/engine/docker-api.js';
import { cloudLabelFor, LABEL } from '../src/runtime/runtime.js';
import { httpGet } from '../test/engine/contract-suite.js';
import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../src/images/tiny-image.js';
import { CONTAINER_PORT, perlServer, TRUST } from '../test/runtime/support.js';
import { awsCli } from '../test/support/aws-cli.js';
import { runOk } from '../test/support/run.js';
import { median } from './cloud-process.js';
import { measureConsolePage } from './console.js';
import { waitFor } from '../test/support/wait-for.js';
import { FIXED_PORTS } from '../test/support/ports.js';

/** A plain-HTTP registry port for Podman (scripts/setup-engine) that no test uses. */
const PORT = FIXED_PORTS.bench;
const ENTRY = fileURLToPath(new URL('./ecs-cloud.js', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/dockyard', import.meta.url));
const REST_SERVICES = 50;
const REST_SECONDS = 30;
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface BenchCloud {
  child: ChildProcess;
  url: string;
}

function startBenchCloud(dataDir: string): Promise<BenchCloud> {
  return new Promise((resolve, reject) => {
    const profile = process.env.DOCKYARD_BENCH_CPU_PROF;
    const nodeArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
    const child = spawn(process.execPath, [...nodeArgs, ENTRY, dataDir, String(PORT)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /ecs bench cloud up at (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] as string });
    });
    child.once('exit', (code) => reject(new Error(`the bench cloud exited with ${code}: ${out}`)));
  });
}

async function stopBenchCloud(cloud: BenchCloud): Promise<void> {
  if (cloud.child.exitCode !== null || cloud.child.signalCode !== null) return;
  const exited = new Promise((resolve) => cloud.child.once('exit', resolve));
  cloud.child.kill('SIGTERM');
  await exited;
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** The Podman API service's pid, if it runs on this machine. */
function podmanServicePid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('podman') && cmdline.includes('system') && cmdline.includes('service'))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** wrk GET against `url`; requests per second, failing on socket errors or non-2xx answers. */
function wrk(url: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', '-c16', `-d${seconds}s`, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      if (/Non-2xx|Socket errors: connect [1-9]|read [1-9]/.test(out))
        return reject(new Error(`wrk saw errors against ${url}:\n${out}`));
      resolve(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (xs: number[], digits = 2) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

/** Runs the ECS benchmarks and prints their results. */
export async function runEcsBenchmarks(log: (line: string) => void, only?: readonly string[]): Promise<void> {
  log('ecs benchmarks');
  const engine = new DockerApiEngine();
  await engine.ping(AbortSignal.timeout(5000));
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-bench-ecs-'));
  const cloud = await startBenchCloud(dataDir);
  const localImage = `localhost:${PORT}/tiny:1`;
  try {
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
      accountId: string;
    };
    const target = { url: cloud.url, region: 'us-east-1', admin };
    const config = { endpoint: cloud.url, region: target.region, credentials: admin, maxAttempts: 1 };
    const ecs = new ECSClient(config);
    const ecr = new ECRClient(config);
    const iam = new IAMClient(config);
    const cli = async (args: string[]): Promise<string> => {
      const result = await awsCli(target, [...args, '--output', 'text']);
      if (result.status !== 0) throw new Error(`aws ${args.join(' ')}: ${result.stderr}`);
      return result.stdout.trim();
    };

    // Set-up: the tiny image in the ECR, a role that may pull it, a cluster, port 8080 open.
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tiny' }));
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
    await engine.importImage(buildTinyImageTar(), localImage, {
      changes: TINY_IMAGE_CHANGES,
      signal: AbortSignal.timeout(60_000),
    });
    await runOk('podman', ['push', '--tls-verify=false', '--creds', token, localImage]);
    await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: TRUST }));
    const pull = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'ecr:GetAuthorizationToken',
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchCheckLayerAvailability',
          ],
          Resource: '*',
        },
      ],
    };
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'exec', PolicyName: 'pull', PolicyDocument: JSON.stringify(pull) }),
    );
    await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
    const group = await cli([
      'ec2',
      'describe-security-groups',
      '--query',
      "SecurityGroups[?GroupName=='default'].GroupId",
    ]);
    const subnet = await cli(['ec2', 'describe-subnets', '--query', 'Subnets[0].SubnetId']);
    await cli([
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      group,
      '--protocol',
      'tcp',
      '--port',
      String(CONTAINER_PORT),
      '--cidr',
      '0.0.0.0/0',
    ]);
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${admin.accountId}:role/exec`,
        containerDefinitions: [
          {
            name: 'web',
            image: `${admin.accountId}.dkr.ecr.us-east-1.amazonaws.com/tiny:1`,
            entryPoint: ['/bin/perl'],
            command: perlServer(CONTAINER_PORT),
            portMappings: [{ containerPort: CONTAINER_PORT }],
            stopTimeout: 2,
            essential: true,
          },
        ],
      }),
    );
    const taskDefinition = registered.taskDefinition?.taskDefinitionArn ?? '';
    const network = {
      awsvpcConfiguration: { subnets: [subnet], securityGroups: [group], assignPublicIp: 'ENABLED' as const },
    };
    const describe = async (names: string[]): Promise<Service[]> =>
      (await ecs.send(new DescribeServicesCommand({ cluster: 'bench', services: names }))).services ?? [];
    const isSteady = (s: Service | undefined, count: number): boolean =>
      s?.deployments?.length === 1 && s.runningCount === count && s.deployments[0]?.rolloutState === 'COMPLETED';

    const cases = new Set(only ?? (process.env.DOCKYARD_BENCH_CASES ?? 'deploy,rps,rest,console').split(','));
    if (cases.has('deploy') || cases.has('rps')) {
      // Deploy time, then requests per second through the same service's single task.
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'bench',
          serviceName: 'deploy',
          taskDefinition,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: network,
        }),
      );
      await waitFor(
        'service deploy steady',
        async () => (isSteady((await describe(['deploy']))[0], 1) ? true : undefined),
        { timeoutMs: 120_000 },
      );
      if (cases.has('deploy')) {
        const direct: number[] = [];
        for (let i = 0; i < 7; i++) {
          const began = performance.now();
          const id = await engine.createContainer({
            name: `dockyard-bench-direct-${process.pid}-${i}`,
            image: localImage,
            entrypoint: ['/bin/perl'],
            command: perlServer(CONTAINER_PORT),
            init: true,
            ports: [{ containerPort: CONTAINER_PORT, protocol: 'tcp', hostIp: '127.0.0.1' }],
          });
          try {
            await engine.startContainer(id);
            const hostPort = (await engine.inspectContainer(id)).ports[0]?.hostPort ?? 0;
            await waitFor('the direct container to answer', () => httpGet('127.0.0.1', hostPort), {
              timeoutMs: 20_000,
            });
            direct.push((performance.now() - began) / 1000);
          } finally {
            await engine.removeContainer(id, { force: true });
          }
        }
        const deployClient: number[] = [];
        const deployServer: number[] = [];
        for (let i = 0; i < 7; i++) {
          const before = (await describe(['deploy']))[0]?.deployments?.[0]?.id;
          const began = performance.now();
          await ecs.send(new UpdateServiceCommand({ cluster: 'bench', service: 'deploy', forceNewDeployment: true }));
          const done = await waitFor(
            'the deployment to complete',
            async () => {
              const s = (await describe(['deploy']))[0];
              return isSteady(s, 1) && s?.deployments?.[0]?.id !== before ? s : undefined;
            },
            { timeoutMs: 60_000 },
          );
          deployClient.push((performance.now() - began) / 1000);
          const d = done.deployments?.[0];
          if (d?.createdAt && d.updatedAt) deployServer.push((d.updatedAt.getTime() - d.createdAt.getTime()) / 1000);
        }
        const overhead = deployClient.map((t) => t - median(direct));
        log(
          `deploy: UpdateService → COMPLETED (client view) median ${fmt(deployClient)} s; deployment createdAt → updatedAt ${fmt(deployServer)} s; the app's own start (create + start + first answer, engine direct) ${fmt(direct)} s; difference ${fmt(overhead)} s (n = 7; aim < 2 s)`,
        );
      }
      if (cases.has('rps')) {
        const endpointUrl = (
          await runOk(process.execPath, [
            BIN,
            'endpoint',
            '--cluster',
            'bench',
            '--service',
            'deploy',
            '--data',
            dataDir,
          ])
        ).stdout.trim();
        const taskArn =
          (await ecs.send(new ListTasksCommand({ cluster: 'bench', serviceName: 'deploy', desiredStatus: 'RUNNING' })))
            .taskArns?.[0] ?? '';
        const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: [taskArn] }))).tasks?.[0];
        const taskAddress = task?.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '';
        const containerIp = (await engine.inspectContainer(task?.containers?.[0]?.runtimeId ?? '')).ipAddress ?? '';
        const eniId = task?.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value ?? '';
        const eni = (
          await new EC2Client(config).send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))
        ).NetworkInterfaces?.[0];
        const publicAddress = eni?.Association?.PublicIp ?? taskAddress;
        const paths = {
          direct: `http://${containerIp}:${CONTAINER_PORT}/`,
          task: `http://${taskAddress}:${CONTAINER_PORT}/`,
          public: `http://${publicAddress}:${CONTAINER_PORT}/`,
          endpoint: `${endpointUrl}/`,
        };
        const rates: Record<keyof typeof paths, number[]> = { direct: [], task: [], public: [], endpoint: [] };
        const order: (keyof typeof paths)[] = ['direct', 'task', 'public', 'endpoint'];
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < order.length; i++) {
            const path = order[(round + i) % order.length] as keyof typeof paths;
            rates[path].push(await wrk(paths[path], 5));
          }
        }
        const ratio = (path: keyof typeof paths) => (median(rates[path]) / median(rates.direct)).toFixed(2);
        log(
          `requests/s (wrk -t1 -c16, 3 × 5 s, perl server answering Connection: close): direct to the container ${fmt(rates.direct, 0)}; task address ${fmt(rates.task, 0)} (ratio ${ratio('task')}); public address ${fmt(rates.public, 0)} (ratio ${ratio('public')}); stable endpoint ${fmt(rates.endpoint, 0)} (ratio ${ratio('endpoint')})`,
        );
      }
      await ecs.send(new DeleteServiceCommand({ cluster: 'bench', service: 'deploy', force: true }));
    }
    if (cases.has('rest') || cases.has('console')) {
      // CPU at rest: 50 services × 2 tasks; the console's services page over them.
      const names = Array.from({ length: REST_SERVICES }, (_, i) => `rest-${i}`);
      const startedAt = performance.now();
      for (const serviceName of names) {
        await ecs.send(
          new CreateServiceCommand({
            cluster: 'bench',
            serviceName,
            taskDefinition,
            desiredCount: 2,
            launchType: 'FARGATE',
            networkConfiguration: network,
          }),
        );
      }
      await waitFor(
        '50 services steady',
        async () => {
          for (let i = 0; i < names.length; i += 10) {
            const batch = await describe(names.slice(i, i + 10));
            if (!batch.every((s) => isSteady(s, 2))) return undefined;
          }
          return true;
        },
        { timeoutMs: 600_000 },
      );
      const rampSeconds = (performance.now() - startedAt) / 1000;
      if (cases.has('console')) await measureConsolePage(log, cloud.url, admin, REST_SERVICES);
      if (cases.has('rest')) {
        const containers = (await engine.listContainers({ labels: { [LABEL.cloud]: cloudLabelFor(dataDir) } })).length;
        await sleep(5000);
        const pid = cloud.child.pid ?? 0;
        const podman = podmanServicePid();
        const load = loadavg()[0] ?? 0;
        const cpu0 = cpuMs(pid);
        const podman0 = podman ? cpuMs(podman) : 0;
        const t0 = performance.now();
        await sleep(REST_SECONDS * 1000);
        const elapsed = (performance.now() - t0) / 1000;
        const cloudCpu = (cpuMs(pid) - cpu0) / elapsed;
        const podmanCpu = podman ? (cpuMs(podman) - podman0) / elapsed : NaN;
        const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
        log(
          `cpu at rest: ${REST_SERVICES} services × 2 tasks (${containers} containers, steady after ${rampSeconds.toFixed(0)} s): the cloud ${cloudCpu.toFixed(1)} ms CPU per s (${(cloudCpu / 10).toFixed(2)} % of a core) over ${elapsed.toFixed(0)} s, RSS ${rss.toFixed(0)} MB; Podman's service ${podmanCpu.toFixed(1)} ms/s; load average ${load.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}`,
        );
      }
      for (const serviceName of names)
        await ecs.send(new DeleteServiceCommand({ cluster: 'bench', service: serviceName, force: true }));
      await waitFor(
        'the services to be gone',
        async () =>
          (await ecs.send(new ListTasksCommand({ cluster: 'bench' }))).taskArns?.length === 0 ? true : undefined,
        { timeoutMs: 300_000 },
      );
    }
  } finally {
    await stopBenchCloud(cloud);
    for (const c of await engine.listContainers({ labels: { [LABEL.cloud]: cloudLabelFor(dataDir) } }))
      await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
    await engine.removeImage(localImage, { force: true }).catch(() => undefined);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
