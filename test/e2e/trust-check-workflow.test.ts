/**
 * `dockyard trust check --workflow`: before a push, the workflow file itself is checked against
 * the role's trust policy. The seed's workflow on master is refused with the reason; on main
 * it is admitted; without id-token: write the job could not even ask for a token.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { dockyard } from '../support/dockyard-cli.js';
import { prepareSeedRole } from '../support/sts-fixture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WORKFLOW = readFileSync(join(ROOT, 'examples', 'seed-app', '.github', 'workflows', 'deployment.yaml'), 'utf8');

describe('dockyard trust check --workflow', () => {
  let cloud: TestCloud;
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-trust-workflow-'));
  before(async () => {
    cloud = await startTestCloud();
    await prepareSeedRole(cloud);
  });
  after(async () => {
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = async (name: string, text: string, extra: string[] = []) => {
    const file = join(dir, name);
    writeFileSync(file, text.replaceAll('000000000000', cloud.accountId));
    return dockyard([
      'trust',
      'check',
      '--workflow',
      file,
      '--repo',
      'your-username/ecsapp',
      '--data',
      cloud.dataDir,
      ...extra,
    ]);
  };

  it("refuses the seed's workflow on master and says why", async () => {
    const result = await check('master.yaml', WORKFLOW.replace('branches: [ main ]', 'branches: [ master ]'));
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /job deploy, step "Configure AWS credentials", on push to master:/);
    assert.match(
      result.stdout,
      /STS would answer AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
    );
    assert.match(
      result.stdout,
      /sub is "repo:your-username\/ecsapp:ref:refs\/heads\/master", which does not match StringLike "repo:your-username\/ecsapp:ref:refs\/heads\/main"/,
    );
  });

  it('admits the example workflow on main', async () => {
    const result = await check('main.yaml', WORKFLOW);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /✓ arn:aws:iam::\d{12}:role\/GitHub_Actions_Role admits sub repo:your-username\/ecsapp:ref:refs\/heads\/main, aud sts\.amazonaws\.com/,
    );
  });

  it('catches a job without id-token: write, and reports --json', async () => {
    const result = await check('noid.yaml', WORKFLOW.replace('      id-token: write\n', ''), ['--json']);
    assert.equal(result.status, 1);
    const report = JSON.parse(result.stdout) as {
      refs: string[];
      checks: { canRequestToken: boolean; admitted?: boolean }[];
    };
    assert.deepEqual(report.refs, ['refs/heads/main']);
    assert.equal(report.checks[0]?.canRequestToken, false);
    assert.equal(report.checks[0]?.admitted, false);
  });

  it("refuses an invalid workflow with the parser's message", async () => {
    const result = await check('bad.yaml', 'on: push\njobs: 5\n');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /is not a valid workflow/);
  });
});
