/** InMemoryGitAccessTokens: scope, write-implies-read, expiry on an injected clock, revocation. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { DEFAULT_GIT_TOKEN_TTL_MS, InMemoryGitAccessTokens } from '../../src/git/index.js';

describe('InMemoryGitAccessTokens', () => {
  it('binds a token to one repository and an access level', () => {
    const tokens = new InMemoryGitAccessTokens(new ManualClock(0));
    const read = tokens.issue('octo-org/app', 'read');
    const write = tokens.issue('octo-org/app', 'write');
    assert.match(read.token, /^ghs_[A-Za-z0-9_-]{40}$/);
    assert.notEqual(read.token, write.token);
    assert.equal(tokens.verify(read.token, 'octo-org/app', 'read'), true);
    assert.equal(tokens.verify(read.token, 'octo-org/app', 'write'), false);
    assert.equal(tokens.verify(write.token, 'octo-org/app', 'write'), true);
    assert.equal(tokens.verify(write.token, 'octo-org/app', 'read'), true);
    assert.equal(tokens.verify(write.token, 'octo-org/other', 'read'), false);
    assert.equal(tokens.verify('ghs_unknown', 'octo-org/app', 'read'), false);
    assert.equal(tokens.verify('', 'octo-org/app', 'read'), false);
    assert.deepEqual(tokens.inspect(write.token), { repository: 'octo-org/app', access: 'write' });
  });

  it('expires tokens after six hours by default, or their own ttl', () => {
    const clock = new ManualClock(0);
    const tokens = new InMemoryGitAccessTokens(clock);
    const long = tokens.issue('octo-org/app', 'read');
    const short = tokens.issue('octo-org/app', 'read', 1000);
    clock.advance(999);
    assert.equal(tokens.verify(short.token, 'octo-org/app', 'read'), true);
    clock.advance(1);
    assert.equal(tokens.verify(short.token, 'octo-org/app', 'read'), false);
    clock.set(new Date(DEFAULT_GIT_TOKEN_TTL_MS - 1));
    assert.equal(tokens.verify(long.token, 'octo-org/app', 'read'), true);
    clock.advance(1);
    assert.equal(tokens.verify(long.token, 'octo-org/app', 'read'), false);
    assert.equal(tokens.size, 0);
  });

  it('revokes at once, idempotently', () => {
    const tokens = new InMemoryGitAccessTokens(new ManualClock(0));
    const issued = tokens.issue('octo-org/app', 'write');
    issued.revoke();
    issued.revoke();
    assert.equal(tokens.verify(issued.token, 'octo-org/app', 'read'), false);
  });

  it('rejects a bad ttl or access', () => {
    const tokens = new InMemoryGitAccessTokens(new ManualClock(0));
    assert.throws(() => tokens.issue('octo-org/app', 'read', 0), RangeError);
    assert.throws(() => tokens.issue('octo-org/app', 'read', Number.NaN), RangeError);
    assert.throws(() => tokens.issue('octo-org/app', 'admin' as 'read'), TypeError);
  });
});
