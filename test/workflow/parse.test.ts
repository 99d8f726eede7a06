/**
 * parseWorkflowFile: the seed's workflow, every form of `on:`, the fields the converted model lacks,
 * GitHub's generated step ids, and the parser's error messages with their positions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateCondition,
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  matchesPush,
  parseWorkflowFile,
} from '../../src/workflow/index.js';
import { errorsOf, parse, scope, SEED_WORKFLOW, workflowWithSteps } from './helpers.js';

describe('parseWorkflowFile: the seed workflow', () => {
  const workflow = parse(SEED_WORKFLOW, '.github/workflows/deploy.yml');

  it('has one job with six steps', () => {
    assert.equal(workflow.name, 'Deploy to ECS');
    assert.equal(workflow.file, '.github/workflows/deploy.yml');
    assert.equal(workflow.jobs.length, 1);
    const [job] = workflow.jobs;
    assert.equal(job?.id, 'deploy');
    assert.equal(job?.steps.length, 6);
    assert.deepEqual(job?.needs, []);
    assert.equal(job?.if, 'success()');
  });

  it('triggers on push to master only', () => {
    assert.deepEqual(workflow.on, { push: { branches: ['master'] }, other: [] });
    assert.equal(matchesPush(workflow, { ref: 'refs/heads/master' }), true);
    assert.equal(matchesPush(workflow, { ref: 'refs/heads/main' }), false);
    assert.equal(matchesPush(workflow, { ref: 'refs/heads/master-2' }), false);
    assert.equal(matchesPush(workflow, { ref: 'refs/tags/v1' }), false);
  });

  it('keeps the workflow permissions as written', () => {
    assert.deepEqual(workflow.permissions, { 'id-token': 'write', contents: 'read' });
    assert.equal(workflow.jobs[0]?.permissions, undefined);
  });

  it('has user ids where written and GitHub ids elsewhere', () => {
    const steps = workflow.jobs[0]?.steps ?? [];
    assert.deepEqual(
      steps.map((step) => [step.id, step.hasUserId]),
      [
        ['__actions_checkout', false],
        ['__aws-actions_configure-aws-credentials', false],
        ['login-ecr', true],
        ['build-image', true],
        ['task-def', true],
        ['__aws-actions_amazon-ecs-deploy-task-definition', false],
      ],
    );
    assert.deepEqual(
      steps.map((step) => step.uses),
      [
        'actions/checkout@v4',
        'aws-actions/configure-aws-credentials@v4',
        'aws-actions/amazon-ecr-login@v2',
        undefined,
        'aws-actions/amazon-ecs-render-task-definition@v1',
        'aws-actions/amazon-ecs-deploy-task-definition@v1',
      ],
    );
  });

  it("evaluates the steps' with, env and run in a scope", () => {
    const steps = workflow.jobs[0]?.steps ?? [];
    const s = scope({
      github: { sha: '0123abc' },
      steps: {
        'login-ecr': { outputs: { registry: '000000000000.dkr.ecr.us-east-1.amazonaws.com' } },
        'build-image': { outputs: { image: 'img:1' } },
      },
    });
    assert.deepEqual(evaluateStringMap(steps[1]?.with, s), {
      'role-to-assume': 'arn:aws:iam::000000000000:role/GitHub_Actions_Role',
      'aws-region': 'us-east-1',
    });
    assert.deepEqual(evaluateStringMap(steps[3]?.env, s), {
      ECR_REGISTRY: '000000000000.dkr.ecr.us-east-1.amazonaws.com',
      ECR_REPOSITORY: 'my-app',
      IMAGE_TAG: '0123abc',
    });
    assert.equal(
      evaluateString(steps[3]?.run, s),
      [
        'docker build -t $ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG .',
        'docker push $ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG',
        'echo "image=$ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG" >> $GITHUB_OUTPUT',
        '',
      ].join('\n'),
    );
    assert.equal(evaluateStringMap(steps[4]?.with, s).image, 'img:1');
    // YAML's `true` reaches the action as the string 'true'.
    assert.equal(evaluateStringMap(steps[5]?.with, s)['wait-for-service-stability'], 'true');
    assert.equal(evaluateString(workflow.jobs[0]?.runsOn, s), 'ubuntu-latest');
  });
});

describe('parseWorkflowFile: on', () => {
  const jobs = 'jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n';

  it('accepts a single event name', () => {
    assert.deepEqual(parse(`on: push\n${jobs}`).on, { push: {}, other: [] });
    assert.deepEqual(parse(`on: pull_request\n${jobs}`).on, { other: ['pull_request'] });
  });

  it('accepts a list of event names', () => {
    assert.deepEqual(parse(`on: [push, workflow_dispatch, pull_request]\n${jobs}`).on, {
      push: {},
      workflow_dispatch: { inputs: {} },
      other: ['pull_request'],
    });
  });

  it('accepts a map, with empty values', () => {
    assert.deepEqual(parse(`on:\n  push:\n  schedule:\n    - cron: '0 0 * * *'\n${jobs}`).on, {
      push: {},
      other: ['schedule'],
    });
  });

  it('reads every push filter, a single string as a one-item list', () => {
    const workflow = parse(`on:
  push:
    branches: main
    tags: ['v*', '!v0*']
    paths: ['src/**']
${jobs}`);
    assert.deepEqual(workflow.on.push, { branches: ['main'], tags: ['v*', '!v0*'], paths: ['src/**'] });
  });

  it('reads -ignore filters', () => {
    const workflow = parse(
      `on:\n  push:\n    branches-ignore: ['dependabot/**']\n    tags-ignore: ['*-rc']\n    paths-ignore: ['**.md']\n${jobs}`,
    );
    assert.deepEqual(workflow.on.push, {
      'branches-ignore': ['dependabot/**'],
      'tags-ignore': ['*-rc'],
      'paths-ignore': ['**.md'],
    });
  });

  it('reads workflow_dispatch inputs of every type', () => {
    const workflow = parse(`on:
  workflow_dispatch:
    inputs:
      environment:
        description: Where to deploy
        type: choice
        options: [staging, production]
        default: staging
        required: true
      dry-run:
        type: boolean
        default: true
      replicas:
        type: number
        default: 3
      note:
        description: free text
${jobs}`);
    assert.deepEqual(workflow.on.workflow_dispatch?.inputs, {
      environment: {
        type: 'choice',
        description: 'Where to deploy',
        required: true,
        default: 'staging',
        options: ['staging', 'production'],
      },
      'dry-run': { type: 'boolean', default: true },
      replicas: { type: 'number', default: 3 },
      note: { type: 'string', description: 'free text' },
    });
  });
});

describe('parseWorkflowFile: workflow fields', () => {
  it('names the workflow after its file when name is absent', () => {
    assert.equal(
      parse('on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n', '.github/workflows/build.yaml')
        .name,
      '.github/workflows/build.yaml',
    );
  });

  it('reads run-name, env, defaults, concurrency and permissions strings', () => {
    const workflow = parse(`name: CI
run-name: Deploy by \${{ github.actor }}
on: push
permissions: read-all
env:
  A: one
defaults:
  run:
    shell: bash
    working-directory: app
concurrency: deploy
jobs:
  a:
    runs-on: x
    steps:
      - run: echo
`);
    assert.equal(evaluateString(workflow.runName, scope({ github: { actor: 'octocat' } })), 'Deploy by octocat');
    assert.deepEqual(evaluateStringMap(workflow.env, scope()), { A: 'one' });
    assert.deepEqual(workflow.defaults, { run: { shell: 'bash', 'working-directory': 'app' } });
    assert.equal(evaluateString(workflow.concurrency, scope()), 'deploy');
    assert.equal(workflow.permissions, 'read-all');
  });

  it('keeps an empty permissions map', () => {
    const workflow = parse(
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    permissions: write-all\n    steps:\n      - run: echo\n',
    );
    assert.deepEqual(workflow.permissions, {});
    assert.equal(workflow.jobs[0]?.permissions, 'write-all');
  });
});

describe('parseWorkflowFile: jobs', () => {
  it('reads job fields the converted model lacks', () => {
    const workflow = parse(`on: push
jobs:
  build:
    name: Build it
    runs-on: [self-hosted, linux]
    timeout-minutes: 30
    continue-on-error: true
    permissions:
      contents: write
    defaults:
      run:
        shell: sh
    environment: production
    outputs:
      image: \${{ steps.b.outputs.image }}
    steps:
      - run: echo
  test:
    needs: build
    if: github.ref == 'refs/heads/main'
    runs-on: x
    steps:
      - run: echo
  release:
    needs: [build, test]
    uses: octo/repo/.github/workflows/release.yml@v1
`);
    const [build, test, release] = workflow.jobs;
    assert.equal(evaluateString(build?.name, scope()), 'Build it');
    assert.equal(evaluateString(build?.timeoutMinutes, scope()), '30');
    assert.equal(evaluateString(build?.continueOnError, scope()), 'true');
    assert.deepEqual(build?.permissions, { contents: 'write' });
    assert.deepEqual(build?.defaults, { run: { shell: 'sh' } });
    assert.equal(evaluateString(build?.environment, scope()), 'production');
    assert.ok(build?.runsOn);
    assert.ok(build?.outputs);
    assert.deepEqual(test?.needs, ['build']);
    assert.equal(test?.if, "success() && (github.ref == 'refs/heads/main')");
    assert.equal(test?.name, undefined);
    assert.equal(release?.uses, 'octo/repo/.github/workflows/release.yml@v1');
    assert.deepEqual(release?.needs, ['build', 'test']);
    assert.deepEqual(release?.steps, []);
  });

  it('keeps job defaults.run that use expressions as a token', () => {
    const workflow = parse(`on: push
jobs:
  a:
    runs-on: x
    strategy:
      matrix:
        dir: [one]
    defaults:
      run:
        shell: bash
        working-directory: \${{ matrix.dir }}
    steps:
      - run: echo
`);
    const job = workflow.jobs[0];
    assert.deepEqual(job?.defaults, { run: { shell: 'bash' } });
    assert.deepEqual(evaluateStringMap(job?.runDefaultsToken, scope({ matrix: { dir: 'one' } })), {
      shell: 'bash',
      'working-directory': 'one',
    });
  });

  it('keeps runs-on, environment, outputs and container as tokens to evaluate later', () => {
    const workflow = parse(`on: push
jobs:
  a:
    runs-on: [self-hosted, "\${{ matrix.arch }}"]
    strategy:
      matrix:
        arch: [arm64]
    environment:
      name: production
      url: https://\${{ github.repository }}.example
    container:
      image: node:20
      env:
        A: b
    services:
      db:
        image: postgres:16
    concurrency:
      group: deploy-\${{ github.ref }}
      cancel-in-progress: true
    outputs:
      image: \${{ steps.build.outputs.image }}
    steps:
      - id: build
        run: echo
`);
    const job = workflow.jobs[0];
    const s = scope({
      matrix: { arch: 'arm64' },
      github: { repository: 'octo/app', ref: 'refs/heads/main' },
      steps: { build: { outputs: { image: 'img' } } },
    });
    assert.ok(job?.runsOn && job.environment && job.container && job.services && job.concurrency);
    assert.deepEqual(evaluateToken(job.runsOn, s), ['self-hosted', 'arm64']);
    assert.deepEqual(evaluateToken(job.environment, s), { name: 'production', url: 'https://octo/app.example' });
    assert.deepEqual(evaluateToken(job.container, s), { image: 'node:20', env: { A: 'b' } });
    assert.deepEqual(evaluateToken(job.services, s), { db: { image: 'postgres:16' } });
    assert.deepEqual(evaluateToken(job.concurrency, s), {
      group: 'deploy-refs/heads/main',
      'cancel-in-progress': true,
    });
    assert.deepEqual(evaluateStringMap(job.outputs, s), { image: 'img' });
  });

  it("reproduces GitHub's quirk: an if that mixes ${{ }} with text is a non-empty string, always true", () => {
    const workflow = parse(workflowWithSteps('- run: a\n  if: "${{ github.ref }} == \'never\'"'));
    const condition = workflow.jobs[0]?.steps[0]?.if ?? '';
    assert.equal(evaluateCondition(condition, scope({ github: { ref: 'refs/heads/main' } })), true);
  });

  it('keeps an if written with ${{ }} and one that calls a status function as they are', () => {
    const workflow = parse(
      workflowWithSteps(`- run: a
  if: \${{ always() }}
- run: b
  if: \${{ github.event_name == 'push' }}
- run: c
  if: failure() || github.ref == 'x'`),
    );
    assert.deepEqual(
      workflow.jobs[0]?.steps.map((step) => step.if),
      ['always()', "success() && (github.event_name == 'push')", "failure() || github.ref == 'x'"],
    );
  });
});

describe('parseWorkflowFile: steps', () => {
  it("generates GitHub's ids for steps without one", () => {
    const workflow = parse(
      workflowWithSteps(`- run: echo 1
- run: echo 2
- uses: actions/checkout@v4
- uses: actions/checkout@v4
- uses: ./local/action
- uses: docker://alpine:3.19
- id: mine
  run: echo 3
- uses: actions/setup-node/sub@v4
- run: echo 4`),
    );
    assert.deepEqual(
      workflow.jobs[0]?.steps.map((step) => step.id),
      [
        '__run',
        '__run_2',
        '__actions_checkout',
        '__actions_checkout_2',
        '__self',
        '__alpine_3_19',
        'mine',
        '__actions_setup-node',
        '__run_3',
      ],
    );
    assert.deepEqual(
      workflow.jobs[0]?.steps.map((step) => step.hasUserId),
      [false, false, false, false, false, false, true, false, false],
    );
  });

  it('reads with, shell, working-directory, timeout-minutes, continue-on-error and env', () => {
    const workflow = parse(
      workflowWithSteps(`- name: Build
  run: make
  shell: bash -e {0}
  working-directory: src
  timeout-minutes: 5
  continue-on-error: \${{ matrix.experimental }}
  env:
    CI: true
- uses: actions/setup-node@v4
  with:
    node-version: 20`),
    );
    const [run, uses] = workflow.jobs[0]?.steps ?? [];
    const s = scope({ matrix: { experimental: true } });
    assert.equal(evaluateString(run?.shell, s), 'bash -e {0}');
    assert.equal(evaluateString(run?.workingDirectory, s), 'src');
    assert.equal(evaluateString(run?.timeoutMinutes, s), '5');
    assert.equal(evaluateString(run?.continueOnError, s), 'true');
    assert.deepEqual(evaluateStringMap(run?.env, s), { CI: 'true' });
    assert.equal(evaluateString(run?.name, s), 'Build');
    assert.deepEqual(evaluateStringMap(uses?.with, s), { 'node-version': '20' });
    assert.equal(uses?.run, undefined);
    assert.equal(uses?.shell, undefined);
  });

  it('evaluates expressions inside a multi-line run without YAML indentation', () => {
    const workflow = parse(
      workflowWithSteps(`- run: |
    echo "\${{ github.sha }}" '{x}'
      indented \${{ 1 }}
    last`),
    );
    assert.equal(
      evaluateString(workflow.jobs[0]?.steps[0]?.run, scope({ github: { sha: 'abc' } })),
      'echo "abc" \'{x}\'\n  indented 1\nlast\n',
    );
  });

  it('honours block chomping in a multi-line run with an expression', () => {
    const workflow = parse(
      workflowWithSteps(`- run: >-
    echo \${{ github.sha }}
    and more`),
    );
    assert.equal(
      evaluateString(workflow.jobs[0]?.steps[0]?.run, scope({ github: { sha: 'abc' } })),
      'echo abc and more',
    );
  });
});

describe('parseWorkflowFile: errors', () => {
  it('reports invalid YAML with its position', () => {
    const [error] = errorsOf('on: push\njobs:\n  a: [\n');
    assert.match(error ?? '', /^\.github\/workflows\/ci\.yml: .*line 4, column 1/s);
  });

  it('reports schema errors with line and column', () => {
    assert.deepEqual(errorsOf('on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n'), [
      ".github/workflows/ci.yml (Line: 5, Col: 5): Unexpected value 'stepz'",
    ]);
  });

  it('reports unknown contexts and bad expressions', () => {
    const errors = errorsOf(workflowWithSteps('- run: echo ${{ foo.bar }}\n- run: x\n  if: ${{ github.x == }}'));
    assert.equal(errors.length, 2);
    assert.match(errors[0] ?? '', /\(Line: 7, Col: \d+\): Unrecognized named-value: 'foo'/);
    assert.match(errors[1] ?? '', /Unexpected end of expression/);
  });

  it('reports a missing on and missing jobs', () => {
    assert.ok(errorsOf('jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n').some((e) => /on/.test(e)));
    assert.ok(errorsOf('on: push\n').some((e) => /jobs/.test(e)));
  });

  it('reports a step with neither run nor uses', () => {
    assert.ok(errorsOf(workflowWithSteps('- name: nothing')).some((e) => /uses|run/.test(e)));
  });

  it('reports duplicate and reserved step ids', () => {
    assert.ok(
      errorsOf(workflowWithSteps('- id: a\n  run: x\n- id: a\n  run: y')).some((e) =>
        /may not be used more than once/.test(e),
      ),
    );
    assert.ok(errorsOf(workflowWithSteps('- id: __a\n  run: x')).some((e) => /reserved/.test(e)));
  });

  it('reports unknown needs and cycles', () => {
    assert.ok(
      errorsOf(
        'on: push\njobs:\n  a:\n    runs-on: x\n    needs: nope\n    steps:\n      - run: echo\n  b:\n    runs-on: x\n    steps:\n      - run: echo\n',
      ).some((e) => /depends on unknown job 'nope'/.test(e)),
    );
    assert.ok(
      errorsOf(
        'on: push\njobs:\n  z:\n    runs-on: x\n    steps:\n      - run: echo\n  a:\n    runs-on: x\n    needs: b\n    steps:\n      - run: echo\n  b:\n    runs-on: x\n    needs: a\n    steps:\n      - run: echo\n',
      ).some((e) => /creates a cycle/.test(e)),
    );
  });

  it('refuses a filter together with its -ignore twin', () => {
    const jobs = 'jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n';
    assert.deepEqual(errorsOf(`on:\n  push:\n    branches: [a]\n    branches-ignore: [b]\n${jobs}`), [
      ".github/workflows/ci.yml (Line: 4, Col: 5): You cannot use both 'branches' and 'branches-ignore' for the same event 'push'",
    ]);
    assert.equal(
      errorsOf(`on:\n  push:\n    paths: [a]\n    paths-ignore: [b]\n    tags: [v1]\n    tags-ignore: [v2]\n${jobs}`)
        .length,
      2,
    );
    assert.equal(errorsOf(`on:\n  pull_request:\n    branches: [a]\n    branches-ignore: [b]\n${jobs}`).length, 1);
  });

  it('reports an unclosed expression', () => {
    assert.ok(errorsOf(workflowWithSteps('- run: echo ${{ github.sha')).some((e) => /not closed/.test(e)));
  });

  it('never throws on garbage', () => {
    for (const content of ['', '---', '[1, 2]', 'just text', 'on: push\njobs: 3\n', '\t\u0000']) {
      const result = parseWorkflowFile('x.yml', content);
      assert.equal(result.workflow, undefined, JSON.stringify(content));
      assert.ok(result.errors.length > 0);
    }
  });
});
