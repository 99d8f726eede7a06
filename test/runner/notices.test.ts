/**
 * Runner.notify: what is said about a run from outside its steps (a deployment of it failing)
 * reaches its watchers attributed to the one job in progress, masked with the run's secrets,
 * kept as an annotation only when asked, and not at all once the run has completed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { finished, startHarness, workflow, type Harness } from './support.js';
import { waitFor } from '../support/wait-for.js';

describe('runner: notices from outside the steps', () => {
  let h: Harness;
  const scratch = mkdtempSync(join(tmpdir(), 'dockyard-notices-'));
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('are told to watchers under the running job, masked, and recorded when asked', async () => {
    h.settings.setSecret('mona/notices', 'TOKEN', 'hunter2-secret');
    const go = join(scratch, 'go');
    const { runs } = await h.push('mona/notices', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  deploy:',
        '    runs-on: self-hosted',
        '    steps:',
        `      - run: touch ${join(scratch, 'started')}; while [ ! -e ${go} ]; do sleep 0.05; done`,
      ),
    });
    const run = runs[0];
    assert.ok(run);
    const events = h.record(run.id);
    await waitFor('the step to start', () => existsSync(join(scratch, 'started')), { timeoutMs: 30_000 });

    h.runner.notify(run.id, {
      level: 'warning',
      title: 'ECS service apps/web',
      message: 'Task 1 stopped: exec "deploy --token hunter2-secret" failed',
      record: true,
    });
    h.runner.notify(run.id, { level: 'notice', message: 'Task 2 stopped for the same reason', record: false });
    const notices = events.filter((e) => e.type === 'notice');
    assert.deepEqual(
      notices.map((e) => (e.type === 'notice' ? [e.job, e.level, e.title, e.message] : [])),
      [
        ['deploy', 'warning', 'ECS service apps/web', 'Task 1 stopped: exec "deploy --token ***" failed'],
        ['deploy', 'notice', undefined, 'Task 2 stopped for the same reason'],
      ],
    );

    writeFileSync(go, '');
    const detail = await finished(h, run.id);
    assert.deepEqual(
      detail.annotations.map((a) => [a.job, a.level, a.title, a.message]),
      [['deploy', 'warning', 'ECS service apps/web', 'Task 1 stopped: exec "deploy --token ***" failed']],
    );

    // A completed run takes no more notices.
    const later = h.record(run.id);
    h.runner.notify(run.id, { level: 'warning', message: 'too late', record: true });
    assert.equal(later.length, 0);
    assert.equal(h.runner.getRun(run.id)?.annotations.length, 1);
  });
});
