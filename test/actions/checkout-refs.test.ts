/**
 * actions/checkout's choice of what to fetch and how to name the branch (src/actions/actions/checkout/refs.ts).
 * The whole action runs in the runner's and the pipeline's end-to-end tests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extraHeaderKey, resolveCheckoutRef } from '../../src/actions/actions/checkout/refs.js';

const SHA = 'a'.repeat(40);

describe('actions/checkout refs', () => {
  it('checks out the triggering commit on a branch named like the ref', () => {
    const ref = resolveCheckoutRef({
      input: '',
      repository: 'me/app',
      eventRepository: 'me/app',
      eventRef: 'refs/heads/main',
      eventSha: SHA,
    });
    assert.deepEqual(ref, {
      refspec: `+${SHA}:refs/remotes/origin/main`,
      checkoutArgs: ['-B', 'main', 'refs/remotes/origin/main'],
      outputRef: 'refs/heads/main',
    });
  });
  it('fetches a tag push as the tag', () => {
    const ref = resolveCheckoutRef({
      input: '',
      repository: 'me/app',
      eventRepository: 'me/app',
      eventRef: 'refs/tags/v1',
      eventSha: SHA,
    });
    assert.deepEqual(ref.checkoutArgs, ['refs/tags/v1']);
    assert.equal(ref.refspec, `+${SHA}:refs/tags/v1`);
  });
  it('takes an explicit branch or sha, and ignores the event for another repository', () => {
    assert.deepEqual(
      resolveCheckoutRef({
        input: 'release',
        repository: 'me/app',
        eventRepository: 'me/app',
        eventRef: 'refs/heads/main',
        eventSha: SHA,
      }).checkoutArgs,
      ['-B', 'release', 'refs/remotes/origin/release'],
    );
    assert.deepEqual(
      resolveCheckoutRef({ input: SHA, repository: 'me/other', eventRepository: 'me/app' }).checkoutArgs,
      [SHA],
    );
    assert.equal(
      resolveCheckoutRef({
        input: '',
        repository: 'me/other',
        eventRepository: 'me/app',
        eventRef: 'refs/heads/main',
        eventSha: SHA,
      }).refspec,
      '+HEAD:refs/remotes/origin/HEAD',
    );
  });
  it('names the auth header key as the real action does', () => {
    assert.equal(extraHeaderKey('http://localhost:4566/git/'), 'http.http://localhost:4566/git/.extraheader');
  });
});
