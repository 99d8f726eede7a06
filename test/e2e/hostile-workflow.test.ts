/**
 * Issue 9's acceptance for hostile workflow files: `dockyard up` runs as a real child process
 * with a service answering through its stable endpoint; a push carries a workflow of 10 nested
 * levels of 10 YAML aliases (~700 bytes, 10^10 nodes once expanded), which used to hold the
 * cloud at 100 % CPU until kill -9. The run of that file fails with GitHub's annotation naming
 * the file and the limit; every 50 ms, from before the push to after the next one, the health
 * endpoint answers within 100 ms and a signed AWS API call and the service's endpoint answer;
 * and the next push, without the file, runs green.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { httpGet, waitFor } from '../engine/contract-suite.js';
import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../engine/tiny-image.js';
import { CONTAINER_PORT, perlServer, TRUST } from '../runtime/support.js';
import { awsCli } from '../support/aws-cli.js';
import { dockyard, DOCKYARD_BIN, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';
import { aliasBomb } from '../workflow/hostile.js';

const PORT = 45674;
const BOMB = '.github/workflows/bomb.yml';

interface ProbeReport {
  samples: number;
  worstMs: number;
  failures: string[];
}

/**
 * Calls `check` every `everyMs` until stopped: how many answered, the slowest, and what failed.
 * The first call is not counted: it pays for the client's own start (a connection, code loading).
 */
async function probe(check: () => Promise<string | undefined>, everyMs = 50): Promise<{ stop(): Promise<ProbeReport> }> {
  const report: ProbeReport = { samples: 0, worstMs: 0, failures: [] };
  const first = await check();
  assert.equal(first, undefined);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const failure = await check().catch((error: unknown) => String(error));
      const elapsed = performance.now() - started;
      report.samples++;
      report.worstMs = Math.max(report.worstMs, elapsed);
      if (failure !== undefined) report.failures.push(failure);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - elapsed)));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return report;
    },
  };
}

describe('a hostile workflow file cannot hurt the cloud', { timeout: 600_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-hostile-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-hostile-work-'));
  const env = { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' };
  const localImage = `localhost:${PORT}/tiny:1`;
  let proc: DockyardProcess | undefined;
  let ecs: ECSClient;
  let sts: STSClient;
  let accountId = '';
  let endpoint: URL;

  const git = (args: string[]) => runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work, env });
  const push = () => run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });

  before(async () => {
    await engine.ping(AbortSignal.timeout(5000));
    // The port lies in the kernel's ephemeral range: starting is retried while something holds it.
    proc = await waitFor(`port ${PORT}`, async () => {
      try {
        return await startDockyard(['--port', String(PORT)], env);
      } catch (error) {
        if (/is in use/.test(String(error))) return undefined;
        throw error;
      }
    }, 30_000);
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string; accountId: string };
    accountId = admin.accountId;
    const target = { url: proc.url, region: 'us-east-1', admin };
    const config = { endpoint: proc.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 };
    ecs = new ECSClient(config);
    sts = new STSClient(config);
    const ecr = new ECRClient(config);
    const iam = new IAMClient(config);

    // A service of the tiny image's HTTP server, pulled from the cloud's own registry.
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tiny' }));
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
    const imageId = await engine.importImage(buildTinyImageTar(), localImage, { changes: TINY_IMAGE_CHANGES, signal: AbortSignal.timeout(60_000) });
    await runOk('podman', ['push', '--tls-verify=false', '--creds', token, localImage]);
    await engine.removeImage(imageId, { force: true });
    await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: TRUST }));
    const pull = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: 'exec', PolicyName: 'pull', PolicyDocument: JSON.stringify(pull) }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'apps' }));
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${accountId}:role/exec`,
        containerDefinitions: [
          {
            name: 'web',
            image: `${accountId}.dkr.ecr.us-east-1.amazonaws.com/tiny:1`,
            entryPoint: ['/bin/perl'],
            command: perlServer(CONTAINER_PORT),
            portMappings: [{ containerPort: CONTAINER_PORT }],
            // `dockyard up` has ECS's timings: without a check a task counts healthy only after 40 s.
            healthCheck: { command: ['CMD', '/bin/sh', '-c', 'exit 0'], interval: 5, timeout: 2, retries: 1 },
            stopTimeout: 2,
            essential: true,
          },
        ],
      }),
    );
    const cli = async (args: string[]) => (await awsCli(target, args)).stdout.trim();
    const group = await cli(['ec2', 'describe-security-groups', '--group-names', 'default', '--query', 'SecurityGroups[0].GroupId', '--output', 'text']);
    await cli(['ec2', 'authorize-security-group-ingress', '--group-id', group, '--protocol', 'tcp', '--port', String(CONTAINER_PORT), '--cidr', '0.0.0.0/0']);
    const subnet = await cli(['ec2', 'describe-subnets', '--query', 'Subnets[0].SubnetId', '--output', 'text']);
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'apps',
        serviceName: 'web',
        taskDefinition: registered.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [group], assignPublicIp: 'ENABLED' } },
      }),
    );
    endpoint = new URL(await waitFor('the service endpoint', async () => {
      const result = await dockyard(['endpoint', '--cluster', 'apps', '--service', 'web'], env);
      return result.status === 0 ? result.stdout.trim() : undefined;
    }, 60_000));
    await waitFor('the service to answer through its endpoint', async () => ((await httpGet(endpoint.hostname, Number(endpoint.port))) === 'hello' ? true : undefined), 90_000);

    // A repository whose push carries an ordinary workflow and the bomb.
    await git(['init', '-q', '-b', 'main']);
    const created = await run(process.execPath, [DOCKYARD_BIN, 'repo', 'create', 'me/app', '--remote', 'dockyard'], { cwd: work, env });
    assert.equal(created.status, 0, created.stderr);
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(work, '.github', 'workflows', 'ci.yml'), 'name: CI\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "built ${{ github.sha }}"\n');
    writeFileSync(join(work, BOMB), aliasBomb(10, 10));
    await git(['add', '-A']);
    await git(['commit', '-qm', 'a bomb among the workflows']);
  });

  after(async () => {
    if (proc) {
      await deleteServiceAndWait(ecs, 'apps', 'web');
      await proc.stop();
    }
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${PORT}/`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('fails the bomb\'s run with GitHub\'s annotation while the cloud keeps answering; the next push runs', async (t) => {
    const url = proc?.url ?? assert.fail('no cloud');
    const health = await probe(async () => {
      const response = await fetch(`${url}/_dockyard/health`, { signal: AbortSignal.timeout(5000) });
      return response.status === 200 ? undefined : `health ${response.status}`;
    });
    const api = await probe(async () => {
      const identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(5000) });
      return identity.Account === accountId ? undefined : `GetCallerIdentity: ${identity.Account ?? ''}`;
    });
    const service = await probe(async () => {
      const body = await httpGet(endpoint.hostname, Number(endpoint.port));
      return body === 'hello' ? undefined : `service endpoint: ${String(body)}`;
    });

    let reports: Record<'health' | 'api' | 'service', ProbeReport>;
    try {
      const withBomb = await push();
      assert.equal(withBomb.status, 1, withBomb.stderr);
      assert.match(withBomb.stderr, /remote: +\| Invalid workflow file: \.github\/workflows\/bomb\.yml#L1 *\n/);
      assert.match(withBomb.stderr, /remote: +\| The workflow is not valid\. \.github\/workflows\/bomb\.yml: Maximum YAML nodes exceeded *\n/);
      const runs = JSON.parse((await dockyard(['runs', 'list', '--json'], env)).stdout) as { id: number; workflowFile: string; conclusion: string }[];
      assert.deepEqual(runs.map((r) => [r.workflowFile, r.conclusion]).sort(), [[BOMB, 'failure'], ['.github/workflows/ci.yml', 'success']]);
      const bombRun = runs.find((r) => r.workflowFile === BOMB)?.id ?? assert.fail('no run for the bomb');
      const view = JSON.parse((await dockyard(['runs', 'view', String(bombRun), '--json'], env)).stdout) as { annotations: unknown[] };
      assert.deepEqual(view.annotations, [
        { level: 'error', job: '', title: `Invalid workflow file: ${BOMB}#L1`, message: `The workflow is not valid. ${BOMB}: Maximum YAML nodes exceeded`, file: BOMB, line: 1 },
      ]);

      await git(['rm', '-q', BOMB]);
      await git(['commit', '-qm', 'no bomb']);
      const withoutBomb = await push();
      assert.equal(withoutBomb.status, 0, withoutBomb.stderr);
      assert.match(withoutBomb.stderr, /remote: dockyard: all 1 run\(s\) succeeded/);
      assert.doesNotMatch(withoutBomb.stderr, /Invalid workflow file/);
    } finally {
      reports = { health: await health.stop(), api: await api.stop(), service: await service.stop() };
    }
    t.diagnostic(`worst latency while pushing: health ${reports.health.worstMs.toFixed(1)} ms (${reports.health.samples} samples), GetCallerIdentity ${reports.api.worstMs.toFixed(1)} ms (${reports.api.samples}), service endpoint ${reports.service.worstMs.toFixed(1)} ms (${reports.service.samples})`);
    for (const [name, report] of Object.entries(reports)) {
      assert.deepEqual(report.failures, [], name);
      assert.ok(report.samples >= 10, `${name}: ${report.samples} samples`);
    }
    assert.ok(reports.health.worstMs < 100, `health took ${reports.health.worstMs} ms`);
    assert.ok(reports.api.worstMs < 1000, `GetCallerIdentity took ${reports.api.worstMs} ms`);
    assert.ok(reports.service.worstMs < 1000, `the service endpoint took ${reports.service.worstMs} ms`);
  });
});
