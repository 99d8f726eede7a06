/**
 * effectivePermissions (job over workflow over the permissive default; read-all, write-all, {} and
 * unlisted scopes) and the display names of jobs and steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  effectivePermissions,
  jobDisplayName,
  PERMISSION_SCOPES,
  PERMISSIVE_DEFAULT,
  permits,
  stepDisplayName,
} from '../../src/workflow/index.js';
import { parse, scope, SEED_WORKFLOW, workflowWithSteps } from './helpers.js';

function permissionsOf(workflowPermissions: string, jobPermissions: string) {
  const workflow = parse(
    `on: push\n${workflowPermissions}\njobs:\n  a:\n    runs-on: x\n${jobPermissions}\n    steps:\n      - run: echo\n`,
  );
  const job = workflow.jobs[0];
  assert.ok(job);
  return effectivePermissions(workflow, job);
}

describe('effectivePermissions', () => {
  it('gives the permissive default when nothing is written', () => {
    const permissions = permissionsOf('', '');
    assert.deepEqual(permissions, { ...PERMISSIVE_DEFAULT });
    assert.equal(permissions.contents, 'write');
    assert.equal(permissions['id-token'], 'none');
    assert.deepEqual(Object.keys(permissions).sort(), [...PERMISSION_SCOPES].sort());
  });

  it("uses the workflow's permissions, unlisted scopes none", () => {
    const workflow = parse(SEED_WORKFLOW);
    const job = workflow.jobs[0];
    assert.ok(job);
    const permissions = effectivePermissions(workflow, job);
    assert.equal(permissions['id-token'], 'write');
    assert.equal(permissions.contents, 'read');
    for (const scopeName of PERMISSION_SCOPES.filter((name) => name !== 'id-token' && name !== 'contents')) {
      assert.equal(permissions[scopeName], 'none', scopeName);
    }
  });

  it("lets the job's permissions replace the workflow's entirely", () => {
    const permissions = permissionsOf(
      'permissions:\n  contents: write\n  id-token: write',
      '    permissions:\n      packages: read',
    );
    assert.equal(permissions.packages, 'read');
    assert.equal(permissions.contents, 'none');
    assert.equal(permissions['id-token'], 'none');
  });

  it('expands read-all and write-all', () => {
    assert.ok(Object.values(permissionsOf('permissions: read-all', '')).every((level) => level === 'read'));
    const all = permissionsOf('', '    permissions: write-all');
    assert.ok(Object.values(all).every((level) => level === 'write'));
    assert.equal(all['id-token'], 'write');
  });

  it('sets every scope to none for {}', () => {
    const none = permissionsOf('permissions: {}', '');
    assert.equal(Object.keys(none).length, PERMISSION_SCOPES.length);
    assert.ok(Object.values(none).every((level) => level === 'none'));
    assert.ok(
      Object.values(permissionsOf('permissions: write-all', '    permissions: {}')).every((level) => level === 'none'),
    );
  });

  it('says write implies read', () => {
    assert.equal(permits('write', 'read'), true);
    assert.equal(permits('write', 'write'), true);
    assert.equal(permits('read', 'read'), true);
    assert.equal(permits('read', 'write'), false);
    assert.equal(permits('none', 'read'), false);
    assert.equal(permits(undefined, 'read'), false);
  });
});

describe('stepDisplayName', () => {
  const steps =
    parse(
      workflowWithSteps(
        `- uses: actions/checkout@v4
- run: |

    npm ci
    npm test
- run: echo \${{ github.sha }}
- name: Build \${{ matrix.node }}
  run: make
- uses: ./.github/actions/local
- uses: docker://alpine:3.19
- name: \${{ fromJSON('{') }}
  run: x
- name: ''
  run: echo empty name`,
        'strategy:\n  matrix:\n    node: [20]',
      ),
    ).jobs[0]?.steps ?? [];
  const s = scope({ github: { sha: 'abc' }, matrix: { node: 20 } });

  it('names steps as GitHub does', () => {
    assert.deepEqual(
      steps.map((step) => stepDisplayName(step, s)),
      [
        'Run actions/checkout@v4',
        'Run npm ci',
        'Run echo ${{ github.sha }}',
        'Build 20',
        'Run ./.github/actions/local',
        'Run docker://alpine:3.19',
        "${{ fromJSON('{') }}",
        'Run echo empty name',
      ],
    );
  });
});

describe('jobDisplayName', () => {
  const workflow = parse(`on: push
jobs:
  build:
    runs-on: x
    strategy:
      matrix:
        os: [ubuntu]
        node: [20]
    steps:
      - run: echo
  named:
    name: Test suite
    runs-on: x
    steps:
      - run: echo
  expression:
    name: Test on \${{ matrix.os }}
    runs-on: x
    steps:
      - run: echo
`);
  const [build, named, expression] = workflow.jobs;
  assert.ok(build && named && expression);

  it('uses the id or the written name', () => {
    assert.equal(jobDisplayName(build, scope()), 'build');
    assert.equal(jobDisplayName(named, scope()), 'Test suite');
  });

  it('appends the matrix values', () => {
    const matrix = { os: 'ubuntu', node: 20 };
    assert.equal(jobDisplayName(build, scope({ matrix })), 'build (ubuntu, 20)');
    assert.equal(jobDisplayName(named, scope({ matrix }), matrix), 'Test suite (ubuntu, 20)');
    assert.equal(jobDisplayName(build, scope({ matrix: { cfg: { os: 'a', v: [1, true] } } })), 'build (a, 1, true)');
    assert.equal(jobDisplayName(build, scope({ matrix: {} })), 'build');
  });

  it('does not append them to a name that is an expression', () => {
    assert.equal(jobDisplayName(expression, scope({ matrix: { os: 'ubuntu' } })), 'Test on ubuntu');
  });
});
