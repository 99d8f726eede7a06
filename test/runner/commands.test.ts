import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../src/runner/index.js';
import { finished, startHarness, workflow, type Harness } from './support.js';

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('runner: file commands, workflow commands, masking, contexts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('applies GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT heredocs and GITHUB_STEP_SUMMARY', async () => {
    const { runs } = await h.push('mona/files', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: |',
        '          echo "FROM_STEP=one" >> "$GITHUB_ENV"',
        '          echo "AWS_ENDPOINT_URL=http://elsewhere:1" >> "$GITHUB_ENV"',
        '          echo "GITHUB_SHA=bogus" >> "$GITHUB_ENV"',
        '          { echo "MULTI<<EOF"; echo "line 1"; echo "line 2"; echo "EOF"; } >> "$GITHUB_ENV"',
        '          mkdir -p "$RUNNER_TEMP/bin" && printf "#!/bin/sh\\necho tool-ran\\n" > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"',
        '          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"',
        '          echo "### Summary title" >> "$GITHUB_STEP_SUMMARY"',
        '      - id: out',
        '        run: |',
        '          echo "FROM_STEP=$FROM_STEP env ${{ env.FROM_STEP }}"',
        '          echo "multi: $MULTI" | tr "\\n" "|"; echo',
        '          mytool',
        '          echo "endpoint=$AWS_ENDPOINT_URL sha-kept=$([ "$GITHUB_SHA" != bogus ] && echo yes)"',
        '          { echo "text<<DELIM"; echo "a=b"; echo "c"; echo "DELIM"; } >> "$GITHUB_OUTPUT"',
        '      - run: echo "output [${{ steps.out.outputs.text }}]" | tr "\\n" "|"; echo',
        '      - id: bad',
        '        continue-on-error: true',
        '        run: echo "NOEQUALS" >> "$GITHUB_OUTPUT"',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const log = h.runner.readLog(detail.id);
    assert.match(log, /FROM_STEP=one env one/);
    assert.match(log, /multi: line 1\|line 2\|/);
    assert.match(log, /tool-ran/);
    assert.match(log, /endpoint=http:\/\/elsewhere:1 sha-kept=yes/);
    assert.match(log, /output \[a=b\|c\]\|/);
    assert.match(log, /##\[error\]Invalid format 'NOEQUALS'/);
    assert.equal(detail.jobs[0]?.steps[1]?.outputs.text, 'a=b\nc');
    assert.equal(detail.jobs[0]?.steps[3]?.outcome, 'failure');
    assert.deepEqual(detail.summaries, [{ job: 'a', markdown: '### Summary title\n' }]);
    assert.equal(detail.conclusion, 'success');
  });

  it('handles workflow commands: annotations, groups, debug, set-output, stop-commands', async () => {
    const { runs } = await h.push('mona/commands', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - id: cmds',
        '        run: |',
        '          echo "::error file=app.js,line=3,title=Oops::broken%0Atwo lines"',
        '          echo "::notice::fyi"',
        '          echo "::group::My group"',
        '          echo inside',
        '          echo "::endgroup::"',
        '          echo "::debug::hidden debug"',
        '          echo "::set-output name=legacy::old-style"',
        '          echo "::stop-commands::pause123"',
        '          echo "::error::not an annotation"',
        '          echo "::pause123::"',
        '          echo "::notice::back on"',
        '      - run: echo "legacy=${{ steps.cmds.outputs.legacy }}"',
        // Commands are read from stderr too (in a step of its own: the streams interleave freely).
        '      - run: echo "::warning::careful" >&2',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const log = h.runner.readLog(detail.id, { job: 'a' });
    assert.match(log, /##\[group\]My group\n.*inside\n.*##\[endgroup\]/);
    assert.doesNotMatch(log, /##\[debug\]hidden debug/);
    assert.match(log, /The `set-output` command is deprecated/);
    assert.match(log, /legacy=old-style/);
    assert.match(log, /::error::not an annotation/);
    const annotations = detail.annotations.map(({ level, message, file, line, title }) => ({
      level,
      message,
      file,
      line,
      title,
    }));
    assert.deepEqual(
      annotations.find((annotation) => annotation.level === 'error'),
      { level: 'error', message: 'broken\ntwo lines', file: 'app.js', line: 3, title: 'Oops' },
    );
    assert.ok(
      detail.annotations.some((annotation) => annotation.level === 'warning' && annotation.message === 'careful'),
    );
    assert.ok(detail.annotations.some((annotation) => annotation.message === 'back on'));
    assert.ok(!detail.annotations.some((annotation) => annotation.message === 'not an annotation'));
  });

  it('masks secrets, ::add-mask:: values and multi-line secrets in log files and watch events; secrets and vars contexts', async () => {
    h.settings.setSecret('mona/masking', 'API_KEY', 's3cr3t-value-123');
    h.settings.setSecret('mona/masking', 'PEM', 'first-line-AAAA\nsecond-line-BBBB');
    h.settings.setVariable('mona/masking', 'REGION_NAME', 'eu-test-1');
    h.settings.setVariable('mona/masking', 'ACTIONS_STEP_DEBUG', 'true');
    const events: RunEvent[] = [];
    const { runs } = await h.push('mona/masking', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    env:',
        '      KEY: ${{ secrets.API_KEY }}',
        '    outputs:',
        '      leaked: ${{ steps.o.outputs.key }}',
        '      fine: ${{ steps.o.outputs.fine }}',
        '    steps:',
        '      - run: |',
        '          echo "key is $KEY and ${{ secrets.API_KEY }}"',
        '          echo "pem: ${{ secrets.PEM }}"',
        '          echo "var ${{ vars.REGION_NAME }} missing [${{ secrets.NOPE }}]"',
        // The value is computed: a literal in the script would be shown in the step header first, as on GitHub.
        '          value="dynamic-value-$((333 * 3))"',
        '          echo "::add-mask::$value"',
        '          echo "later $value appears"',
        '          echo "token ${{ secrets.GITHUB_TOKEN }} / ${{ github.token }}"',
        '          echo "::debug::debug is on"',
        '          echo "$KEY" >&2',
        '      - id: o',
        '        run: |',
        '          echo "key=$KEY" >> "$GITHUB_OUTPUT"',
        '          echo "fine=ok" >> "$GITHUB_OUTPUT"',
      ),
    });
    const run = runs[0];
    assert.ok(run);
    h.runner.watch(run.id, (event) => events.push(event));
    const detail = await finished(h, run.id);
    assert.equal(detail.conclusion, 'success');
    const log = h.runner.readLog(run.id);
    assert.match(log, /key is \*\*\* and \*\*\*/);
    assert.match(log, /pem: \*\*\*/);
    assert.match(log, /var eu-test-1 missing \[\]/);
    assert.match(log, /later \*\*\* appears/);
    assert.match(log, /token \*\*\* \/ \*\*\*/);
    assert.match(log, /##\[debug\]debug is on/);
    assert.deepEqual(detail.jobs[0]?.outputs, { fine: 'ok' });
    assert.match(log, /Skip output 'leaked' since it may contain secret\./);
    assert.equal(detail.jobs[0]?.steps[1]?.outputs.key, '***');

    const forbidden = ['s3cr3t-value-123', 'first-line-AAAA', 'second-line-BBBB', 'dynamic-value-999', 'ghs_'];
    const streamed = events.map((event) => JSON.stringify(event)).join('\n');
    assert.ok(
      events.some((event) => event.type === 'log'),
      'log events were streamed',
    );
    for (const value of forbidden) {
      assert.ok(!log.includes(value), `log contains ${value}`);
      assert.ok(!streamed.includes(value), `events contain ${value}`);
    }
    for (const file of filesUnder(join(h.dataDir, 'runs'))) {
      const content = readFileSync(file, 'utf8');
      for (const value of forbidden) assert.ok(!content.includes(value), `${file} contains ${value}`);
    }
  });
});
