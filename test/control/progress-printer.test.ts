/**
 * The progress printer's notices: told under the step that is running (named once, since a
 * step is only printed when it ends), wrapped rather than clipped, at job or run level when no
 * step runs; and the rest of the stream unchanged around them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProgressEvent } from '../../src/control/contract.js';
import { ProgressPrinter } from '../../src/control/progress-printer.js';

function print(events: ProgressEvent[]): string[] {
  const printer = new ProgressPrinter();
  return events.flatMap((event) => printer.lines(event));
}

const running = (number: number, name: string): ProgressEvent => ({
  type: 'step',
  job: '7',
  number,
  name,
  status: 'in_progress',
});
const done = (number: number, name: string): ProgressEvent => ({
  type: 'step',
  job: '7',
  number,
  name,
  status: 'completed',
  conclusion: 'success',
  durationMs: 12,
});

describe('progress printer: notices', () => {
  it('names the running step once, then prints each notice under it', () => {
    const reason =
      'ResourceInitializationError: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory';
    const lines = print([
      { type: 'job', job: '7', name: 'deploy', status: 'in_progress' },
      running(1, 'Render Amazon ECS task definition'),
      done(1, 'Render Amazon ECS task definition'),
      running(2, 'Deploy Amazon ECS task definition'),
      {
        type: 'notice',
        job: '7',
        level: 'warning',
        title: 'ECS service apps/web',
        message: `Task abc stopped before RUNNING: ${reason} (TaskFailedToStart)`,
      },
      {
        type: 'notice',
        job: '7',
        level: 'warning',
        title: 'ECS service apps/web',
        message: '(service web) is unable to consistently start tasks successfully.',
      },
      done(2, 'Deploy Amazon ECS task definition'),
    ]);
    assert.deepEqual(lines, [
      '  job deploy',
      '    ✓ Render Amazon ECS task definition (12 ms)',
      '    … Deploy Amazon ECS task definition',
      '      warning: ECS service apps/web: Task abc stopped before RUNNING: ResourceInitializationError: unable to start container process: exec: "/nonexistent": stat',
      '        /nonexistent: no such file or directory (TaskFailedToStart)',
      '      warning: ECS service apps/web: (service web) is unable to consistently start tasks successfully.',
      '    ✓ Deploy Amazon ECS task definition (12 ms)',
    ]);
    assert.ok(
      lines.every((line) => line.length <= 200),
      'git shows remote lines of at most 200 characters whole',
    );
  });

  it('without a running step the notice stands at job level, without a job at run level; a very long one ends in …', () => {
    const lines = print([
      { type: 'notice', job: '7', level: 'notice', message: 'between steps' },
      { type: 'notice', level: 'warning', message: `x${' word'.repeat(400)}` },
    ]);
    assert.equal(lines[0], '    notice: between steps');
    assert.ok(lines[1]?.startsWith('  warning: x word'));
    assert.equal(lines.length, 1 + 6, 'six lines at most');
    assert.ok(lines.at(-1)?.endsWith('…'));
  });
});
