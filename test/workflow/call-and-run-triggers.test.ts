/**
 * `on: workflow_call` and `on: workflow_run` as the parser reads them, `jobs.<id>.uses` with its
 * `with`/`secrets`, and matchesWorkflowRun's filters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesWorkflowRun, type TemplateToken } from '../../src/workflow/index.js';
import { errorsOf, parse } from './helpers.js';

const jobs = 'jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n';

describe('on: workflow_call', () => {
  it('reads typed inputs with literal and expression defaults, secrets and outputs', () => {
    const workflow = parse(
      [
        'on:',
        '  workflow_call:',
        '    inputs:',
        '      name: {type: string, required: true}',
        '      count: {type: number, default: 3}',
        '      dry: {type: boolean, default: true}',
        '      who: {type: string, default: "${{ github.actor }}"}',
        '    secrets:',
        '      token: {required: true}',
        '      optional: {}',
        '    outputs:',
        '      url: {value: "${{ jobs.a.outputs.url }}"}',
        jobs,
      ].join('\n'),
    );
    const call = workflow.on.workflow_call;
    assert.ok(call);
    assert.deepEqual(call.inputs.name, { type: 'string', required: true });
    assert.deepEqual(call.inputs.count, { type: 'number', required: false, default: 3 });
    assert.deepEqual(call.inputs.dry, { type: 'boolean', required: false, default: true });
    assert.equal(typeof call.inputs.who?.default, 'object', 'an expression default stays a token');
    assert.deepEqual(call.secrets, { token: { required: true }, optional: { required: false } });
    assert.equal((call.outputs.url as TemplateToken).isExpression, true);
    assert.equal(workflow.on.push, undefined);
  });

  it('a bare `on: workflow_call` declares nothing', () => {
    assert.deepEqual(parse(`on: workflow_call\n${jobs}`).on.workflow_call, { inputs: {}, secrets: {}, outputs: {} });
  });

  it('reads a calling job: uses, with, secrets mapping or inherit', () => {
    const workflow = parse(
      [
        'on: push',
        'jobs:',
        '  one:',
        '    uses: ./.github/workflows/x.yml',
        '    with: {a: 1}',
        '    secrets: {t: "${{ secrets.T }}"}',
        '  two:',
        '    uses: o/r/.github/workflows/x.yml@v1',
        '    secrets: inherit',
      ].join('\n'),
    );
    const [one, two] = workflow.jobs;
    assert.equal(one?.uses, './.github/workflows/x.yml');
    assert.ok(one?.with);
    assert.ok(one?.secrets && one.secrets !== 'inherit');
    assert.equal(two?.uses, 'o/r/.github/workflows/x.yml@v1');
    assert.equal(two?.secrets, 'inherit');
    assert.equal(two?.steps.length, 0);
  });

  it('refuses steps beside uses, as GitHub does', () => {
    assert.ok(
      errorsOf(
        ['on: push', 'jobs:', '  one:', '    uses: ./.github/workflows/x.yml', '    steps: [{run: echo}]'].join('\n'),
      ).length > 0,
    );
  });
});

describe('on: workflow_run', () => {
  const follow = (lines: string[]) => parse(['on:', '  workflow_run:', ...lines, jobs].join('\n'));

  it('matches the named workflows, every type by default, and branch filters', () => {
    const all = follow(['    workflows: [Build, "Test suite"]']);
    assert.deepEqual(all.on.workflow_run, { workflows: ['Build', 'Test suite'], types: [] });
    for (const action of ['requested', 'in_progress', 'completed'] as const)
      assert.equal(matchesWorkflowRun(all, { workflowName: 'Test suite', action, headBranch: 'x' }), true);
    assert.equal(matchesWorkflowRun(all, { workflowName: 'build', action: 'completed', headBranch: 'x' }), false);

    const filtered = follow([
      '    workflows: [Build]',
      '    types: [completed]',
      "    branches: ['releases/**', '!releases/old']",
    ]);
    const event = { workflowName: 'Build', action: 'completed' as const };
    assert.equal(matchesWorkflowRun(filtered, { ...event, headBranch: 'releases/2' }), true);
    assert.equal(matchesWorkflowRun(filtered, { ...event, headBranch: 'releases/old' }), false);
    assert.equal(matchesWorkflowRun(filtered, { ...event, headBranch: 'main' }), false);
    assert.equal(matchesWorkflowRun(filtered, { ...event, action: 'requested', headBranch: 'releases/2' }), false);

    const ignoring = follow(['    workflows: [Build]', '    branches-ignore: [main]']);
    assert.equal(matchesWorkflowRun(ignoring, { ...event, headBranch: 'main' }), false);
    assert.equal(matchesWorkflowRun(ignoring, { ...event, headBranch: 'dev' }), true);
  });

  it('does not match workflows without the trigger', () => {
    assert.equal(
      matchesWorkflowRun(parse(`on: push\n${jobs}`), {
        workflowName: 'Build',
        action: 'completed',
        headBranch: 'main',
      }),
      false,
    );
  });
});
