/**
 * STS keeps its AssumeRoleWithWebIdentity decisions: admitted and refused alike, with the
 * token's claims (never the token) and what decided, the same verdict `dockyard trust check`
 * explains; a token that does not verify is kept with what it claimed, marked unverified.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MAX_DECISIONS } from '../../../src/services/sts/decisions.js';
import { startTestCloud, type TestCloud } from '../../support/cloud.js';
import { assumeWithToken, prepareSeedRole } from '../../support/sts-fixture.js';

describe('STS: AssumeRoleWithWebIdentity decisions', () => {
  let cloud: TestCloud;
  let roleArn: string;
  const token = (ref: string) =>
    cloud.cloud.state.issuer.issue({ repository: 'your-username/ecsapp', ref, audience: 'sts.amazonaws.com' });
  const decisions = () => cloud.cloud.state.webIdentityDecisions;

  before(async () => {
    cloud = await startTestCloud();
    roleArn = await prepareSeedRole(cloud);
  });
  after(async () => {
    await cloud?.stop();
    // The restarted cloud was given the first one's directory, which its stop leaves.
    if (cloud) rmSync(cloud.dataDir, { recursive: true, force: true });
  });

  it('keeps an admission with its claims and the statement and conditions that decided', async () => {
    const answer = await assumeWithToken(cloud, roleArn, await token('refs/heads/main'));
    assert.equal(answer.status, 200, answer.body);
    const [latest] = decisions().list({ limit: 1 });
    assert.ok(latest);
    assert.equal(latest.admitted, true);
    assert.equal(latest.roleArn, roleArn);
    assert.equal(latest.verified, true);
    assert.equal(latest.claims.sub, 'repo:your-username/ecsapp:ref:refs/heads/main');
    assert.equal(latest.reason.kind, 'trust');
    const verdict = latest.reason.kind === 'trust' ? latest.reason.verdict : undefined;
    assert.match(
      verdict?.summary ?? '',
      /^admitted by statement 1 \(Allow\) on StringLike .*:sub, StringEquals .*:aud$/,
    );
    assert.ok(verdict?.statements[0]?.conditions.every((c) => c.holds));
    assert.doesNotMatch(JSON.stringify(latest), /eyJ/, 'the token itself is never kept');
  });

  it('keeps a refusal by the trust policy with the condition that failed and what STS answered', async () => {
    const answer = await assumeWithToken(cloud, roleArn, await token('refs/heads/master'));
    assert.equal(answer.code, 'AccessDenied');
    const [latest] = decisions().list({ limit: 1 });
    assert.equal(latest?.admitted, false);
    assert.deepEqual(latest?.error, { code: 'AccessDenied', message: answer.message });
    const verdict = latest?.reason.kind === 'trust' ? latest.reason.verdict : undefined;
    assert.match(verdict?.summary ?? '', /^refused: no statement applies; statement 1 does not: /);
    const failed = verdict?.statements[0]?.conditions.filter((c) => !c.holds);
    assert.deepEqual(
      failed?.map((c) => [c.operator, c.key, c.requestValues]),
      [['StringLike', 'token.actions.githubusercontent.com:sub', ['repo:your-username/ecsapp:ref:refs/heads/master']]],
    );
    assert.deepEqual(decisions().list({ roleArn: 'arn:aws:iam::000000000000:role/other' }), []);
  });

  it('keeps a token that did not verify with what it claimed, marked unverified', async () => {
    const good = await token('refs/heads/main');
    const [header, payload] = good.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    const answer = await assumeWithToken(cloud, roleArn, forged);
    assert.equal(answer.code, 'InvalidIdentityToken');
    const [latest] = decisions().list({ limit: 1 });
    assert.equal(latest?.verified, false);
    assert.equal(latest?.claims.sub, 'repo:your-username/ecsapp:ref:refs/heads/main');
    assert.deepEqual(latest?.reason, { kind: 'token', problem: answer.message });
    const garbage = await assumeWithToken(cloud, roleArn, 'not-a-jwt-at-all-but-long-enough');
    assert.equal(garbage.status, 400);
    assert.deepEqual(decisions().list({ limit: 1 })[0]?.claims, {});
  });

  it(`keeps the newest ${MAX_DECISIONS} and bounds what a token claims`, () => {
    const store = decisions();
    const huge = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`claim${i}`, 'x'.repeat(2000)]));
    for (let i = 0; i < MAX_DECISIONS + 5; i++)
      store.record({
        at: new Date(),
        roleArn,
        roleSessionName: 's',
        admitted: false,
        verified: false,
        claims: { ...huge, nested: { a: 1 } },
        reason: { kind: 'token', problem: 'bad' },
      });
    const all = store.list();
    assert.equal(all.length, MAX_DECISIONS);
    const claims = all[0]?.claims ?? {};
    assert.equal(Object.keys(claims).length, 40);
    assert.ok(Object.values(claims).every((v) => String(v).length <= 512));
    assert.equal(claims.nested, undefined, 'objects are not kept');
  });

  it('keeps them across a restart: the last batch is written when the cloud stops', async () => {
    const before = decisions().list({ limit: 1 })[0]?.id ?? 0;
    const answer = await assumeWithToken(cloud, roleArn, await token('refs/heads/main'));
    assert.equal(answer.status, 200);
    const { dataDir } = cloud;
    await cloud.cloud.stop();
    cloud = await startTestCloud({ dataDir });
    const [latest] = decisions().list({ limit: 1 });
    assert.equal(latest?.id, before + 1);
    assert.equal(latest?.admitted, true);
  });
});
