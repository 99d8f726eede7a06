/**
 * Issue 9's acceptance for "failures surface where the user looks": the seed's workflow, with
 * OIDC credentials, deploys to a cloud started with `dockyard up` an image whose entrypoint does
 * not exist (built offline), then, with an execution role that may not pull, an image no task
 * can start. Within 10 s of a task stopping its reason is in the `dockyard push` output (a
 * notice under the running deploy step, which keeps waiting as the real action does), in
 * `dockyard runs watch` and in `dockyard status`; the run keeps it as an annotation. The demo's
 * decision to stop (the deployment stalled) is reached on the same service, and `dockyard
 * deploy` prints each stop and event while it follows. The measured delays are printed.
 */
import assert from 'node:assert/strict';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, DetachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';
import { CliError } from '../../src/cli/command.js';
import { ControlClient } from '../../src/cli/control-client.js';
import { pushWatchingDeployment } from '../../src/cli/demo-watch.js';
import { stoppedTasks } from '../../src/cli/service-watch.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { isAbnormalStop } from '../../src/scheduler/failure-signals.js';
import { provisionSeed, SEED } from '../../src/seed/provision.js';

import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../../src/images/tiny-image.js';
import { dockyard, DOCKYARD_BIN, startDockyardCloud, type DockyardProcess } from '../support/dockyard-cli.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { runOk } from '../support/run.js';
import { streamed } from '../support/streamed.js';
import { waitFor } from '../support/wait-for.js';

/** The cloud's port (its registry is localhost:PORT to the engine). */
let port = 0;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'seed-app');
/** Built offline from the engine tests' tiny root filesystem; the workflow's Dockerfile starts FROM it. */
const BASE_IMAGE = 'localhost/dockyard-failure-surface-base:1';
const MISSING_ENTRYPOINT = '/no/such/entrypoint';
const EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

interface StatusJson {
  services: {
    service: string;
    rollout: string;
    lastStop?: { taskArn: string; stoppedReason?: string; summary: string };
    stalled?: string;
    hints?: string[];
  }[];
}

describe('a deployment whose tasks cannot start says why, where the user looks', { timeout: 600_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-failures-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-failures-work-'));
  const env = { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' };
  let proc: DockyardProcess | undefined;
  let ecs: ECSClient;
  let config: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
  const git = (args: string[]) =>
    runOk('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: work, env });
  const cli = (args: string[]) => dockyard(args, env);
  const status = async (): Promise<StatusJson> => {
    const out = await cli(['status', '--json']);
    assert.equal(out.status, 0, out.stderr);
    return JSON.parse(out.stdout) as StatusJson;
  };

  before(async () => {
    await engine.importImage(buildTinyImageTar(), BASE_IMAGE, {
      changes: TINY_IMAGE_CHANGES,
      signal: AbortSignal.timeout(60_000),
    });
    proc = await startDockyardCloud([], { env });
    port = proc.port;
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    config = { endpoint: proc.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 };
    ecs = new ECSClient(config);
    // The seed's resources, workflow and task definition; only the Dockerfile differs.
    cpSync(EXAMPLE, work, { recursive: true });
    writeFileSync(join(work, 'Dockerfile'), `FROM ${BASE_IMAGE}\nENTRYPOINT ["${MISSING_ENTRYPOINT}"]\n`);
    await provisionSeed(config, '000000000000', work);
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'an image that cannot start']);
    await runOk(process.execPath, [DOCKYARD_BIN, 'repo', 'create', SEED.repository, '--remote', 'dockyard'], {
      cwd: work,
      env,
    });
  });
  after(async () => {
    if (ecs) await deleteServiceAndWait(ecs, SEED.cluster, SEED.service);
    await proc?.stop();
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${port}/`);
    // The engine's import also tags the repository's :latest; both names go.
    await removeImages(BASE_IMAGE.slice(0, BASE_IMAGE.lastIndexOf(':')));
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('before any push, status explains the seed service that cannot pull its image', async () => {
    // provisionSeed's service names my-app:latest, which nobody pushed: its tasks fail before RUNNING.
    const service = await waitFor(
      'status to show the failing pull',
      async () => {
        const s = (await status()).services[0];
        return s?.stalled ? s : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.match(service.lastStop?.stoppedReason ?? '', /^CannotPullContainerError: /);
    assert.match(
      service.stalled ?? '',
      /unable to consistently start tasks successfully|tasks stopped without staying up/,
    );
    assert.match(service.hints?.[0] ?? '', /the image could not be pulled/);
  });

  /** The run's deployment and its abnormal stops so far, oldest first, as ECS records them. */
  const runDeployment = async () => {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: SEED.cluster, services: [SEED.service] })))
      .services?.[0];
    const deployment = service?.deployments?.find((d) => d.status === 'PRIMARY');
    assert.ok(deployment?.id);
    const stops = (await stoppedTasks(ecs, SEED.cluster, deployment.id))
      .filter(isAbnormalStop)
      .sort((a, b) => (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0));
    const first = stops[0];
    assert.ok(first?.stoppedAt, "a task of the run's deployment stopped");
    return { deployment: { ...deployment, id: deployment.id }, first: { ...first, stoppedAt: first.stoppedAt }, stops };
  };
  /** Records how long after `stoppedAt` the push and status showed it; both within 10 s. */
  const withinTenSeconds = (what: string, stoppedAt: Date, shownAt: number, statusAt: number): void => {
    const push = (shownAt - stoppedAt.getTime()) / 1000;
    const state = (statusAt - stoppedAt.getTime()) / 1000;
    measured.push(
      `${what}: first task stopped at ${stoppedAt.toISOString()}; dockyard push showed why after ${push.toFixed(2)} s, dockyard status after ${state.toFixed(2)} s`,
    );
    assert.ok(push < 10, `dockyard push showed it after ${push} s`);
    assert.ok(state < 10, `dockyard status showed it after ${state} s`);
  };
  /** Takes the pull permission from the execution role until the test ends, and commits something to push. */
  const refusePulls = async (t: TestContext, message: string): Promise<void> => {
    const iam = new IAMClient(config);
    await iam.send(new DetachRolePolicyCommand({ RoleName: SEED.executionRole, PolicyArn: EXECUTION_POLICY }));
    t.after(() => iam.send(new AttachRolePolicyCommand({ RoleName: SEED.executionRole, PolicyArn: EXECUTION_POLICY })));
    await git(['commit', '-q', '--allow-empty', '-m', message]);
  };
  const NOTICE = /remote: +warning: ECS service my-app-cluster\/my-app-service: Task [0-9a-f]{32} stopped/;
  const measured: string[] = [];
  after(() => process.stdout.write(measured.map((line) => `# ${line}\n`).join('')));

  it('an image whose entrypoint does not exist: dockyard push, runs watch and status say why its tasks stop, within seconds', async () => {
    const push = streamed(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });
    const started = await push.line(/remote: dockyard: run #(\d+) .* started/, 120_000);
    const runId = Number(/run #(\d+)/.exec(started.text)?.[1]);
    const watch = streamed(process.execPath, [DOCKYARD_BIN, 'runs', 'watch', String(runId)], { env });

    const notice = await push.line(NOTICE, 240_000);
    const statusNow = await status();
    const statusAt = Date.now();
    const { first, stops } = await runDeployment();

    // The notice is ECS's own record of that task, told under the deploy step while it ran.
    // The missing entrypoint is found before the process runs (the container is prepared first):
    // CannotStartContainerError before RUNNING, as on AWS.
    const taskId = (first.taskArn ?? '').split('/').pop() ?? '';
    assert.ok(notice.text.includes(`Task ${taskId} stopped`), notice.text);
    assert.match(
      push.text(),
      /remote: +… Deploy Amazon ECS task definition\s*\nremote: +warning: ECS service my-app-cluster\/my-app-service: Task [0-9a-f]{32} stopped/,
    );
    assert.match(
      push.text(),
      /stopped before RUNNING: CannotStartContainerError: [^\n]*(\nremote:[^\n]*)*no such file or directory/,
    );
    const inStatus = statusNow.services.find((s) => s.service === SEED.service);
    assert.ok(inStatus?.lastStop, JSON.stringify(statusNow));
    assert.equal(inStatus.lastStop.stoppedReason, first.stoppedReason);
    assert.ok(
      stops.some((t) => t.taskArn === inStatus.lastStop?.taskArn),
      "the latest stop of the run's deployment",
    );
    // runs watch, attached before the deploy step, printed the same notice.
    await watch.line(/warning: ECS service my-app-cluster\/my-app-service: Task [0-9a-f]{32} stopped/, 10_000);

    // Whether the deploy action's ServicesStable waiter catches a task in its RUNNING moment (as
    // on AWS, it ignores rolloutState) is a race; the run is ended here either way.
    await cli(['runs', 'cancel', String(runId)]);
    await push.exited;
    await watch.exited;
    const view = await cli(['runs', 'view', String(runId)]);
    assert.match(
      view.stdout,
      /Annotations\n(.*\n)*.*! deploy: ECS service my-app-cluster\/my-app-service: Task [0-9a-f]{32} stopped before RUNNING: CannotStartContainerError/,
    );
    withinTenSeconds('missing entrypoint', first.stoppedAt, notice.at, statusAt);
  });

  it('tasks that fail before RUNNING (the execution role may not pull): the action keeps waiting, the push says why, the demo would stop', async (t) => {
    await refusePulls(t, 'again, with an execution role that may not pull');
    const push = streamed(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });
    const started = await push.line(/remote: dockyard: run #(\d+) .* started/, 120_000);
    const runId = Number(/run #(\d+)/.exec(started.text)?.[1]);
    const notice = await push.line(NOTICE, 240_000);
    const statusNow = await status();
    const statusAt = Date.now();
    const { first } = await runDeployment();
    assert.match(first.stoppedReason ?? '', /^CannotPullContainerError: /);
    assert.match(push.text(), /stopped before RUNNING: CannotPullContainerError: /);
    // Each task pulls as its own session of the execution role, so reasons differ by the task id.
    assert.match(
      statusNow.services.find((s) => s.service === SEED.service)?.lastStop?.stoppedReason ?? '',
      /^CannotPullContainerError: .* is not authorized to perform: ecr:BatchGetImage /,
    );

    // ECS throttles the deployment's starts; the same failure of later tasks is told briefly.
    await push.line(
      /remote: +warning: ECS service my-app-cluster\/my-app-service: \(service my-app-service\) is unable to consistently start tasks successfully\./,
      60_000,
    );
    await push.line(
      /remote: +notice: ECS service my-app-cluster\/my-app-service: Task [0-9a-f]{32} stopped before RUNNING for the same reason \(2 tasks so far\)/,
      10_000,
    );
    assert.equal(
      push.lines.filter((l) => /warning: .*stopped before RUNNING: CannotPullContainerError/.test(l.text)).length,
      1,
      'one warning per reason',
    );
    const text = await cli(['status']);
    assert.match(text.stdout, /✗ my-app-cluster\/my-app-service .*IN_PROGRESS \(stalled\)/);
    assert.match(text.stdout, /last stop: Task [0-9a-f]{32} stopped before RUNNING: CannotPullContainerError: /);
    assert.match(text.stdout, /→ the image could not be pulled/);

    // Faithful to AWS, the deploy action is still waiting for the service to become stable.
    const view = JSON.parse((await cli(['runs', 'view', String(runId), '--json'])).stdout) as {
      status: string;
      jobs: { steps: { name: string; status: string }[] }[];
    };
    assert.equal(view.status, 'in_progress');
    assert.equal(
      view.jobs[0]?.steps.find((s) => s.name === 'Deploy Amazon ECS task definition')?.status,
      'in_progress',
    );
    assert.equal((await cli(['runs', 'cancel', String(runId)])).status, 0);
    assert.equal(await push.exited, 1, push.text());
    assert.match(push.text(), /remote: dockyard: run\(s\) #\d+ did not succeed/);

    withinTenSeconds('pull refused', first.stoppedAt, notice.at, statusAt);
  });

  it("the demo's push stops when the deployment it started stalls: the run is cancelled and the error says why and what to try", async (t) => {
    await refusePulls(t, 'the demo pushes this');
    const api = ControlClient.forDataDir(dataDir);
    const pushedAt = Date.now();
    const error = await pushWatchingDeployment(work, ecs, api, {
      repository: SEED.repository,
      hints: { cluster: SEED.cluster, service: SEED.service },
    }).then(
      () => assert.fail('the watched push should stop'),
      (e: unknown) => e as Error,
    );
    const stoppedAt = Date.now();
    assert.ok(error instanceof CliError, String(error));
    assert.match(error.message, /^the deployment the push started is not making progress: /);
    assert.match(error.message, /\n {2}Task [0-9a-f]{32} stopped before RUNNING: CannotPullContainerError: /);
    assert.match(error.message, /\n {2}→ the image could not be pulled: /);
    assert.match(error.message, /\n {2}→ dockyard runs view (\d+) --log/);
    const runId = Number(/dockyard runs view (\d+) --log/.exec(error.message)?.[1]);
    const run = JSON.parse((await cli(['runs', 'view', String(runId), '--json'])).stdout) as {
      status: string;
      conclusion: string;
    };
    assert.deepEqual([run.status, run.conclusion], ['completed', 'cancelled']);
    const { first } = await runDeployment();
    measured.push(
      `the demo's watched push: stopped ${((stoppedAt - first.stoppedAt.getTime()) / 1000).toFixed(2)} s after the first task stopped (${((stoppedAt - pushedAt) / 1000).toFixed(1)} s after the push began)`,
    );
  });

  it('dockyard deploy prints each stop and event while it follows, and says once that the deployment stalls', async () => {
    // The image of the previous runs again, pullable now: its tasks exit at once.
    const current = (await ecs.send(new DescribeServicesCommand({ cluster: SEED.cluster, services: [SEED.service] })))
      .services?.[0];
    const definition = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: current?.taskDefinition ?? '' }),
    );
    const image = definition.taskDefinition?.containerDefinitions?.[0]?.image ?? '';
    assert.match(image, new RegExp(`/my-app:[0-9a-f]{40}$`));
    const deploy = streamed(
      process.execPath,
      [DOCKYARD_BIN, 'deploy', '--cluster', SEED.cluster, '--service', SEED.service, '--image', image],
      { env },
    );
    try {
      const stop = await deploy.line(/^ {2}✗ Task [0-9a-f]{32} stopped/, 120_000);
      assert.match(
        stop.text,
        /stopped before RUNNING: CannotStartContainerError: .*exec: "\/no\/such\/entrypoint": .*no such file or directory.*\(TaskFailedToStart\)/,
      );
      await deploy.line(/^ {2}event \d\d:\d\d:\d\d \(service my-app-service\) has started 1 tasks/, 10_000);
      await deploy.line(/^ {2}! the deployment is not making progress: /, 60_000);
      await deploy.line(/^ {4}→ dockyard logs --cluster my-app-cluster --service my-app-service/, 5_000);
    } finally {
      deploy.kill();
      await deploy.exited;
    }
  });
});
