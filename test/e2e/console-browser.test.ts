/**
 * Issue 14's acceptance in a real browser: Debian's chromium driven by playwright-core. It
 * logs in through the form, watches a `git push` run stream a step's log live (the step waits
 * for the test's signal, so "live" is seen, not inferred), follows the rolling deployment the
 * run started until COMPLETED, opens the replaced task and reads why it stopped (what ECS
 * says), tails a task's container log as the app writes it, and checks in the trust view that
 * the role admits main and refuses master, with the deciding condition and the very lines
 * `dockyard trust check` prints; re-runs the run and cancels the new attempt. A page of another origin on this host (the same site, so the
 * SameSite=Strict cookie comes along) posts to the console and is refused. Every request the
 * pages make stays on the cloud; the services page stays within a 380 px dark window.
 */
import assert from 'node:assert/strict';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand } from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Cloud } from '../../src/cloud/cloud.js';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { tinyHttpServerScript } from '../../src/images/tiny-image.js';
import {
  CONTAINER_PORT,
  clientConfig,
  httpGet,
  registerWeb,
  startRuntimeSuite,
  stopRuntimeSuite,
  type Fixture,
} from '../runtime/support.js';
import { seedTrustPolicy } from '../support/cloud.js';
import { dockyard } from '../support/dockyard-cli.js';
import { run, runOk, type RunResult } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const REPOSITORY = 'console/app';
const ROLE = 'console-deployer';
const ISSUER_HOST = 'token.actions.githubusercontent.com';

describe('the console in a browser', { timeout: 300_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-console-browser-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-console-browser-work-'));
  const go = join(work, '..', `${work.split('/').pop() ?? 'x'}-go`);
  let cloud: Cloud;
  let f: Fixture;
  let browser: Browser;
  let context: BrowserContext;
  let roleArn: string;
  let push: Promise<RunResult> | undefined;
  let runId = 0;
  /** Every URL the pages asked for. */
  const requested: string[] = [];
  let console: string;

  before(async () => {
    ({ cloud, f } = await startRuntimeSuite(engine, dataDir, { timings: { noHealthCheckGraceMs: 1500 } }));
    console = `${cloud.url}/_dockyard/console`;
    const config = clientConfig(cloud);
    const iam = new IAMClient(config);
    await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: `https://${ISSUER_HOST}`, ClientIDList: ['sts.amazonaws.com'] }),
    );
    roleArn =
      (
        await iam.send(
          new CreateRoleCommand({
            RoleName: ROLE,
            AssumeRolePolicyDocument: seedTrustPolicy(cloud.accountId, `repo:${REPOSITORY}:ref:refs/heads/main`),
          }),
        )
      ).Role?.Arn ?? '';
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }),
    );
    // The app writes a line per request, shipped to CloudWatch Logs (the task page tails it).
    const script = tinyHttpServerScript(CONTAINER_PORT).replace('close C }', 'close C; print "served a request\\n" }');
    await registerWeb(cloud, f.ecs, 'web', 'exec', {
      command: ['-e', script],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/web',
          'awslogs-region': cloud.region,
          'awslogs-stream-prefix': 'ecs',
          'awslogs-create-group': 'true',
        },
      },
    });
    await f.ecs.send(
      new CreateServiceCommand({
        cluster: 'apps',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [f.subnet], securityGroups: [f.group] } },
      }),
    );
    await waitFor('the service to settle', async () => rolloutOf(await describeService()) === 'COMPLETED', {
      timeoutMs: 60_000,
    });

    await cloud.ci.repositories.create(REPOSITORY);
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(work, '.github', 'workflows', 'deploy.yml'),
      [
        'name: Deploy',
        'on: push',
        'jobs:',
        '  deploy:',
        '    runs-on: self-hosted',
        '    permissions:',
        '      contents: read',
        '      id-token: write',
        '    steps:',
        '      - name: Build',
        '        run: |',
        '          echo "building part 1"',
        '          echo "building part 2"',
        `          while [ ! -e "${go}" ]; do sleep 0.05; done`,
        '          echo "built after the go signal"',
        '      - uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        `          role-to-assume: ${roleArn}`,
        `          aws-region: ${cloud.region}`,
        '      - name: Deploy',
        '        run: aws --endpoint-url "$AWS_ENDPOINT_URL" ecs update-service --cluster apps --service web --force-new-deployment --query service.serviceName --output text',
      ].join('\n'),
    );
    const git = (args: string[]) =>
      runOk('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: work });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'deploy from the console test']);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    context.on('request', (request) => requested.push(request.url()));
  });

  after(async () => {
    rmSync(go, { force: true });
    await context?.close();
    await browser?.close();
    await push?.catch(() => undefined);
    if (cloud) await stopRuntimeSuite({ engine, dataDir, cloud, f });
    rmSync(work, { recursive: true, force: true });
  });

  const describeService = async () =>
    (await f.ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: ['web'] }))).services?.[0];
  const rolloutOf = (service: Awaited<ReturnType<typeof describeService>>) =>
    service?.deployments?.length === 1 ? service.deployments[0]?.rolloutState : undefined;
  const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

  it('logs in through the form and shows the service', async () => {
    const page = await context.newPage();
    const first = await page.goto(`${console}/`);
    assert.equal(first?.status(), 401);
    await page.fill('#access-key-id', cloud.state.admin.accessKeyId);
    await page.fill('#secret-access-key', cloud.state.admin.secretAccessKey);
    await page.click('button[type=submit]');
    await page.locator('tr[data-service="web"]').waitFor();
    assert.match(await text(page, 'tr[data-service="web"] td.counts'), /1\/1 running/);
    assert.equal(await page.locator('.connection').getAttribute('data-connection'), 'live');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name.startsWith('dockyard_console_'));
    assert.equal(session?.httpOnly, true);
    assert.equal(session?.sameSite, 'Strict');
    await page.close();
  });

  it("watches a git push's run stream its step live, and the deployment it starts roll out to COMPLETED", async () => {
    push = run(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: ${basicAuthorization(cloud.state.admin)}`,
        'push',
        cloud.ci.repositories.cloneUrl(REPOSITORY),
        'main',
      ],
      { cwd: work },
    );
    const runs = await context.newPage();
    await runs.goto(`${console}/pipelines`);
    await runs.locator(`a:text("${REPOSITORY}")`).click();
    await runs.locator('tr[data-run] a').first().click();
    runId = Number(new URL(runs.url()).pathname.split('/').pop());
    assert.ok(runId > 0, runs.url());

    // The Build step's log, opened while the step waits for the test's signal.
    await runs.locator('li[data-step="1"] a.step').click();
    const log = runs.locator('li[data-step="1"] pre.log');
    // Output lines, not the script's own lines the step's header shows.
    await waitFor('the first lines, streamed', async () => /Z building part 2$/m.test(await log.innerText()));
    assert.doesNotMatch(await log.innerText(), /Z built after the go signal$/m);
    assert.match(await text(runs, 'li[data-step="1"] .badge'), /in progress/);

    // The service page, open before the run deploys: it sees the rollout start and finish.
    const service = await context.newPage();
    await service.goto(`${console}/services/apps/web`);
    await service.locator('tr[data-deployment]').first().waitFor();
    const before = (await describeService())?.deployments?.[0]?.id ?? '';

    writeFileSync(go, 'go');
    await waitFor('the rest of the step, streamed', async () =>
      /Z built after the go signal$/m.test(await log.innerText()),
    );
    await runs.locator('li[data-step="1"] .badge:text("success")').waitFor();
    await runs.locator('h2.run-title .badge:text("success")').waitFor({ timeout: 60_000 });
    const pushed = await push;
    assert.match(pushed.stderr, new RegExp(`remote: +live in the console: ${console}/runs/${runId}`));

    // The new deployment, drawn while it rolls, then COMPLETED; it names the run that started it.
    const fresh = service.locator(`tr[data-deployment]:not([data-deployment="${before}"])`);
    await fresh.locator('.badge:text("in progress")').waitFor({ timeout: 30_000 });
    await fresh.locator('.badge:text("completed")').waitFor({ timeout: 60_000 });
    assert.match(await fresh.innerText(), new RegExp(`#${runId}`));
    await service.locator(`tr[data-deployment="${before}"] .badge:text("inactive")`).waitFor({ timeout: 30_000 });
    assert.ok((await service.locator('.timeline-lane').count()) >= 2, 'both tasks drawn on the timeline');
    assert.ok((await service.locator('.timeline-lane .phase-running, .timeline-lane .phase-healthy').count()) >= 2);
    await runs.close();
    await service.close();
  });

  it("opens the replaced task and reads why it stopped, as ECS says; tails a task's log as the app writes it", async () => {
    const page = await context.newPage();
    await page.goto(`${console}/services/apps/web`);
    const stopped = page.locator('tr[data-task]:has(.badge:text("stopped"))').first();
    await stopped.waitFor({ timeout: 30_000 });
    const taskId = (await stopped.getAttribute('data-task')) ?? '';
    await stopped.locator('a').click();
    await page.locator('.stopped-reason').waitFor();
    const shown = await text(page, '.stopped-reason');
    const described = (await f.ecs.send(new DescribeTasksCommand({ cluster: 'apps', tasks: [taskId] }))).tasks?.[0];
    assert.equal(shown, described?.stoppedReason);
    assert.match(shown, /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/);

    // The running task's page: its log so far, then a line the app writes now.
    await page.goto(`${console}/services/apps/web`);
    const runningRow = page.locator('tr[data-task]:has(.badge:text("running"))').first();
    await runningRow.waitFor();
    const url = await runningRow.locator('td:last-child a').getAttribute('href');
    assert.ok(url, 'a running task links where it answers');
    await runningRow.locator('a').first().click();
    const log = page.locator('pre.log');
    await waitFor('the log so far', async () => (await log.innerText()).includes('listening'), { timeoutMs: 20_000 });
    const served = (await log.innerText()).split('served a request').length;
    const target = new URL(url);
    assert.equal(await httpGet(target.hostname, Number(target.port || 80)), 'hello');
    await waitFor(
      'the new line, tailed',
      async () => (await log.innerText()).split('served a request').length > served,
      { timeoutMs: 20_000 },
    );
    await page.close();
  });

  it('explains in the trust view why main is admitted and master refused, as dockyard trust check does', async () => {
    const page = await context.newPage();
    await page.goto(`${console}/trust`);
    const decision = page.locator('tr[data-decision]').first();
    await decision.waitFor();
    assert.match(await decision.innerText(), new RegExp(`admitted[\\s\\S]*repo:${REPOSITORY}:ref:refs/heads/main`));

    const check = async (ref: string) => {
      await page.selectOption('select[name=roleArn]', roleArn);
      await page.selectOption('select[name=runId]', '');
      await page.fill('input[name=repository]', REPOSITORY);
      await page.fill('input[name=ref]', ref);
      await page.click('form.check button[type=submit]');
      await page.locator(`.check-result .explanation:has-text("${ref}")`).waitFor();
      return page.locator('.check-result');
    };
    const main = await check('refs/heads/main');
    assert.equal(await main.getAttribute('data-admitted'), 'true');
    assert.match(await main.locator('.summary').innerText(), /^admitted by statement 1 \(Allow\) on StringLike/);

    const master = await check('refs/heads/master');
    assert.equal(await master.getAttribute('data-admitted'), 'false');
    const deciding = master.locator('tr[data-holds="false"]');
    assert.equal(await deciding.count(), 1, 'one condition decides');
    const row = await deciding.innerText();
    assert.match(row, new RegExp(`StringLike ${ISSUER_HOST}:sub`));
    assert.match(row, new RegExp(`repo:${REPOSITORY}:ref:refs/heads/main`), "the policy's value");
    assert.match(row, new RegExp(`repo:${REPOSITORY}:ref:refs/heads/master`), "the token's value");
    const cli = await dockyard([
      'trust',
      'check',
      '--role-arn',
      roleArn,
      '--repo',
      REPOSITORY,
      '--ref',
      'refs/heads/master',
      '--data',
      dataDir,
    ]);
    assert.equal(cli.status, 1, cli.stderr);
    assert.equal(await master.locator('.explanation').innerText(), cli.stdout.trimEnd());

    // The run's own token: its claims, checked.
    await page.selectOption('select[name=runId]', String(runId));
    await page.click('form.check button[type=submit]');
    await page.locator('.check-result[data-admitted="true"]').waitFor();
    await page.close();
  });

  it('lists the ECR image with its tag, digest and size, and the task definition that uses it', async () => {
    const page = await context.newPage();
    await page.goto(`${console}/images`);
    await page.locator('a:text("tiny")').click();
    const row = page.locator('tr[data-digest]').first();
    await row.waitFor();
    const digest = (await row.getAttribute('data-digest')) ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const shown = await row.innerText();
    assert.match(shown, /\b1\b/, 'its tag');
    assert.match(shown, /\d+(\.\d)? (B|kB|MB)/, 'its size');
    assert.match(shown, /web:1 \(web\)/, 'the task definition whose container names it');
    await page.close();
  });

  it('re-runs the completed run, and cancels the new attempt while its step waits', async () => {
    rmSync(go, { force: true });
    const page = await context.newPage();
    await page.goto(`${console}/runs/${runId}`);
    await page.locator('h2.run-title .badge:text("success")').waitFor();
    await page.click('button:text("Re-run")');
    await page.locator('.attempts a[aria-current="true"]:text("2")').waitFor();
    await page.locator('li[data-step="1"] .badge:text("in progress")').waitFor({ timeout: 30_000 });
    await page.click('button:text("Cancel")');
    await page.locator('h2.run-title .badge:text("cancelled")').waitFor({ timeout: 30_000 });
    const run = cloud.ci.runner.getRun(runId);
    assert.equal(run?.runAttempt, 2);
    assert.equal(run?.conclusion, 'cancelled');
    assert.deepEqual(
      cloud.ci.runner.getRun(runId, 1)?.jobs.map((job) => job.conclusion),
      ['success'],
      'the first attempt is kept',
    );
    // The first attempt's page still shows what it was.
    await page.click('.attempts a:text("1")');
    await page.locator('h2.run-title .badge:text("success")').waitFor();
    await page.close();
  });

  it('refuses a POST from a page of another origin on this host, whose request carries the session cookie', async () => {
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<form method="post" action="${console}/logout"><input name="csrf" value="guess"></form>` +
          '<script>document.forms[0].submit()</script>',
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const page = await context.newPage();
      const refused = page.waitForResponse((r) => r.url() === `${console}/logout`);
      const address = evil.address();
      await page.goto(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
      const answer = await refused;
      assert.equal(answer.status(), 403);
      // Another port of 127.0.0.1 is the same site: SameSite=Strict let the cookie through, the CSRF check did not.
      assert.match((await answer.request().allHeaders()).cookie ?? '', /dockyard_console_\d+=/);
      // The session is still good.
      const still = await context.request.get(`${console}/api/views/services`);
      assert.equal(still.status(), 200);
      await page.close();
    } finally {
      evil.close();
    }
  });

  it('keeps every request on the cloud, and the services page readable in a narrow dark window', async () => {
    const narrow = await browser.newContext({
      viewport: { width: 380, height: 800 },
      colorScheme: 'dark',
      storageState: await context.storageState(),
    });
    try {
      const page = await narrow.newPage();
      await page.goto(`${console}/`);
      await page.locator('tr[data-service="web"]').waitFor();
      const fits = await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
      assert.ok(fits, 'no page-wide horizontal scroll at 380 px (tables scroll on their own)');
      const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      assert.equal(background, 'rgb(13, 17, 23)', 'dark mode');
    } finally {
      await narrow.close();
    }
    const elsewhere = requested.filter((u) => !u.startsWith(`${cloud.url}/`) && !u.startsWith('http://127.0.0.1:'));
    assert.deepEqual(elsewhere, [], 'no request left the machine');
    assert.ok(requested.every((u) => !/fonts|cdn|googleapis/.test(u)));
  });
});
