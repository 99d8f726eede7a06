/**
 * The README's main command: `dockyard demo` starts a cloud, replays the seed's Steps 2.1 and
 * 3, pushes an image with the job's OIDC-derived credentials and shows the master-branch refusal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dockyard } from '../support/dockyard-cli.js';

describe('dockyard demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-demo-'));
  after(async () => {
    await dockyard(['down', '--data', dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('replays the trust chain and pushes with the job’s credentials, twice (idempotent)', async () => {
    for (let run = 0; run < 2; run++) {
      const demo = await dockyard(['demo', '--port', '45662', '--data', dataDir]);
      assert.equal(demo.status, 0, demo.stderr + demo.stdout);
      assert.match(demo.stdout, /✓ GetCallerIdentity with them: arn:aws:sts::000000000000:assumed-role\/GitHub_Actions_Role\/GitHubActions/);
      assert.match(demo.stdout, /✓ pushed localhost:45662\/my-app:demo, DescribeImages: sha256:[0-9a-f]{64}/);
      assert.match(demo.stdout, /✗ STS refused: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity/);
      assert.match(demo.stdout, /why: token\.actions\.githubusercontent\.com:sub is "repo:your-username\/ecsapp:ref:refs\/heads\/master", which does not match StringLike/);
    }
  });
});
