/** HTTP Basic parsing and the 401/403 decisions of authorizeGitRequest. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeGitRequest, parseBasicAuthorization, type GitAuthenticator } from '../../src/git/index.js';

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('parseBasicAuthorization', () => {
  it('splits at the first colon, so passwords may contain colons', () => {
    assert.deepEqual(parseBasicAuthorization(basic('x-access-token', 'a:b:c').authorization), {
      user: 'x-access-token',
      password: 'a:b:c',
    });
    assert.deepEqual(parseBasicAuthorization(`basic ${Buffer.from(':secret').toString('base64')}`), {
      user: '',
      password: 'secret',
    });
  });

  it('ignores other schemes and malformed values', () => {
    assert.equal(parseBasicAuthorization(undefined), undefined);
    assert.equal(parseBasicAuthorization('Bearer abc'), undefined);
    assert.equal(parseBasicAuthorization('Basic'), undefined);
    assert.equal(parseBasicAuthorization(`Basic ${Buffer.from('no-colon').toString('base64')}`), undefined);
    assert.equal(parseBasicAuthorization('Basic !!!'), undefined);
  });
});

describe('authorizeGitRequest', () => {
  const readOnly: GitAuthenticator = (user, password, { access }) =>
    user === 'u' && password === 'p' && access === 'read';
  const request = { repository: 'octo-org/app', access: 'write' as const };

  it('answers 401 without credentials, without a password, and for unknown ones', async () => {
    assert.deepEqual(await authorizeGitRequest({}, request, readOnly), {
      ok: false,
      status: 401,
      message: 'Authentication required: use an access key id and secret, or a job token, as user name and password.',
    });
    assert.equal((await authorizeGitRequest(basic('u', ''), request, readOnly)).ok, false);
    const wrong = await authorizeGitRequest(basic('u', 'wrong'), request, readOnly);
    assert.equal(!wrong.ok && wrong.status, 401);
  });

  it('answers 403 when credentials that may read try to write', async () => {
    const denied = await authorizeGitRequest(basic('u', 'p'), request, readOnly);
    assert.deepEqual(denied, { ok: false, status: 403, message: 'Permission to push to octo-org/app denied to u.' });
    assert.deepEqual(await authorizeGitRequest(basic('u', 'p'), { ...request, access: 'read' }, readOnly), {
      ok: true,
      user: 'u',
    });
  });

  it("takes an authenticator's explicit 'forbidden' as 403", async () => {
    const forbidding: GitAuthenticator = async () => 'forbidden' as const;
    const denied = await authorizeGitRequest(basic('u\nx', 'p'), { ...request, access: 'read' }, forbidding);
    assert.deepEqual(denied, { ok: false, status: 403, message: 'Permission to read octo-org/app denied to u?x.' });
  });
});
