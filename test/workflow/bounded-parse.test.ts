/**
 * Reading hostile workflow files: GitHub's limits (file size, YAML nodes with aliases expanded,
 * depth, result size) refuse them quickly with GitHub's messages; the worker pool keeps parsing
 * off the event loop and ends a parse that overruns its time; and an ordinary file reads exactly
 * as before, through the worker or not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { YamlObjectReader } from '@actions/workflow-parser/workflows/yaml-object-reader';
import type { ObjectReader } from '@actions/workflow-parser/templates/object-reader';
import { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import {
  evaluateToken,
  matchesPush,
  ParsePool,
  parsePushedWorkflowBounded,
  parseWorkflowFile,
  parseWorkflowFileBounded,
  readYamlBounded,
  WORKFLOW_READ_LIMITS,
  type ParseResult,
} from '../../src/workflow/index.js';
import { BoundedYamlReader } from '../../src/workflow/yaml-reader.js';
import { aliasBomb, largeWorkflow } from './hostile.js';
import { scope, SEED_WORKFLOW } from './helpers.js';

const FILE = '.github/workflows/hostile.yml';
const repoFile = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** Runs `work` while a 5 ms timer measures how late the event loop answers; returns the worst delay. */
async function worstEventLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; worstMs: number }> {
  let worstMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worstMs = Math.max(worstMs, now - last - 5);
    last = now;
  }, 5);
  try {
    const result = await work();
    return { result, worstMs };
  } finally {
    clearInterval(timer);
  }
}

describe('reading hostile workflow files', () => {
  it('refuses 10 nested levels of 10 aliases at once, naming the file and the limit', async () => {
    const bomb = aliasBomb(10, 10);
    assert.ok(bomb.length < 800, `${bomb.length} bytes`);
    await parseWorkflowFileBounded(FILE, 'on: push'); // the worker's start-up is not what is measured
    const started = performance.now();
    const { result, worstMs } = await worstEventLoopDelay(() => parseWorkflowFileBounded(FILE, bomb));
    const elapsed = performance.now() - started;
    assert.deepEqual(result, { errors: [`${FILE}: Maximum YAML nodes exceeded`] });
    assert.ok(elapsed < 2000, `${elapsed} ms`);
    // Expanded, it would hold a thread for hours; what remains is this machine's scheduling noise.
    assert.ok(worstMs < 500, `event loop held ${worstMs} ms`);
    // The same answer on the calling thread: the limit is the reader's, not only the worker's.
    assert.deepEqual(parseWorkflowFile(FILE, bomb), result);
    // Aliases within the limit still work (GitHub has allowed anchors since 2025).
    const reused = parseWorkflowFile(
      FILE,
      'on: push\njobs:\n  a:\n    runs-on: x\n    env: &env {A: "1", B: two}\n    steps: &steps\n      - run: echo $A\n  b:\n    runs-on: x\n    env: *env\n    steps: *steps\n',
    );
    assert.deepEqual(reused.errors, []);
    assert.deepEqual(
      reused.workflow?.jobs.map((job) => evaluateToken(job.env as TemplateToken, scope())),
      [
        { A: '1', B: 'two' },
        { A: '1', B: 'two' },
      ],
    );
    assert.deepEqual(
      reused.workflow?.jobs.map((job) => job.steps.length),
      [1, 1],
    );
  });

  it("refuses a file over 1 MiB with GitHub's message, without parsing it", async () => {
    const huge = largeWorkflow(WORKFLOW_READ_LIMITS.maxFileSize + 1);
    const started = performance.now();
    assert.deepEqual(await parseWorkflowFileBounded(FILE, huge), {
      errors: [`${FILE}: The maximum file size of 1048576 characters has been exceeded`],
    });
    assert.ok(performance.now() - started < 200);
    assert.deepEqual(parseWorkflowFile(FILE, huge).errors, [
      `${FILE}: The maximum file size of 1048576 characters has been exceeded`,
    ]);
  });

  it('refuses nesting deeper than 50 and more than 10 MiB of tokens', async () => {
    const nested = (depth: number) =>
      `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: a/b@v1\n        with:\n          v: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    // `with` is at depth 5 (root, jobs, a, steps, the step), so 45 more levels fit.
    assert.deepEqual((await parseWorkflowFileBounded(FILE, nested(44))).errors, [
      `${FILE} (Line: 8, Col: 14): A sequence was not expected`,
    ]);
    assert.deepEqual((await parseWorkflowFileBounded(FILE, nested(46))).errors, [
      `${FILE}: Maximum object depth exceeded`,
    ]);
    // 20 aliases of a 300,000-character string: 40 nodes, 12 MB once expanded.
    const big = `on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      S: &s "${'x'.repeat(300_000)}"\n${Array.from({ length: 20 }, (_, i) => `      C${i}: *s`).join('\n')}\n    steps:\n      - run: echo\n`;
    assert.deepEqual((await parseWorkflowFileBounded(FILE, big)).errors, [`${FILE}: Maximum object size exceeded`]);
  });

  it('keeps at most 10 errors of at most 500 characters, as GitHub', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}${'y'.repeat(600)}: 1`).join('\n');
    const { errors } = await parseWorkflowFileBounded(
      FILE,
      `on: push\n${keys}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n`,
    );
    assert.equal(errors.length, 10);
    for (const error of errors)
      assert.ok(error.length <= 500 + FILE.length + '(Line: 1, Col: 1): [...]'.length + 4, error);
    assert.match(errors[0] ?? '', /\[\.\.\.\]$/);
  });

  it('parses a 1 MiB workflow off the event loop, and ends a parse that overruns its time', async (t) => {
    const large = largeWorkflow(WORKFLOW_READ_LIMITS.maxFileSize - 1000);
    await parseWorkflowFileBounded(FILE, large); // warms the decoder up, as a running cloud has
    const onThisThread = performance.now();
    parseWorkflowFile(FILE, large);
    const inlineMs = performance.now() - onThisThread;
    const { result, worstMs } = await worstEventLoopDelay(() => parseWorkflowFileBounded(FILE, large));
    assert.deepEqual(result.errors, []);
    assert.ok((result.workflow?.jobs[0]?.steps.length ?? 0) > 2000);
    // Receiving and decoding the worker's answer is the only part on this thread (in slices of ~5 ms);
    // compared with the parse on this thread, measured just now on the same (shared, busy) machine.
    t.diagnostic(
      `1 MiB workflow: ${inlineMs.toFixed(0)} ms on the event loop; through the worker the loop was held at most ${worstMs.toFixed(1)} ms`,
    );
    assert.ok(worstMs < inlineMs / 2, `event loop held ${worstMs} ms; the parse on it takes ${inlineMs} ms`);

    const pool = new ParsePool({ size: 1, timeoutMs: 200 });
    try {
      const timedOut = await pool.parseWorkflow(FILE, large);
      assert.deepEqual(timedOut, { errors: [`${FILE}: Maximum parse time of 0.2 seconds exceeded`] });
      // The worker that overran was replaced: the next file parses normally.
      const next = await pool.parseWorkflow(
        FILE,
        'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ok\n',
      );
      assert.deepEqual(next.errors, []);
    } finally {
      await pool.close();
    }
  });

  it('bounds a long single line and a catastrophic filter pattern in time', async () => {
    // One line of 1,000,000 characters: a plain scalar that never ends, read in linear time.
    const line = `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ${'a '.repeat(499_950)}\n`;
    let started = performance.now();
    const longLine = await parseWorkflowFileBounded(FILE, line);
    assert.deepEqual(longLine.errors, []);
    assert.ok(performance.now() - started < 5000, `${performance.now() - started} ms`);

    // `**a**a…b` compiles to `.*a.*a…b`, which backtracks for ever on a path of a's: the worker runs
    // the trigger decision too, and its time limit ends it.
    const pattern = `${'**a'.repeat(12)}**b`;
    const workflow = `on:\n  push:\n    paths: ['${pattern}']\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n`;
    const push = { ref: 'refs/heads/main', changedFiles: ['a'.repeat(200)] };
    const pool = new ParsePool({ size: 1, timeoutMs: 1000 });
    try {
      started = performance.now();
      const { result, worstMs } = await worstEventLoopDelay(() => pool.parsePushedWorkflow(FILE, workflow, push));
      assert.deepEqual(result, {
        parsed: { errors: [`${FILE}: Maximum parse time of 1 second exceeded`] },
        triggered: false,
      });
      assert.ok(performance.now() - started < 5000);
      // On this thread the backtracking would hold it for minutes, and no time limit could end it.
      assert.ok(worstMs < 500, `event loop held ${worstMs} ms`);
    } finally {
      await pool.close();
    }
    // The same pattern on a path it matches quickly.
    const quick = await parsePushedWorkflowBounded(FILE, workflow, {
      ref: 'refs/heads/main',
      changedFiles: ['ab'.repeat(13)],
    });
    assert.equal(quick.triggered, true);
  });

  it("reads action manifests with yaml's alias bound and GitHub's file size", async () => {
    const bomb = [
      'name: bomb',
      'a0: &a0 [x]',
      ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`),
      'runs: {using: node20, main: index.js}',
    ].join('\n');
    await assert.rejects(
      readYamlBounded('action.yml', bomb),
      /Excessive alias count indicates a resource exhaustion attack/,
    );
    await assert.rejects(
      readYamlBounded('action.yml', `name: ${'x'.repeat(WORKFLOW_READ_LIMITS.maxFileSize)}`),
      /action\.yml: The maximum file size of 1048576 characters has been exceeded/,
    );
    assert.deepEqual(await readYamlBounded('action.yml', 'name: ok\nruns: {using: node20, main: index.js}\n'), {
      name: 'ok',
      runs: { using: 'node20', main: 'index.js' },
    });
  });
});

/** The events an ObjectReader yields, with everything a token carries but its schema definition. */
function drain(reader: ObjectReader): unknown[] {
  const events: unknown[] = [];
  const describe = (token: TemplateToken) => ({ ...token, definitionInfo: undefined, class: token.constructor.name });
  reader.validateStart();
  for (;;) {
    const literal = reader.allowLiteral();
    if (literal) events.push(describe(literal));
    else if (reader.allowSequenceEnd()) events.push('sequence-end');
    else if (reader.allowMappingEnd()) events.push('mapping-end');
    else {
      const collection = reader.allowSequenceStart() ?? reader.allowMappingStart();
      if (collection === undefined) break;
      events.push({ ...describe(collection), seq: undefined, map: undefined });
    }
  }
  reader.validateEnd();
  return events;
}

/** Drops what the worker does not carry (the schema's definition and description), so that trees compare by content and class. */
function withoutDefinitions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefinitions);
  if (value === null || typeof value !== 'object') return value;
  const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    if (key === '_description') continue;
    copy[key] = key === 'definitionInfo' ? undefined : withoutDefinitions(item);
  }
  return copy;
}

describe('reading ordinary workflow files', () => {
  const corpus: [string, string][] = [
    ['.github/workflows/deploy.yml', SEED_WORKFLOW],
    ['.github/workflows/deployment.yaml', repoFile('examples/seed-app/.github/workflows/deployment.yaml')],
    ['.github/workflows/checkout.yml', repoFile('builtin-actions/actions/checkout/v4/action.yml')],
    ['.github/workflows/aws.yml', repoFile('builtin-actions/aws-actions/configure-aws-credentials/v4/action.yml')],
    [
      '.github/workflows/shapes.yml',
      [
        'name: shapes',
        'on:',
        '  push:',
        '    branches: [main, "releases/**"]',
        '    paths-ignore: [docs/**]',
        '  workflow_dispatch:',
        '    inputs:',
        '      level: {type: choice, options: [a, b], default: a}',
        '      n: {type: number, default: 1.50}',
        'env: &env',
        '  A: 1',
        '  B: true',
        '  C: ~',
        '  D: 0x1F',
        "  E: 'it''s'",
        '  F: "tab\\there"',
        'concurrency: ${{ github.ref }}',
        'jobs:',
        '  build:',
        '    runs-on: [self-hosted, "${{ vars.LABEL }}"]',
        '    env: *env',
        '    strategy:',
        '      matrix:',
        '        os: [a, b]',
        '        include: [{os: c, x: {deep: [1, 2]}}]',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - name: Multi ${{ matrix.os }}',
        '        run: |',
        '          echo ${{ github.sha }}',
        '          echo "two"',
        '      - run: >-',
        '          folded',
        '          text',
        '        env:',
        '          ${{ insert }}: ${{ fromJSON(vars.MORE) }}',
        "          K: ${{ format('{0}-{1}', github.ref, 3) }}",
        '  after:',
        '    needs: [build]',
        '    if: always()',
        '    runs-on: x',
        '    steps:',
        '      - run: |+',
        '          kept',
        '',
        '',
      ].join('\n'),
    ],
  ];

  it("yields exactly the events of the package's YAML reader", () => {
    for (const [file, content] of corpus) {
      assert.deepEqual(
        drain(new BoundedYamlReader(1, content, WORKFLOW_READ_LIMITS)),
        drain(new YamlObjectReader(1, content)),
        file,
      );
    }
  });

  it('parses identically through the worker, tokens with their classes', async () => {
    for (const [file, content] of corpus) {
      const local: ParseResult = parseWorkflowFile(file, content);
      const bounded = await parseWorkflowFileBounded(file, content);
      assert.deepStrictEqual(bounded, withoutDefinitions(local), file);
    }
    const seed = await parseWorkflowFileBounded('.github/workflows/deploy.yml', SEED_WORKFLOW);
    const step = seed.workflow?.jobs[0]?.steps[3];
    assert.ok(step?.run instanceof TemplateToken);
    assert.equal(matchesPush(seed.workflow ?? assert.fail(), { ref: 'refs/heads/master' }), true);
  });

  it("decides push triggers in the worker as matchesPush does, with GitHub's 300-file diff", async () => {
    const workflow =
      'on:\n  push:\n    paths: ["src/**"]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n';
    const decide = async (changedFiles: string[]) =>
      (await parsePushedWorkflowBounded(FILE, workflow, { ref: 'refs/heads/main', changedFiles })).triggered;
    assert.equal(await decide(['src/a.ts']), true);
    assert.equal(await decide(['docs/a.md']), false);
    const docs = Array.from({ length: 300 }, (_, i) => `docs/${i}.md`);
    assert.equal(await decide([...docs.slice(0, 299), 'src/a.ts']), true);
    assert.equal(await decide([...docs, 'src/a.ts']), false, 'the 301st file is not looked at');
  });
});
