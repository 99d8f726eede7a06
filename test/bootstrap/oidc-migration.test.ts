/**
 * migrateWorkflowText on the shapes static-key deploy workflows come in: GitHub's starter workflow
 * (workflow-level permissions), job-level permissions, none at all, flow mappings, a step that
 * assumes a role with its keys, read-all, several jobs, CRLF files. Every line but the edited ones
 * stays byte for byte; the result parses as a workflow that may ask for an OIDC token; the diff
 * applies with `git apply`. The outline comes from the parse worker, as the CLI gets it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MigrationError, migrateWorkflowText } from '../../src/bootstrap/oidc-migration.js';
import { unifiedDiff } from '../../src/cli/unified-diff.js';
import {
  effectivePermissions,
  mappingValue,
  outlineYamlBounded,
  parseWorkflowFileBounded,
  sourceText,
  type WorkflowDefinition,
} from '../../src/workflow/index.js';
import { runOk } from '../support/run.js';

const ROLE = 'arn:aws:iam::123456789012:role/github-deploy-acme-shop';
const FILE = '.github/workflows/deploy.yml';

async function migrate(content: string) {
  const outline = await outlineYamlBounded(FILE, content, 8);
  assert.ok('root' in outline, JSON.stringify(outline));
  return migrateWorkflowText(content, outline.root, ROLE);
}

async function parsed(content: string): Promise<WorkflowDefinition> {
  const result = await parseWorkflowFileBounded(FILE, content);
  assert.ok(result.workflow, result.errors.join('\n'));
  return result.workflow;
}

/** The lines of `after` that are not in `before`, and the reverse (as multisets, in order). */
function changedLines(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  const removed = a.filter((line) => !b.includes(line));
  const added = b.filter((line) => !a.includes(line));
  return { added, removed };
}

const STARTER = `name: Deploy to Amazon ECS

on:
  push:
    branches: [ "main" ]

env:
  AWS_REGION: MY_AWS_REGION                   # set this to your preferred AWS region, e.g. us-west-1
  ECS_SERVICE: MY_ECS_SERVICE                 # set this to your Amazon ECS service name

permissions:
  contents: read

jobs:
  deploy:
    name: Deploy
    runs-on: ubuntu-latest
    environment: production

    steps:
    - name: Checkout
      uses: actions/checkout@v4

    - name: Configure AWS credentials
      uses: aws-actions/configure-aws-credentials@v1
      with:
        aws-access-key-id: \${{ secrets.AWS_ACCESS_KEY_ID }}    # the keys
        aws-secret-access-key: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
        aws-region: \${{ env.AWS_REGION }}

    - name: Deploy Amazon ECS task definition
      uses: aws-actions/amazon-ecs-deploy-task-definition@v1
      with:
        task-definition: task-definition.json
        service: \${{ env.ECS_SERVICE }}
`;

describe('migrateWorkflowText', () => {
  it("GitHub's starter workflow: the keys become role-to-assume, id-token: write joins the workflow's permissions, the rest is untouched", async () => {
    const migrated = await migrate(STARTER);
    assert.deepEqual(changedLines(STARTER, migrated.text), {
      added: [`        role-to-assume: ${ROLE}`, '  id-token: write'].sort(
        (x, y) => migrated.text.indexOf(x) - migrated.text.indexOf(y),
      ),
      removed: [
        '        aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}    # the keys',
        '        aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}',
      ],
    });
    assert.equal(migrated.text.split('\n').length, STARTER.split('\n').length);
    const workflow = await parsed(migrated.text);
    const job = workflow.jobs[0];
    assert.ok(job);
    assert.equal(effectivePermissions(workflow, job)['id-token'], 'write');
    assert.equal(effectivePermissions(workflow, job).contents, 'read');
    const step = job.steps[1];
    assert.equal(sourceText(mappingValue(step?.with, 'role-to-assume') ?? assert.fail('no role-to-assume')), ROLE);
    assert.equal(mappingValue(step?.with, 'aws-access-key-id'), undefined);
    assert.deepEqual(migrated.changes, [
      `job deploy, step "Configure AWS credentials": access keys → role-to-assume ${ROLE}`,
      'workflow: id-token: write added to its permissions',
    ]);
  });

  it('job-level permissions get id-token: write there; an explicit id-token: none is changed', async () => {
    const content = [
      'on: push',
      'jobs:',
      '  deploy:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read',
      '      id-token: none',
      '    steps:',
      '      - uses: aws-actions/configure-aws-credentials@v4',
      '        with:',
      '          aws-region: eu-west-1',
      '          aws-access-key-id: ${{ secrets.KEY }}',
      '          aws-secret-access-key: ${{ secrets.SECRET }}',
      '          aws-session-token: ${{ secrets.TOKEN }}',
      '',
    ].join('\n');
    const migrated = await migrate(content);
    assert.equal(
      migrated.text,
      [
        'on: push',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    permissions:',
        '      contents: read',
        '      id-token: write',
        '    steps:',
        '      - uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        '          aws-region: eu-west-1',
        `          role-to-assume: ${ROLE}`,
        '',
      ].join('\n'),
    );
  });

  it('no permissions anywhere: the job gets id-token: write and contents: read before its steps, and a note says what it lost', async () => {
    const content =
      'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v2\n        with: { aws-access-key-id: "${{ secrets.K }}", aws-secret-access-key: "${{ secrets.S }}", aws-region: us-east-1 }\n';
    const migrated = await migrate(content);
    assert.equal(
      migrated.text,
      `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n      contents: read\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v2\n        with: { role-to-assume: ${ROLE}, aws-region: us-east-1 }\n`,
    );
    assert.match(
      migrated.notes[0] ?? '',
      /job deploy had GitHub's default token permissions; now it has contents: read and id-token: write only/,
    );
    const workflow = await parsed(migrated.text);
    assert.equal(
      effectivePermissions(workflow, workflow.jobs[0] as WorkflowDefinition['jobs'][number])['id-token'],
      'write',
    );
  });

  it("workflow permissions shared with a job that needs no token: the deploy job gets its own block, the workflow's plus id-token", async () => {
    const content = [
      'on: push',
      'permissions:',
      '  contents: read',
      '  pull-requests: write',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: make test',
      '  deploy:',
      '    needs: test',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: aws-actions/configure-aws-credentials@v4',
      '        with:',
      '          aws-access-key-id: ${{ secrets.K }}',
      '          aws-secret-access-key: ${{ secrets.S }}',
      '          aws-region: us-east-1',
    ].join('\n');
    const migrated = await migrate(content);
    const workflow = await parsed(migrated.text);
    const [test, deploy] = workflow.jobs;
    assert.ok(test && deploy);
    assert.equal(effectivePermissions(workflow, test)['id-token'], 'none');
    assert.deepEqual(
      Object.entries(effectivePermissions(workflow, deploy)).filter(([, level]) => level !== 'none'),
      [
        ['contents', 'read'],
        ['id-token', 'write'],
        ['pull-requests', 'write'],
      ],
    );
    assert.ok(!migrated.text.endsWith('\n'), 'a file without a final newline keeps it so');
  });

  it('a step that assumed a role with its keys keeps role-to-assume, now the migrated role', async () => {
    const content = [
      'on: push',
      'permissions: read-all',
      'jobs:',
      '  deploy:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - name: creds',
      '        uses: aws-actions/configure-aws-credentials@v4',
      '        with:',
      '          aws-access-key-id: ${{ secrets.K }}',
      '          aws-secret-access-key: ${{ secrets.S }}',
      '          role-to-assume: arn:aws:iam::123456789012:role/old',
      '          aws-region: us-east-1',
      '',
    ].join('\n');
    const migrated = await migrate(content);
    assert.match(migrated.text, new RegExp(`\n {10}role-to-assume: ${ROLE}\n {10}aws-region: us-east-1\n$`));
    assert.doesNotMatch(migrated.text, /aws-access-key-id|role\/old/);
    const workflow = await parsed(migrated.text);
    const permissions = effectivePermissions(workflow, workflow.jobs[0] as WorkflowDefinition['jobs'][number]);
    assert.equal(permissions['id-token'], 'write');
    assert.equal(permissions.contents, 'read');
  });

  it('keeps CRLF line endings and notes keys still passed in env', async () => {
    const content = [
      'on: push',
      'jobs:',
      '  deploy:',
      '    runs-on: ubuntu-latest',
      '    permissions: { contents: read }',
      '    steps:',
      '      - uses: aws-actions/configure-aws-credentials@v4',
      '        with:',
      '          aws-access-key-id: ${{ secrets.K }}',
      '          aws-secret-access-key: ${{ secrets.S }}',
      '          aws-region: us-east-1',
      '      - run: ./deploy.sh',
      '        env:',
      '          AWS_ACCESS_KEY_ID: ${{ secrets.K }}',
      '',
    ].join('\r\n');
    const migrated = await migrate(content);
    assert.ok(!/[^\r]\n/.test(migrated.text), 'every line still ends in CRLF');
    assert.match(migrated.text, /permissions: \{ contents: read, id-token: write \}\r\n/);
    assert.match(migrated.notes.join('\n'), /job deploy, step "#2" still sets AWS_ACCESS_KEY_ID in env: not changed/);
  });

  it('refuses a workflow with no static keys', async () => {
    await assert.rejects(
      migrate(
        'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n',
      ),
      MigrationError,
    );
    await assert.rejects(migrate('on: push\njobs: {}\n'), /no configure-aws-credentials step passes aws-access-key-id/);
  });

  it('the diff applies with git apply and gives the migrated file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockyard-migration-'));
    try {
      mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
      writeFileSync(join(dir, FILE), STARTER);
      const migrated = await migrate(STARTER);
      const diff = unifiedDiff(FILE, STARTER.slice(0, -1).split('\n'), migrated.edits, true);
      assert.match(
        diff,
        /^--- a\/\.github\/workflows\/deploy\.yml\n\+\+\+ b\/\.github\/workflows\/deploy\.yml\n@@ -10,6 \+10,7 @@\n/,
      );
      writeFileSync(join(dir, 'change.diff'), diff);
      await runOk('git', ['init', '-q'], { cwd: dir });
      await runOk('git', ['apply', 'change.diff'], { cwd: dir });
      assert.equal(readFileSync(join(dir, FILE), 'utf8'), migrated.text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
