import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait-for.js';
import { claimsIn, finished, PRINT_CLAIMS, REPO_ROOT, startHarness, workflow, type Harness } from './support.js';

/** The run's detail once it has succeeded (its log in the message otherwise). */
async function succeeded(h: Harness, run: { id: number } | undefined) {
  assert.ok(run);
  const detail = await finished(h, run.id);
  assert.equal(detail.conclusion, 'success', h.runner.readLog(run.id));
  return detail;
}

describe('runner: reusable workflows (jobs.<id>.uses, on: workflow_call)', () => {
  let h: Harness;
  const coreUrl = pathToFileURL(join(REPO_ROOT, 'node_modules/@actions/core/lib/core.js')).href;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('calls a local workflow with typed inputs, mapped and inherited secrets, and returns its outputs to needs', async () => {
    h.settings.setVariable('mona/reuse', 'CORE_URL', coreUrl);
    h.settings.setSecret('mona/reuse', 'DEPLOY_KEY', 'k3y-value');
    h.settings.setSecret('mona/reuse', 'OTHER', 'other-value');
    const { runs, sha } = await h.push('mona/reuse', {
      '.github/workflows/deploy.yml': workflow(
        'name: Deploy',
        'on:',
        '  workflow_call:',
        '    inputs:',
        '      env-name: {type: string, required: true}',
        '      replicas: {type: number, default: 2}',
        '      dry: {type: boolean, default: false}',
        '    secrets:',
        '      key: {required: true}',
        '    outputs:',
        '      url:',
        '        value: ${{ jobs.ship.outputs.url }}',
        '      result:',
        '        value: ${{ jobs.ship.result }}',
        'jobs:',
        '  ship:',
        '    name: Ship it',
        '    runs-on: self-hosted',
        '    outputs:',
        '      url: ${{ steps.out.outputs.url }}',
        '    steps:',
        '      - run: echo "env=${{ inputs.env-name }} replicas=${{ inputs.replicas }} dry=${{ inputs.dry }} key=${{ secrets.key == \'k3y-value\' }} other=[${{ secrets.OTHER }}] wf=${{ github.workflow }} event=${{ github.event_name }}"',
        '      - id: out',
        '        run: echo "url=https://${{ inputs.env-name }}.example" >> "$GITHUB_OUTPUT"',
        ...PRINT_CLAIMS,
      ),
      '.github/workflows/inherit.yml': workflow(
        'on: workflow_call',
        'jobs:',
        '  show:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo "inherited=${{ secrets.OTHER == \'other-value\' }}"',
      ),
      '.github/workflows/main.yml': workflow(
        'name: Main',
        'on: push',
        'permissions:',
        '  id-token: write',
        '  contents: read',
        'jobs:',
        '  prod:',
        '    uses: ./.github/workflows/deploy.yml',
        '    with:',
        '      env-name: prod',
        '      replicas: "3"',
        '    secrets:',
        '      key: ${{ secrets.DEPLOY_KEY }}',
        '  again:',
        '    uses: $/.github/workflows/inherit.yml',
        '    secrets: inherit',
        '  after:',
        '    needs: [prod]',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo "got=${{ needs.prod.outputs.url }} result=${{ needs.prod.outputs.result }} r=${{ needs.prod.result }}"',
      ),
    });
    // Only Main runs on push: the callable files have no push trigger.
    assert.equal(runs.length, 1);
    const run = runs[0];
    const detail = await succeeded(h, run);
    assert.deepEqual(detail.jobs.map((job) => job.name).sort(), ['after', 'again / show', 'prod / Ship it']);
    const ship = h.runner.readLog(run.id, { job: 'prod / Ship it' });
    assert.match(ship, /env=prod replicas=3 dry=false key=true other=\[\] wf=Main event=push/);
    assert.match(h.runner.readLog(run.id, { job: 'again / show' }), /inherited=true/);
    assert.match(h.runner.readLog(run.id, { job: 'after' }), /got=https:\/\/prod\.example result=success r=success/);
    const claims = claimsIn(ship);
    assert.equal(claims.workflow_ref, `mona/reuse/.github/workflows/main.yml@refs/heads/main`);
    assert.equal(claims.job_workflow_ref, `mona/reuse/.github/workflows/deploy.yml@refs/heads/main`);
    assert.equal(claims.job_workflow_sha, sha);
    assert.equal(claims.workflow, 'Main');
  });

  it('calls owner/repo/.github/workflows/x.yml@tag from the hosted repository, nested (./ there is that repository), with job_workflow_ref the callee', async () => {
    h.settings.setVariable('mona/app', 'CORE_URL', coreUrl);
    const shared = await h.push(
      'acme/shared',
      {
        '.github/workflows/outer.yml': workflow(
          'on:',
          '  workflow_call:',
          '    inputs:',
          '      who: {type: string, default: "${{ github.repository }}"}',
          '    outputs:',
          '      said: {value: "${{ jobs.inner.outputs.said }}"}',
          'jobs:',
          '  inner:',
          // `./` in a workflow called from another repository: that repository, at that commit.
          '    uses: ./.github/workflows/inner.yml',
          '    with:',
          '      who: ${{ inputs.who }}',
        ),
        '.github/workflows/inner.yml': workflow(
          'on:',
          '  workflow_call:',
          '    inputs:',
          '      who: {type: string, required: true}',
          '    outputs:',
          '      said: {value: "${{ jobs.say.outputs.said }}"}',
          'permissions:',
          '  id-token: write',
          'jobs:',
          '  say:',
          '    runs-on: self-hosted',
          '    outputs:',
          '      said: ${{ steps.s.outputs.said }}',
          '    steps:',
          '      - id: s',
          '        run: echo "said=hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"',
          ...PRINT_CLAIMS,
        ),
      },
      { tag: 'v1' },
    );
    const { runs } = await h.push('mona/app', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'permissions:',
        '  id-token: write',
        'jobs:',
        '  call:',
        '    uses: acme/shared/.github/workflows/outer.yml@v1',
        '  show:',
        '    needs: call',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo "result=${{ needs.call.outputs.said }}"',
      ),
    });
    const run = runs[0];
    const detail = await succeeded(h, run);
    assert.deepEqual(detail.jobs.map((job) => job.name).sort(), ['call / inner / say', 'show']);
    assert.match(h.runner.readLog(run.id, { job: 'show' }), /result=hello mona\/app/);
    const claims = claimsIn(h.runner.readLog(run.id, { job: 'call / inner / say' }));
    assert.equal(claims.job_workflow_ref, 'acme/shared/.github/workflows/inner.yml@refs/tags/v1');
    assert.equal(claims.job_workflow_sha, shared.sha);
    assert.equal(claims.workflow_ref, 'mona/app/.github/workflows/ci.yml@refs/heads/main');
    assert.equal(claims.repository, 'mona/app');
  });

  it('fails a call loudly: missing input, undeclared secret, raised permissions, unhosted repository, too deep', async () => {
    const chain: Record<string, string> = {};
    for (let level = 1; level <= 10; level += 1)
      chain[`.github/workflows/level${level}.yml`] = workflow(
        'on: workflow_call',
        'jobs:',
        `  l${level}:`,
        `    uses: ./.github/workflows/level${level + 1}.yml`,
      );
    const { runs } = await h.push('mona/bad', {
      ...chain,
      '.github/workflows/callee.yml': workflow(
        'on:',
        '  workflow_call:',
        '    inputs:',
        '      must: {type: string, required: true}',
        'jobs:',
        '  j:',
        '    runs-on: self-hosted',
        '    steps: [{run: "echo never"}]',
      ),
      '.github/workflows/wants-token.yml': workflow(
        'on: workflow_call',
        'permissions:',
        '  id-token: write',
        'jobs:',
        '  deploy:',
        '    runs-on: self-hosted',
        '    steps: [{run: "echo never"}]',
      ),
      '.github/workflows/plain.yml': workflow(
        'on: push',
        'jobs:',
        '  j:',
        '    runs-on: self-hosted',
        '    steps: [{run: "echo plain"}]',
      ),
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  missing:',
        '    uses: ./.github/workflows/callee.yml',
        '  undeclared:',
        '    uses: ./.github/workflows/callee.yml',
        '    with: {must: x}',
        '    secrets: {nope: x}',
        '  raised:',
        '    uses: ./.github/workflows/wants-token.yml',
        '  elsewhere:',
        '    uses: someone/else/.github/workflows/x.yml@main',
        '  not-callable:',
        '    uses: ./.github/workflows/plain.yml',
        '  deep:',
        '    uses: ./.github/workflows/level1.yml',
      ),
    });
    const ci = runs.find((run) => run.workflowFile === '.github/workflows/ci.yml');
    assert.ok(ci);
    assert.equal(runs.length, 2, 'plain.yml runs on push; the callable files do not');
    const detail = await finished(h, ci.id);
    assert.equal(detail.conclusion, 'failure');
    const messages = detail.annotations.map((annotation) => `${annotation.job}: ${annotation.message}`).join('\n');
    assert.match(messages, /missing: Input must is required, but not provided while calling\./);
    assert.match(messages, /undeclared: Invalid secret, nope is not defined in the referenced workflow\./);
    assert.match(
      messages,
      /raised \/ deploy: Error calling workflow 'mona\/bad\/\.github\/workflows\/wants-token\.yml@refs\/heads\/main'\. The nested job 'deploy' is requesting 'id-token: write', but is only allowed 'id-token: none'\./,
    );
    assert.match(messages, /elsewhere: failed to fetch workflow: repository someone\/else is not hosted by this cloud/);
    assert.match(messages, /not-callable: .*missing a `on\.workflow_call` trigger/);
    assert.match(
      messages,
      /deep \/ l1 \/ l2 \/ l3 \/ l4 \/ l5 \/ l6 \/ l7 \/ l8 \/ l9: .*limit on called workflow depth of 9/,
    );
    assert.doesNotMatch(h.runner.readLog(ci.id), /never/);
  });

  it("holds the called workflow's concurrency group for the call; cancel-in-progress cancels the older run", async () => {
    h.settings.setVariable('mona/locked', 'SLOW', 'yes');
    const files = {
      '.github/workflows/locked.yml': workflow(
        'on: workflow_call',
        'concurrency:',
        '  group: deploy-${{ github.repository }}',
        '  cancel-in-progress: true',
        'jobs:',
        '  hold:',
        '    runs-on: self-hosted',
        '    steps:',
        "      - run: if [ '${{ vars.SLOW }}' = yes ]; then sleep 30; fi; echo held",
      ),
      '.github/workflows/ci.yml': workflow('on: push', 'jobs:', '  call:', '    uses: ./.github/workflows/locked.yml'),
    };
    const first = (await h.push('mona/locked', files)).runs[0];
    assert.ok(first);
    await waitFor(
      'the called job to be in progress',
      () => h.runner.getRun(first.id)?.jobs[0]?.status === 'in_progress',
    );
    h.settings.setVariable('mona/locked', 'SLOW', 'no');
    const second = (await h.push('mona/locked', { 'x.txt': '1' })).runs[0];
    const firstDetail = await finished(h, first.id);
    assert.equal(firstDetail.conclusion, 'cancelled');
    assert.match(
      firstDetail.note ?? '',
      /Canceling since a higher priority waiting request for 'deploy-mona\/locked' exists/,
    );
    await succeeded(h, second);
  });

  it('calls at most 50 unique reusable workflows in a run', async () => {
    const files: Record<string, string> = {};
    const callers = ['on: push', 'jobs:'];
    for (let index = 1; index <= 51; index += 1) {
      // Skipped jobs: the limit is about calls, so nothing needs to run.
      files[`.github/workflows/w${index}.yml`] = workflow(
        'on: workflow_call',
        'jobs:',
        '  j:',
        '    if: false',
        '    runs-on: self-hosted',
        '    steps: [{run: echo}]',
      );
      callers.push(`  c${index}:`, `    uses: ./.github/workflows/w${index}.yml`);
    }
    files['.github/workflows/ci.yml'] = workflow(...callers);
    const run = (await h.push('mona/many', files)).runs[0];
    assert.ok(run);
    const detail = await finished(h, run.id);
    assert.equal(detail.conclusion, 'failure');
    const refused = detail.annotations.filter((annotation) =>
      /calls workflow "\.\/\.github\/workflows\/w\d+\.yml", but doing so would exceed the limit of 50 unique called workflows in a run/.test(
        annotation.message,
      ),
    );
    assert.equal(refused.length, 1, JSON.stringify(detail.annotations));
    assert.equal(detail.jobs.filter((job) => job.conclusion === 'skipped').length, 50);
  });
});
