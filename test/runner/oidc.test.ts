import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { claimsIn, finished, PRINT_CLAIMS, REPO_ROOT, startHarness, workflow, type Harness } from './support.js';

describe('runner: OIDC tokens for jobs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it("gives ACTIONS_ID_TOKEN_REQUEST_* only with id-token: write; getIDToken returns the run's claims; the request token dies with the job", async (t) => {
    const scratch = mkdtempSync(join(tmpdir(), 'dockyard-oidc-'));
    t.after(() => rmSync(scratch, { recursive: true, force: true }));
    h.settings.setVariable(
      'mona/oidc',
      'CORE_URL',
      pathToFileURL(join(REPO_ROOT, 'node_modules/@actions/core/lib/core.js')).href,
    );
    h.settings.setVariable('mona/oidc', 'SCRATCH', scratch);
    const { runs, sha } = await h.push('mona/oidc', {
      '.github/workflows/deploy.yml': workflow(
        'name: Deploy',
        'on: push',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  deploy:',
        '    runs-on: self-hosted',
        '    environment: production',
        '    permissions:',
        '      id-token: write',
        '      contents: read',
        '    steps:',
        ...PRINT_CLAIMS,
        '      - run: echo "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" > "${{ vars.SCRATCH }}/request-token"; echo "url=$ACTIONS_ID_TOKEN_REQUEST_URL"',
        '  plain:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo "url=[${ACTIONS_ID_TOKEN_REQUEST_URL:-}] token=[${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}]"',
        '      - env:',
        '          CORE_URL: ${{ vars.CORE_URL }}',
        '          SCRIPT: |',
        '            const core = await import(process.env.CORE_URL);',
        '            await core.getIDToken().catch((error) => console.log("ERR " + error.message));',
        '        run: node --input-type=module -e "$SCRIPT"',
      ),
    });
    const run = runs[0];
    assert.ok(run);
    const detail = await finished(h, run.id);
    assert.equal(detail.conclusion, 'success', h.runner.readLog(run.id));

    const deployLog = h.runner.readLog(run.id, { job: 'deploy' });
    const claims = claimsIn(deployLog);
    assert.equal(claims.sub, 'repo:mona/oidc:environment:production');
    assert.equal(claims.aud, 'sts.amazonaws.com');
    assert.equal(claims.repository, 'mona/oidc');
    assert.equal(claims.ref, 'refs/heads/main');
    assert.equal(claims.sha, sha);
    assert.equal(claims.environment, 'production');
    assert.equal(claims.event_name, 'push');
    assert.equal(claims.actor, 'mona');
    assert.equal(claims.workflow, 'Deploy');
    assert.equal(claims.run_id, String(run.id));
    assert.equal(claims.run_number, String(run.runNumber));
    assert.equal(claims.run_attempt, '1');
    assert.equal(claims.workflow_ref, 'mona/oidc/.github/workflows/deploy.yml@refs/heads/main');
    assert.equal(claims.runner_environment, 'self-hosted');
    assert.match(
      deployLog,
      new RegExp(`url=${h.cloud.url.replace(/[.]/g, '\\.')}/_actions/idtoken\\?api-version=2\\.0`),
    );

    // The request token was revoked when the job ended.
    const requestToken = readFileSync(join(scratch, 'request-token'), 'utf8').trim();
    assert.ok(requestToken.length > 20);
    const answer = await h.cloud.cloud.broker.handle({
      method: 'GET',
      query: new URLSearchParams(),
      authorization: `Bearer ${requestToken}`,
    });
    assert.equal(answer.status, 401);

    const plainLog = h.runner.readLog(run.id, { job: 'plain' });
    assert.match(plainLog, /url=\[\] token=\[\]/);
    assert.match(plainLog, /ERR (Error message: )?Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable/);
  });
});
