/** buildJobClaims: every claim, the `sub` precedence, `%3A` encoding, defaults and time arithmetic. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  JOB_CLAIM_NAMES,
  JobClaimsError,
  buildJobClaims,
  encodeSubjectValue,
  normaliseRef,
  stableNumericId,
  type JobClaimsInput,
} from '../../src/identity/index.js';
import { START } from './fixtures.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const context = { issuer: ISSUER, now: START, jti: '00000000-0000-4000-8000-000000000000' };
const iat = START.getTime() / 1000;
const build = (input: JobClaimsInput) => buildJobClaims(input, context);

describe('buildJobClaims', () => {
  it('produces GitHub’s full claim set with string ids from an explicit job', () => {
    const claims = build({
      repository: 'octo-org/octo-repo',
      ref: 'refs/heads/main',
      sha: 'e2d3c1b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1',
      eventName: 'workflow_dispatch',
      actor: 'octocat',
      workflow: 'Deploy',
      workflowFile: 'deploy.yml',
      runId: 2_345_678_901,
      runNumber: 17,
      runAttempt: '2',
      audience: 'sts.amazonaws.com',
      repositoryId: '123456789',
      ownerId: 987654,
      actorId: '583231',
      checkRunId: 31_415_926_535,
    });
    assert.deepEqual(claims, {
      jti: '00000000-0000-4000-8000-000000000000',
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      aud: 'sts.amazonaws.com',
      ref: 'refs/heads/main',
      sha: 'e2d3c1b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1',
      repository: 'octo-org/octo-repo',
      repository_owner: 'octo-org',
      repository_owner_id: '987654',
      run_id: '2345678901',
      run_number: '17',
      run_attempt: '2',
      repository_visibility: 'private',
      repository_id: '123456789',
      actor_id: '583231',
      actor: 'octocat',
      workflow: 'Deploy',
      head_ref: '',
      base_ref: '',
      event_name: 'workflow_dispatch',
      ref_protected: 'false',
      ref_type: 'branch',
      workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
      workflow_sha: 'e2d3c1b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1',
      job_workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
      job_workflow_sha: 'e2d3c1b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1',
      check_run_id: '31415926535',
      runner_environment: 'self-hosted',
      iss: ISSUER,
      nbf: iat - 600,
      exp: iat + 300,
      iat,
    });
    assert.equal('environment' in claims, false, 'environment only appears when set');
  });

  it('fills deterministic defaults from the repository and ref alone', () => {
    const input = { repository: 'octo-org/octo-repo', ref: 'main' };
    const a = buildJobClaims(input, { issuer: ISSUER, now: START });
    const b = buildJobClaims(input, { issuer: ISSUER, now: START });
    assert.notEqual(a.jti, b.jti, 'jti is unique per token');
    assert.match(a.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual({ ...a, jti: '' }, { ...b, jti: '' }, 'everything else is stable');
    assert.equal(a.ref, 'refs/heads/main');
    assert.equal(a.aud, 'https://github.com/octo-org');
    assert.equal(a.event_name, 'push');
    assert.equal(a.actor, 'octo-org');
    assert.equal(a.actor_id, a.repository_owner_id, 'the owner acting has the owner’s id');
    assert.equal(a.workflow, '.github/workflows/ci.yml');
    assert.equal(a.workflow_ref, 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main');
    assert.equal(a.run_number, '1');
    assert.equal(a.run_attempt, '1');
    assert.equal(a.head_ref, '');
    assert.equal(a.base_ref, '');
    assert.match(a.sha, /^[0-9a-f]{40}$/);
    assert.equal(a.workflow_sha, a.sha);
    assert.match(a.repository_id, /^[1-9]\d{8}$/);
    assert.match(a.repository_owner_id, /^[1-9]\d{8}$/);
    assert.match(a.run_id, /^[1-9]\d{9}$/);
    assert.match(a.check_run_id, /^[1-9]\d{10}$/);
    assert.equal(a.repository_id, stableNumericId('repository', 'octo-org/octo-repo'));
    assert.equal(
      build({ repository: 'Octo-Org/Octo-Repo', ref: 'main' }).repository_id,
      a.repository_id,
      'names are case-insensitive',
    );
    assert.notEqual(build({ repository: 'octo-org/other', ref: 'main' }).repository_id, a.repository_id);
    assert.notEqual(
      build({ repository: 'octo-org/octo-repo', ref: 'main', actor: 'octocat' }).actor_id,
      a.repository_owner_id,
    );
  });

  it('uses every id and counter as a string, even when given numbers', () => {
    const claims = build({
      repository: 'o/r',
      ref: 'main',
      runId: 1,
      runNumber: 2,
      runAttempt: 3,
      repositoryId: 4,
      ownerId: 5,
      actorId: 6,
      checkRunId: 7,
    });
    assert.deepEqual(
      [
        claims.run_id,
        claims.run_number,
        claims.run_attempt,
        claims.repository_id,
        claims.repository_owner_id,
        claims.actor_id,
        claims.check_run_id,
      ],
      ['1', '2', '3', '4', '5', '6', '7'],
    );
  });

  describe('sub precedence', () => {
    const base = { repository: 'octo-org/octo-repo', ref: 'refs/pull/7/merge' };
    it('environment wins over pull_request and ref', () => {
      const claims = build({ ...base, eventName: 'pull_request', environment: 'production' });
      assert.equal(claims.sub, 'repo:octo-org/octo-repo:environment:production');
      assert.equal(claims.environment, 'production');
    });
    it('pull_request wins over ref', () => {
      const claims = build({ ...base, eventName: 'pull_request', headRef: 'feature', baseRef: 'main' });
      assert.equal(claims.sub, 'repo:octo-org/octo-repo:pull_request');
      assert.equal(claims.head_ref, 'feature');
      assert.equal(claims.base_ref, 'main');
      assert.equal(claims.ref_type, 'branch');
    });
    it('otherwise the ref: branches and tags', () => {
      assert.equal(build({ ...base, ref: 'refs/heads/main' }).sub, 'repo:octo-org/octo-repo:ref:refs/heads/main');
      const tag = build({ ...base, ref: 'refs/tags/v1.2.0', eventName: 'release' });
      assert.equal(tag.sub, 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.0');
      assert.equal(tag.ref_type, 'tag');
      // pull_request_target is not pull_request: GitHub uses the ref for it.
      assert.equal(
        build({ ...base, eventName: 'pull_request_target' }).sub,
        'repo:octo-org/octo-repo:ref:refs/pull/7/merge',
      );
    });
    it('an empty environment counts as none', () => {
      const claims = build({ ...base, ref: 'main', environment: '' });
      assert.equal(claims.sub, 'repo:octo-org/octo-repo:ref:refs/heads/main');
      assert.equal('environment' in claims, false);
    });
  });

  it('encodes ":" inside subject values as %3A, leaving the claim itself raw', () => {
    const claims = build({ repository: 'octo-org/octo-repo', ref: 'main', environment: 'prod:eu-west-1' });
    assert.equal(claims.sub, 'repo:octo-org/octo-repo:environment:prod%3Aeu-west-1');
    assert.equal(claims.environment, 'prod:eu-west-1');
    assert.equal(
      build({ repository: 'octo-org/octo-repo', ref: 'refs/heads/a:b' }).sub,
      'repo:octo-org/octo-repo:ref:refs/heads/a%3Ab',
    );
    assert.equal(encodeSubjectValue('a:b:c'), 'a%3Ab%3Ac');
  });

  it('normalises short refs to branches', () => {
    assert.equal(normaliseRef('main'), 'refs/heads/main');
    assert.equal(normaliseRef('feature/x'), 'refs/heads/feature/x');
    assert.equal(normaliseRef('refs/tags/v1'), 'refs/tags/v1');
    assert.equal(normaliseRef('refs/pull/1/merge'), 'refs/pull/1/merge');
    assert.equal(
      build({ repository: 'o/r', ref: 'main' }).workflow_ref,
      'o/r/.github/workflows/ci.yml@refs/heads/main',
    );
  });

  it('accepts the workflow file with or without its directory', () => {
    const short = build({ repository: 'o/r', ref: 'main', workflowFile: 'deploy.yml' });
    const long = build({ repository: 'o/r', ref: 'main', workflowFile: '.github/workflows/deploy.yml' });
    assert.equal(long.workflow_ref, short.workflow_ref);
    assert.equal(long.workflow, '.github/workflows/deploy.yml');
  });

  it('derives iat, nbf and exp from the clock in whole seconds', () => {
    const claims = buildJobClaims(
      { repository: 'o/r', ref: 'main' },
      { issuer: ISSUER, now: new Date(START.getTime() + 999) },
    );
    assert.equal(claims.iat, iat);
    assert.equal(claims.nbf, claims.iat - 600);
    assert.equal(claims.exp, claims.iat + 300);
  });

  it('lists every claim it can produce in JOB_CLAIM_NAMES', () => {
    const claims = build({ repository: 'o/r', ref: 'main', environment: 'e' });
    assert.deepEqual(Object.keys(claims), [...JOB_CLAIM_NAMES]);
  });

  it('rejects inputs it cannot describe', () => {
    for (const input of [
      { repository: 'no-slash', ref: 'main' },
      { repository: 'a/b/c', ref: 'main' },
      { repository: 'o/', ref: 'main' },
      { repository: 'o/r', ref: ' ' },
      { repository: 'o/r', ref: 'main', runId: 'abc' },
      { repository: 'o/r', ref: 'main', runNumber: -1 },
      { repository: 'o/r', ref: 'main', audience: '' },
      { repository: 'o/r', ref: 'main', sha: '' },
    ]) {
      assert.throws(() => build(input), JobClaimsError, JSON.stringify(input));
    }
  });
});
