/** JobTokenBroker: the Actions ID-token request protocol as @actions/core's getIDToken() speaks it. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { JobClaimsError, JobTokenBroker, type JobTokenResponse } from '../../src/identity/index.js';
import { STS_ALGORITHMS, createIssuer, type IssuerFixture } from './fixtures.js';

/** The URL the runner hands out; @actions/core appends `&audience=…` to it. */
const REQUEST_URL = 'http://127.0.0.1:4566/_actions/idtoken?api-version=2.0';
const JOB = { repository: 'octo-org/octo-repo', ref: 'refs/heads/main' };

let fx: IssuerFixture;
before(async () => {
  fx = await createIssuer();
});
after(() => fx.temp.dispose());

/** A request the way @actions/core builds it: GET, Bearer token, audience appended with `&`. */
function getIdToken(
  broker: JobTokenBroker,
  requestToken: string | undefined,
  audience?: string,
  method = 'GET',
): Promise<JobTokenResponse> {
  const url = new URL(audience === undefined ? REQUEST_URL : `${REQUEST_URL}&audience=${encodeURIComponent(audience)}`);
  return broker.handle({
    method,
    query: url.searchParams,
    authorization: requestToken === undefined ? undefined : `Bearer ${requestToken}`,
  });
}

async function claimsOf(response: JobTokenResponse) {
  assert.equal(response.status, 200);
  assert.ok('value' in response.body);
  const { payload } = await jwtVerify(response.body.value, createLocalJWKSet(fx.issuer.jwks()), {
    algorithms: STS_ALGORITHMS,
    currentDate: fx.clock.now(),
  });
  return payload;
}

function assertError(response: JobTokenResponse, status: 401 | 405): void {
  assert.equal(response.status, status);
  assert.ok('message' in response.body && response.body.message.length > 0);
  assert.deepEqual(Object.keys(response.body), ['message']);
}

describe('JobTokenBroker', () => {
  it('answers 200 {value} with a verifiable token for the registered job', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = broker.register({ ...JOB, environment: 'production' });
    assert.match(requestToken, /^[A-Za-z0-9_-]{43}$/, '256 random bits, base64url');
    const response = await getIdToken(broker, requestToken, 'sts.amazonaws.com');
    assert.deepEqual(Object.keys(response.body), ['value']);
    const claims = await claimsOf(response);
    assert.equal(claims.sub, 'repo:octo-org/octo-repo:environment:production');
    assert.equal(claims.aud, 'sts.amazonaws.com');
  });

  it('defaults the audience to https://github.com/<owner>', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = broker.register(JOB);
    assert.equal((await claimsOf(await getIdToken(broker, requestToken))).aud, 'https://github.com/octo-org');
    assert.equal(
      (await claimsOf(await getIdToken(broker, requestToken, ''))).aud,
      'https://github.com/octo-org',
      'empty means absent',
    );
  });

  it('takes the audience from the query, decoded, over one fixed at registration', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = broker.register({ ...JOB, audience: 'registered' });
    assert.equal((await claimsOf(await getIdToken(broker, requestToken))).aud, 'registered');
    assert.equal((await claimsOf(await getIdToken(broker, requestToken, 'api://a b&c'))).aud, 'api://a b&c');
  });

  it('serves the same job many times, each token with its own jti', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = broker.register(JOB);
    const first = await claimsOf(await getIdToken(broker, requestToken));
    const second = await claimsOf(await getIdToken(broker, requestToken));
    assert.notEqual(first.jti, second.jti);
  });

  it('keeps jobs apart', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const a = broker.register({ repository: 'octo-org/a', ref: 'main' });
    const b = broker.register({ repository: 'octo-org/b', ref: 'main' });
    assert.notEqual(a.requestToken, b.requestToken);
    assert.equal((await claimsOf(await getIdToken(broker, a.requestToken))).repository, 'octo-org/a');
    assert.equal((await claimsOf(await getIdToken(broker, b.requestToken))).repository, 'octo-org/b');
  });

  it('answers 405 to anything but GET', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = broker.register(JOB);
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
      const response = await getIdToken(broker, requestToken, undefined, method);
      assertError(response, 405);
      assert.equal(response.headers.allow, 'GET');
    }
    assert.equal((await getIdToken(broker, requestToken, undefined, 'get')).status, 200);
  });

  it('answers 401 without a usable Bearer token', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = broker.register(JOB);
    const query = new URL(REQUEST_URL).searchParams;
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${requestToken}`,
      `Token ${requestToken}`,
      `Bearer ${requestToken}x`,
      `Bearer ${requestToken} extra`,
    ]) {
      const response = await broker.handle({ method: 'GET', query, authorization });
      assertError(response, 401);
      assert.equal(response.headers['www-authenticate'], 'Bearer', String(authorization));
    }
    assert.equal(
      (await broker.handle({ method: 'GET', query, authorization: `bearer  ${requestToken}` })).status,
      200,
      'scheme is case-insensitive',
    );
  });

  it('answers 401 once the registration is revoked', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const registration = broker.register(JOB);
    assert.equal((await getIdToken(broker, registration.requestToken)).status, 200);
    registration.revoke();
    registration.revoke();
    assertError(await getIdToken(broker, registration.requestToken), 401);
  });

  it('answers 401 once the request token has expired', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = broker.register(JOB, { ttlMs: 60_000 });
    fx.clock.advance(59_999);
    assert.equal((await getIdToken(broker, requestToken)).status, 200);
    fx.clock.advance(1);
    assertError(await getIdToken(broker, requestToken), 401);
  });

  it('does not honour a token registered with another broker', async () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    const { requestToken } = new JobTokenBroker(fx.issuer, fx.clock).register(JOB);
    assertError(await getIdToken(broker, requestToken), 401);
  });

  it('rejects a job it could never issue for at registration', () => {
    const broker = new JobTokenBroker(fx.issuer, fx.clock);
    assert.throws(() => broker.register({ repository: 'not-a-repo', ref: 'main' }), JobClaimsError);
    assert.throws(() => broker.register(JOB, { ttlMs: 0 }), RangeError);
  });
});
