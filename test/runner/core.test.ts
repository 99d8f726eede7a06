import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../src/runner/index.js';
import { finished, startHarness, workflow, type Harness } from './support.js';

describe('runner: push → run → steps', () => {
  let h: Harness;
  before(async () => {
    // A variable of the cloud process's own: a job's environment is built from scratch.
    process.env.CONTAINER_NAME = 'the-cloud-process';
    h = await startHarness({ deps: { jobEnv: { DOCKER_HOST: 'unix:///tmp/dockyard-test.sock' } } });
  });
  after(async () => {
    delete process.env.CONTAINER_NAME;
    await h.stop();
  });

  it('runs a matching workflow: records, events, logs, the job environment and the event payload', async () => {
    const { runs, sha } = await h.push('mona/app', {
      '.github/workflows/ci.yml': workflow(
        'name: CI',
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo "hello from $GITHUB_REPOSITORY at $GITHUB_SHA"',
        '      - id: out',
        '        run: echo "greeting=hi" >> "$GITHUB_OUTPUT"',
        '      - run: echo "got ${{ steps.out.outputs.greeting }}"',
        '      - name: Environment',
        '        run: |',
        '          for name in CI GITHUB_ACTIONS GITHUB_REPOSITORY GITHUB_REPOSITORY_OWNER GITHUB_REF GITHUB_REF_NAME GITHUB_REF_TYPE \\',
        '            GITHUB_EVENT_NAME GITHUB_WORKFLOW GITHUB_WORKFLOW_REF GITHUB_JOB GITHUB_RUN_ID GITHUB_RUN_NUMBER GITHUB_RUN_ATTEMPT \\',
        '            GITHUB_ACTOR GITHUB_SERVER_URL GITHUB_ACTION RUNNER_OS RUNNER_NAME RUNNER_ENVIRONMENT AWS_ENDPOINT_URL DOCKER_HOST CONTAINER_NAME; do',
        '            echo "ENV $name=${!name}"',
        '          done',
        '          echo "ENV workspace=$([ "$GITHUB_WORKSPACE" = "$PWD" ] && basename "$PWD")"',
        '          echo "ENV temp=$([ -d "$RUNNER_TEMP" ] && echo dir) docker=$(dirname "$DOCKER_CONFIG" | xargs basename)"',
        '          node -e "const e = require(process.env.GITHUB_EVENT_PATH); console.log(\'EVENT\', e.ref, e.after, e.repository.full_name, e.repository.owner.login, e.pusher.name, e.head_commit.message)"',
        '          echo "CTX ${{ github.event_name }} ${{ github.ref_name }} ${{ runner.os }} ${{ runner.environment }} ${{ github.server_url }}"',
      ),
    });
    assert.equal(runs.length, 1);
    const run = runs[0];
    assert.ok(run);
    assert.equal(run.workflowName, 'CI');
    assert.equal(run.status, 'queued');
    const events: RunEvent[] = [];
    h.runner.watch(run.id, (event) => events.push(event));
    const detail = await finished(h, run.id);
    assert.equal(detail.conclusion, 'success', h.runner.readLog(run.id));
    assert.equal(detail.sha, sha);
    assert.equal(detail.runNumber, 1);
    assert.equal(detail.jobs.length, 1);
    assert.equal(detail.jobs[0]?.runsOn, 'self-hosted');
    assert.deepEqual(
      detail.jobs[0]?.steps.map((step) => step.conclusion),
      ['success', 'success', 'success', 'success'],
    );
    assert.deepEqual(detail.jobs[0]?.steps[1]?.outputs, { greeting: 'hi' });
    const log = h.runner.readLog(run.id, { job: 'build' });
    assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
    assert.match(log, new RegExp(`hello from mona/app at ${sha}`));
    assert.match(log, /got hi/);

    const env = Object.fromEntries([...log.matchAll(/ ENV (\w+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
    assert.deepEqual(env, {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'mona/app',
      GITHUB_REPOSITORY_OWNER: 'mona',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_WORKFLOW_REF: 'mona/app/.github/workflows/ci.yml@refs/heads/main',
      GITHUB_JOB: 'build',
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_NUMBER: '1',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_ACTOR: 'mona',
      GITHUB_SERVER_URL: `${h.cloud.url}/git`,
      GITHUB_ACTION: '__run_3',
      RUNNER_OS: 'Linux',
      RUNNER_NAME: 'dockyard',
      RUNNER_ENVIRONMENT: 'self-hosted',
      AWS_ENDPOINT_URL: h.cloud.url,
      DOCKER_HOST: 'unix:///tmp/dockyard-test.sock',
      CONTAINER_NAME: '',
      workspace: 'app',
      temp: 'dir docker=1-build',
    });
    assert.match(log, new RegExp(`EVENT refs/heads/main ${sha} mona/app mona mona change`));
    assert.match(log, new RegExp(`CTX push main Linux self-hosted ${h.cloud.url.replace(/\./g, '\\.')}/git`));

    // The workspace is removed after the job; the log stays.
    assert.deepEqual(readdirSync(join(h.dataDir, 'work')), []);
    assert.ok(existsSync(join(h.dataDir, 'runs', String(run.id))));
    // Events arrived in order: run started, job started, steps, job completed, run completed.
    const shape = events.flatMap((event) =>
      event.type === 'log' || event.type === 'notice' ? [] : [`${event.type}:${event.status}`],
    );
    assert.deepEqual(shape.slice(0, 2), ['run:in_progress', 'job:in_progress']);
    assert.deepEqual(shape.slice(-2), ['job:completed', 'run:completed']);
    assert.equal(shape.filter((entry) => entry === 'step:completed').length, 4);
    assert.ok(events.some((event) => event.type === 'log' && event.line.includes('got hi')));
    const completedRun = events.at(-1);
    assert.ok(
      completedRun?.type === 'run' &&
        completedRun.conclusion === 'success' &&
        typeof completedRun.durationMs === 'number',
    );
    assert.deepEqual(
      h.runner.listRuns({ repository: 'mona/app' }).map((record) => record.id),
      [run.id],
    );
    assert.match(h.runner.readLog(run.id), /^build\t\d{4}-/);
  });
});
