/**
 * Jobs in containers, as the cloud wires them (a real engine, the runner image): one workflow
 * runs the same steps on both runners — `runs-on: self-hosted` (this host) and ubuntu-latest
 * (a fresh container) — through a matrix, so every semantic the host suites prove (shells, file
 * and workflow commands, masking, JavaScript actions with pre/post and state, composite actions,
 * working-directory, continue-on-error, step timeouts) is shown to hold in the container too,
 * with GitHub's hosted paths there. Then: nothing of a job's container outlives the job, on
 * success or on cancel, including what the job started through its Docker socket.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { cloudLabelFor } from '../../src/runtime/labels.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { finishedRun, pushFiles } from '../support/git-push.js';
import { workflow } from './support.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const PODMAN_SOCKET = '/run/podman/podman.sock';
const WEB_IMAGE = 'localhost/dockyard-test/container-jobs-web:1';

/** Ids of the engine's containers carrying every label. */
async function containersLabelled(labels: string[]): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: labels }));
  const { stdout } = await run('curl', [
    '-sf',
    '--unix-socket',
    PODMAN_SOCKET,
    `http://d/containers/json?all=true&filters=${filters}`,
  ]);
  return (JSON.parse(stdout) as { Id: string }[]).map((c) => c.Id);
}

/**
 * Waits (5 s at most) until nothing labelled for this cloud's jobs is left: a job container is
 * released right after its job is reported, as GitHub deprovisions a hosted job's VM.
 */
async function releasedSoon(label: string, workDir?: string): Promise<void> {
  await waitFor(
    "the job's containers (and work directory) to be released",
    async () =>
      (await containersLabelled([`dockyard.runner=${label}`])).length === 0 &&
      (workDir === undefined || readdirSync(workDir).length === 0),
    { timeoutMs: 5_000 },
  );
}

const JS_ACTION = {
  '.github/actions/js/action.yml': workflow(
    'name: js',
    'inputs:',
    '  who:',
    '    default: nobody',
    'runs:',
    '  using: node20',
    '  pre: pre.js',
    '  main: main.js',
    '  post: post.js',
  ),
  // GitHub runs no pre stage for a local action.
  '.github/actions/js/pre.js': 'console.log("PRE ran");\n',
  '.github/actions/js/main.js': [
    "const fs = require('node:fs');",
    'fs.appendFileSync(process.env.GITHUB_OUTPUT, `said=hello ${process.env.INPUT_WHO}\\n`);',
    "fs.appendFileSync(process.env.GITHUB_STATE, 'kept=from-main\\n');",
    'console.log(`MAIN node ${process.version.split(".")[0]} action path ${process.env.GITHUB_ACTION_PATH === `${process.env.GITHUB_WORKSPACE}/.github/actions/js`}`);',
    '',
  ].join('\n'),
  '.github/actions/js/post.js': 'console.log(`POST state=${process.env.STATE_kept}`);\n',
  '.github/actions/composite/action.yml': workflow(
    'name: composite',
    'outputs:',
    '  value:',
    '    value: ${{ steps.inner.outputs.value }}',
    'runs:',
    '  using: composite',
    '  steps:',
    '    - id: inner',
    '      shell: bash',
    '      run: echo "value=from-composite-$GREETING" >> "$GITHUB_OUTPUT"',
  ),
  'sub/.keep': '',
};

/** The label of a cloud that is gone, for a job network it left. */
const GONE_CLOUD = `gone${randomBytes(6).toString('hex')}`;

describe('runner: jobs in containers', { timeout: 600_000 }, () => {
  let cloud: TestCloud;
  let root: string;
  let label: string;
  before(async () => {
    // A variable of the cloud process's own must reach neither runner.
    process.env.CONTAINER_NAME = 'the-cloud-process';
    cloud = await startTestCloud({ jobContainers: true });
    root = mkdtempSync(join(tmpdir(), 'dockyard-container-jobs-'));
    label = cloudLabelFor(cloud.dataDir);
    // The job network of a cloud whose process is gone (pid 0 is never one): the first job sweeps it.
    await run(
      'docker',
      [
        'network',
        'create',
        '--label',
        `dockyard.runner=${GONE_CLOUD}`,
        '--label',
        'dockyard.runner.pid=0',
        `dockyard-jobs-${GONE_CLOUD}`,
      ],
      { env: { ...process.env, DOCKER_HOST: `unix://${PODMAN_SOCKET}` } },
    );
  });
  const target = () => ({ port: new URL(cloud.url).port, admin: cloud.admin });
  after(async () => {
    delete process.env.CONTAINER_NAME;
    await cloud.stop();
    await run('docker', ['rmi', '-f', WEB_IMAGE], {
      env: { ...process.env, DOCKER_HOST: `unix://${PODMAN_SOCKET}` },
    }).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it("the same steps behave alike on this host and in a fresh container, with GitHub's hosted paths there", async () => {
    const ci = cloud.cloud.ci;
    await ci.repositories.create('mona/both');
    await pushFiles(target(), join(root, 'both'), 'mona/both', {
      ...JS_ACTION,
      '.github/workflows/both.yml': workflow(
        'on: push',
        'jobs:',
        '  both:',
        '    strategy:',
        '      fail-fast: false',
        '      matrix:',
        '        runner: [self-hosted, ubuntu-latest]',
        '    runs-on: ${{ matrix.runner }}',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - name: paths',
        '        run: |',
        '          echo "PATHS $GITHUB_WORKSPACE|$RUNNER_TEMP|$RUNNER_TOOL_CACHE|$GITHUB_EVENT_PATH|${{ github.workspace }}|${{ runner.temp }}|$PWD"',
        '          echo "ENVIRONMENT $RUNNER_ENVIRONMENT ${{ runner.environment }} leak=${CONTAINER_NAME:-none}"',
        '          test -f "$GITHUB_EVENT_PATH" && test -d "$RUNNER_TOOL_CACHE" && echo "EVENT readable"',
        '          curl -sf "$AWS_ENDPOINT_URL/_dockyard/health" >/dev/null && echo "CLOUD reachable"',
        '      - shell: sh',
        '        run: echo "SHELL sh ok"',
        '      - shell: python3 {0}',
        '        run: print("SHELL python ok")',
        '      - id: files',
        '        run: |',
        '          echo "GREETING=hello" >> "$GITHUB_ENV"',
        '          echo "answer=42" >> "$GITHUB_OUTPUT"',
        '          mkdir -p "$RUNNER_TEMP/bin" && printf \'#!/bin/sh\\necho TOOL ran\\n\' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"',
        '          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"',
        '          echo "### summary of ${{ matrix.runner }}" >> "$GITHUB_STEP_SUMMARY"',
        '          echo "::add-mask::s3cr3t-value"',
        '          echo "masked: s3cr3t-value"',
        '          echo "::warning title=W::careful"',
        '      - run: |',
        '          echo "FILES $GREETING ${{ steps.files.outputs.answer }}"',
        '          mytool',
        '      - working-directory: sub',
        '        run: echo "CWD $(basename "$PWD")"',
        '      - uses: ./.github/actions/js',
        '        id: js',
        '        with:',
        '          who: dockyard',
        '      - run: echo "JS ${{ steps.js.outputs.said }}"',
        '      - uses: ./.github/actions/composite',
        '        id: comp',
        '      - run: echo "COMPOSITE ${{ steps.comp.outputs.value }}"',
        '      - run: exit 3',
        '        continue-on-error: true',
        '      - name: slow',
        '        timeout-minutes: 0.05',
        '        continue-on-error: true',
        '        run: sleep 60',
        '      - run: echo "AFTER ${{ steps.files.outcome }}"',
      ),
    });
    const { run: record, log: all } = await finishedRun(ci.runner, 'mona/both');
    const runId = record.id;
    const detail = ci.runner.getRun(runId);
    assert.equal(detail?.conclusion, 'success', all);
    const logs = {
      host: ci.runner.readLog(runId, { job: 'both (self-hosted)' }),
      container: ci.runner.readLog(runId, { job: 'both (ubuntu-latest)' }),
    };
    for (const [where, log] of Object.entries(logs)) {
      assert.doesNotMatch(log, /PRE ran/, where);
      for (const expected of [
        'EVENT readable',
        'CLOUD reachable',
        'SHELL sh ok',
        'SHELL python ok',
        'masked: ***',
        'FILES hello 42',
        'TOOL ran',
        'CWD sub',
        'MAIN node v20 action path true',
        'JS hello dockyard',
        'COMPOSITE from-composite-hello',
        'Process completed with exit code 3.',
        "The action 'slow' has timed out after 0.05 minutes.",
        'AFTER success',
        'POST state=from-main',
        'leak=none',
      ]) {
        assert.ok(log.includes(expected), `${where}: ${expected}\n${log}`);
      }
      assert.doesNotMatch(log, /Z masked: s3cr3t-value$/m, where);
    }
    const container = /Z PATHS (.*)$/m.exec(logs.container)?.[1];
    const work = '/home/runner/work/both';
    assert.equal(
      container,
      [
        `${work}/both`,
        `${work.replace('/both', '')}/_temp`,
        '/opt/hostedtoolcache',
        '/home/runner/work/_temp/_github_workflow/event.json',
        `${work}/both`,
        '/home/runner/work/_temp',
        `${work}/both`,
      ].join('|'),
    );
    assert.match(logs.container, /ENVIRONMENT github-hosted github-hosted/);
    assert.match(logs.host, /ENVIRONMENT self-hosted self-hosted/);
    assert.match(logs.container, /Runner image: localhost\/dockyard\/runner:[0-9a-f]{12}/);
    // The step that overran was killed: the job did not wait out its 60 s.
    const jobs = detail?.jobs ?? [];
    const slow = jobs.find((j) => j.name === 'both (ubuntu-latest)')?.steps.find((s) => s.name === 'slow');
    assert.ok(
      slow?.startedAt && slow.completedAt && Date.parse(slow.completedAt) - Date.parse(slow.startedAt) < 15_000,
      JSON.stringify(slow),
    );
    // Nothing of the job outlives it.
    await releasedSoon(label, join(cloud.dataDir, 'work'));
    // And the job network a gone cloud left was swept before this cloud made its own.
    const networks = await run('docker', ['network', 'ls', '--format', '{{.Name}}'], {
      env: { ...process.env, DOCKER_HOST: `unix://${PODMAN_SOCKET}` },
    });
    assert.ok(!networks.stdout.includes(`dockyard-jobs-${GONE_CLOUD}`), networks.stdout);
  });

  it("a cancelled job's container goes, with the containers it started through its Docker socket", async () => {
    const ci = cloud.cloud.ci;
    await ci.repositories.create('mona/cancel');
    // The push returns when its run ends: it is left pushing while the job is cancelled.
    const pushed = pushFiles(target(), join(root, 'cancel'), 'mona/cancel', {
      '.github/workflows/slow.yml': workflow(
        'on: push',
        'jobs:',
        '  slow:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          docker run -d --name "child-$GITHUB_RUN_ID" localhost/dockyard/runner:latest sleep 300',
        '          echo "STARTED"',
        '          sleep 300',
      ),
    });
    await waitFor('the push to start a run', () => ci.runner.listRuns({ repository: 'mona/cancel' }).length > 0);
    const runId = ci.runner.listRuns({ repository: 'mona/cancel' })[0]?.id ?? 0;
    await waitFor('the child container to start', () => /Z STARTED$/m.test(ci.runner.readLog(runId)), {
      timeoutMs: 120_000,
    });
    assert.equal((await containersLabelled([`dockyard.runner=${label}`])).length, 2, 'the job container and its child');
    const cancelled = Date.now();
    ci.runner.cancel(runId);
    const record = await ci.runner.waitFor(runId);
    assert.equal(record.conclusion, 'cancelled', ci.runner.readLog(runId));
    assert.ok(Date.now() - cancelled < 20_000, `cancel took ${Date.now() - cancelled} ms`);
    await releasedSoon(label);
    await pushed;
  });

  it('services: a container job reaches them by name; a job on the runner image on its localhost ports, once healthy', async () => {
    // A service image whose own command serves HTTP (services cannot override the command).
    const dir = join(root, 'web-image');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM localhost/dockyard/runner:latest\nCMD ["python3", "-m", "http.server", "8000", "--directory", "/etc"]\n',
    );
    await run('docker', ['build', '-q', '-t', WEB_IMAGE, dir], {
      env: { ...process.env, DOCKER_HOST: `unix://${PODMAN_SOCKET}` },
    });
    const ci = cloud.cloud.ci;
    await ci.repositories.create('mona/services');
    const service = [
      '    services:',
      '      web:',
      `        image: ${WEB_IMAGE}`,
      '        ports: ["8080:8000"]',
      '        options: >-',
      '          --health-cmd "curl -sf http://localhost:8000/hostname"',
      '          --health-interval 1s --health-retries 20',
    ];
    await pushFiles(target(), join(root, 'services'), 'mona/services', {
      '.github/workflows/services.yml': workflow(
        'on: push',
        'jobs:',
        '  on-runner:',
        '    runs-on: ubuntu-latest',
        ...service,
        '    steps:',
        '      - run: |',
        '          echo "PORT ${{ job.services.web.ports[\'8000\'] }}"',
        '          curl -sf http://localhost:8080/hostname >/dev/null && echo "RUNNER reached web on localhost:8080"',
        '  in-container:',
        '    runs-on: ubuntu-latest',
        '    container:',
        '      image: localhost/dockyard/runner:latest',
        '      env:',
        '        FROM_CONTAINER: yes-it-is',
        ...service,
        '    steps:',
        '      - run: |',
        '          curl -sf http://web:8000/hostname >/dev/null && echo "CONTAINER reached web by name ($FROM_CONTAINER)"',
      ),
    });
    const { run: record, log } = await finishedRun(ci.runner, 'mona/services');
    assert.equal(record.conclusion, 'success', log);
    assert.match(log, /PORT 8080/);
    assert.match(log, /RUNNER reached web on localhost:8080/);
    assert.match(log, /CONTAINER reached web by name \(yes-it-is\)/);
    assert.match(log, /web service is healthy\./);
    await releasedSoon(label);
  });
});
