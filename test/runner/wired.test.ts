/**
 * The runner as the cloud wires it (cloud.ci): a real `git push` over HTTP triggers the run
 * through the post-receive hook; the job fetches its repository with its GITHUB_TOKEN and
 * gets AWS credentials through dockyard's built-in aws-actions/configure-aws-credentials@v4
 * with a real OIDC token.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { seedTrustPolicy, startTestCloud, type TestCloud } from '../support/cloud.js';
import { pushFiles } from '../support/git-push.js';
import { prepareSeedRole } from '../support/sts-fixture.js';
import { REPO_ROOT, workflow } from './support.js';
import { waitFor } from '../support/wait-for.js';

describe('runner: wired into the cloud', () => {
  let cloud: TestCloud;
  let tree: string;
  before(async () => {
    cloud = await startTestCloud();
    tree = mkdtempSync(join(tmpdir(), 'dockyard-wired-'));
  });
  after(async () => {
    await cloud.stop();
    rmSync(tree, { recursive: true, force: true });
  });

  it('git push → run; GITHUB_TOKEN fetches the repository; configure-aws-credentials assumes a role with OIDC', async () => {
    const roleArn = await prepareSeedRole(
      cloud,
      'deploy',
      seedTrustPolicy(cloud.accountId, 'repo:mona/wired:ref:refs/heads/main'),
    );
    const ci = cloud.cloud.ci;
    await ci.repositories.create('mona/wired');
    await ci.repositories.create('mona/other');
    ci.settings.setVariable(
      'mona/wired',
      'STS_URL',
      pathToFileURL(join(REPO_ROOT, 'node_modules/@aws-sdk/client-sts/dist-cjs/index.js')).href,
    );
    const files: Record<string, string> = {
      'hello.txt': 'hello from the repository\n',
      '.github/workflows/deploy.yml': workflow(
        'on: push',
        'permissions:',
        '  id-token: write',
        '  contents: read',
        'jobs:',
        '  deploy:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: |',
        '          base="http://x-access-token:${{ github.token }}@${GITHUB_SERVER_URL#http://}"',
        '          git clone -q "$base/$GITHUB_REPOSITORY.git" src && cat src/hello.txt',
        '          git ls-remote "$base/mona/other.git" >/dev/null 2>&1 && echo "other: readable" || echo "other: refused"',
        '      - id: creds',
        '        uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        `          role-to-assume: ${roleArn}`,
        '          aws-region: us-east-1',
        '      - env:',
        '          STS_URL: ${{ vars.STS_URL }}',
        '          SCRIPT: |',
        '            const { STSClient, GetCallerIdentityCommand } = await import(process.env.STS_URL);',
        '            const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));',
        '            console.log("caller " + who.Arn);',
        '        run: node --input-type=module -e "$SCRIPT"',
        // The older majors most published ECS workflows still name run the same built-in code.
        '  legacy:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - uses: actions/checkout@v2',
        `      - run: 'echo "legacy checkout: $(cat hello.txt)"'`,
        '      - uses: aws-actions/configure-aws-credentials@v3',
        '        with:',
        `          role-to-assume: ${roleArn}`,
        '          aws-region: us-east-1',
        '          role-session-name: legacy-v3',
        '      - env:',
        '          STS_URL: ${{ vars.STS_URL }}',
        '          SCRIPT: |',
        '            const { STSClient, GetCallerIdentityCommand } = await import(process.env.STS_URL);',
        '            const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));',
        '            console.log("legacy caller " + who.Arn);',
        '        run: node --input-type=module -e "$SCRIPT"',
      ),
    };
    await pushFiles({ port: new URL(cloud.url).port, admin: cloud.admin }, tree, 'mona/wired', files);

    await waitFor('the push to start a run', () => ci.runner.listRuns({ repository: 'mona/wired' }).length > 0, {
      timeoutMs: 10_000,
    });
    const runId = ci.runner.listRuns({ repository: 'mona/wired' })[0]?.id ?? 0;
    await ci.runner.waitFor(runId);
    const detail = ci.runner.getRun(runId);
    const log = ci.runner.readLog(runId);
    assert.equal(detail?.conclusion, 'success', log);
    assert.equal(detail?.event, 'push');
    assert.equal(detail?.actor, 'mona');
    assert.match(log, /hello from the repository/);
    assert.match(log, /other: refused/);
    assert.match(log, new RegExp(`caller arn:aws:sts::${cloud.accountId}:assumed-role/deploy/GitHubActions`));
    assert.equal(
      detail?.jobs.find((j) => j.name === 'deploy')?.steps.at(-1)?.name,
      'Post Run aws-actions/configure-aws-credentials@v4',
    );
    assert.match(log, /legacy checkout: hello from the repository/);
    assert.match(log, new RegExp(`legacy caller arn:aws:sts::${cloud.accountId}:assumed-role/deploy/legacy-v3`));
    assert.doesNotMatch(log, /ASIA[A-Z0-9]{12,}/, 'the session key id is masked');
  });
});
