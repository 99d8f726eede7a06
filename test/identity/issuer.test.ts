/**
 * OidcIssuer: token header and claims, verification with jose the way the STS does it, the
 * forgeries that verification must refuse, and the discovery/JWKS documents.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey } from 'node:crypto';
import { SignJWT, createLocalJWKSet, decodeJwt, errors, exportSPKI, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { GITHUB_ACTIONS_ISSUER, OidcIssuer, type JobClaimsInput } from '../../src/identity/index.js';
import { START, STS_ALGORITHMS, createIssuer, decodeSegment, encodeSegment, type IssuerFixture } from './fixtures.js';

const JOB: JobClaimsInput = {
  repository: 'octo-org/octo-repo',
  ref: 'refs/heads/main',
  environment: 'production',
  audience: 'sts.amazonaws.com',
};
const iat = START.getTime() / 1000;

let fx: IssuerFixture;
before(async () => {
  fx = await createIssuer();
});
after(() => fx.temp.dispose());

/** Both ways the STS can resolve keys: the published JWKS, and the issuer's in-process resolver. */
function resolvers(): [string, JWTVerifyGetKey][] {
  return [
    ['JWKS', createLocalJWKSet(fx.issuer.jwks())],
    ['getKey', fx.issuer.getKey],
  ];
}

function verify(token: string, getKey: JWTVerifyGetKey, at = fx.clock.now()) {
  return jwtVerify(token, getKey, {
    algorithms: STS_ALGORITHMS,
    issuer: GITHUB_ACTIONS_ISSUER,
    audience: 'sts.amazonaws.com',
    currentDate: at,
  });
}

describe('OidcIssuer.issue', () => {
  it('signs RS256 with GitHub’s header: typ, alg, x5t, kid in that order', async () => {
    const token = await fx.issuer.issue(JOB);
    const header = decodeSegment(token.split('.')[0]);
    const key = fx.keys.active();
    assert.deepEqual(Object.entries(header), [
      ['typ', 'JWT'],
      ['alg', 'RS256'],
      ['x5t', key.x5t],
      ['kid', key.kid],
    ]);
  });

  it('carries the job’s claims with iss and iat from the issuer and its clock', async () => {
    fx.clock.set(START);
    const claims = decodeJwt(await fx.issuer.issue(JOB));
    assert.equal(claims.iss, GITHUB_ACTIONS_ISSUER);
    assert.equal(claims.sub, 'repo:octo-org/octo-repo:environment:production');
    assert.equal(claims.aud, 'sts.amazonaws.com');
    assert.equal(claims.iat, iat);
    assert.equal(claims.nbf, iat - 600);
    assert.equal(claims.exp, iat + 300);
    fx.clock.advance(90_500);
    assert.equal(decodeJwt(await fx.issuer.issue(JOB)).iat, iat + 90);
    fx.clock.set(START);
  });

  it('verifies with jose via the JWKS and via getKey', async () => {
    const token = await fx.issuer.issue(JOB);
    for (const [name, getKey] of resolvers()) {
      const { payload, protectedHeader } = await verify(token, getKey);
      assert.equal(payload.sub, 'repo:octo-org/octo-repo:environment:production', name);
      assert.equal(protectedHeader.kid, fx.keys.active().kid, name);
    }
    const byKid = fx.issuer.verificationKeys().get(fx.keys.active().kid);
    assert.ok(byKid !== undefined);
    await jwtVerify(token, byKid, { algorithms: ['RS256'], currentDate: fx.clock.now() });
  });

  it('is valid from iat−600 s to iat+300 s and no longer', async () => {
    fx.clock.set(START);
    const token = await fx.issuer.issue(JOB);
    const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);
    for (const [name, getKey] of resolvers()) {
      await verify(token, getKey, at(299));
      await verify(token, getKey, at(-600));
      await assert.rejects(verify(token, getKey, at(300)), errors.JWTExpired, name);
      await assert.rejects(
        verify(token, getKey, at(-601)),
        (error: unknown) => error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf',
        name,
      );
    }
  });
});

describe('forged tokens are refused', () => {
  it('a payload edited after signing', async () => {
    const [header, payload, signature] = (await fx.issuer.issue(JOB)).split('.');
    const edited = { ...decodeSegment(payload), sub: 'repo:octo-org/octo-repo:environment:admin' };
    const forged = [header, encodeSegment(edited), signature].join('.');
    for (const [name, getKey] of resolvers()) {
      await assert.rejects(verify(forged, getKey), errors.JWSSignatureVerificationFailed, name);
    }
  });

  it('alg "none" with an empty signature', async () => {
    const [, payload] = (await fx.issuer.issue(JOB)).split('.');
    const forged = `${encodeSegment({ typ: 'JWT', alg: 'none', kid: fx.keys.active().kid })}.${payload}.`;
    for (const [name, getKey] of resolvers()) {
      await assert.rejects(verify(forged, getKey), errors.JOSEAlgNotAllowed, name);
      // Even a verifier that forgot its algorithm list does not accept it.
      await assert.rejects(jwtVerify(forged, getKey, { currentDate: fx.clock.now() }), errors.JOSEError, name);
    }
  });

  it('HS256 keyed with the public key PEM (algorithm confusion)', async () => {
    const [, payload] = (await fx.issuer.issue(JOB)).split('.');
    const pem = await exportSPKI(fx.keys.active().publicKey);
    const signingInput = `${encodeSegment({ typ: 'JWT', alg: 'HS256', kid: fx.keys.active().kid })}.${payload}`;
    const forged = `${signingInput}.${createHmac('sha256', pem).update(signingInput).digest('base64url')}`;
    for (const [name, getKey] of resolvers()) {
      await assert.rejects(verify(forged, getKey), errors.JOSEAlgNotAllowed, name);
      // Without an algorithm list, neither resolver offers a key for HS256 (a JWKS refuses the alg outright).
      await assert.rejects(jwtVerify(forged, getKey, { currentDate: fx.clock.now() }), errors.JOSEError, name);
    }
  });

  it('our key with another algorithm than RS256', async () => {
    const row = fx.db
      .prepare('SELECT private_key_pkcs8 FROM identity_signing_keys WHERE kid = ?')
      .pluck()
      .get(fx.keys.active().kid) as string;
    const forged = await new SignJWT({ ...decodeJwt(await fx.issuer.issue(JOB)) })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS384', kid: fx.keys.active().kid })
      .sign(createPrivateKey(row));
    for (const [name, getKey] of resolvers()) {
      await assert.rejects(verify(forged, getKey), errors.JWKSNoMatchingKey, name);
    }
  });

  it('a token from another issuer’s keys', async () => {
    const other = await createIssuer();
    try {
      const foreign = await other.issuer.issue(JOB);
      for (const [name, getKey] of resolvers()) {
        await assert.rejects(verify(foreign, getKey), errors.JWKSNoMatchingKey, name);
      }
    } finally {
      other.temp.dispose();
    }
  });

  it('a token without a kid', async () => {
    const row = fx.db
      .prepare('SELECT private_key_pkcs8 FROM identity_signing_keys WHERE kid = ?')
      .pluck()
      .get(fx.keys.active().kid) as string;
    const token = await new SignJWT({ ...decodeJwt(await fx.issuer.issue(JOB)) })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(createPrivateKey(row));
    await assert.rejects(verify(token, fx.issuer.getKey), errors.JWKSNoMatchingKey);
  });
});

describe('discovery and JWKS', () => {
  it('serves GitHub’s discovery document', () => {
    const discovery = fx.issuer.discovery();
    assert.deepEqual(Object.keys(discovery).sort(), [
      'claims_supported',
      'id_token_signing_alg_values_supported',
      'issuer',
      'jwks_uri',
      'response_types_supported',
      'scopes_supported',
      'subject_types_supported',
    ]);
    assert.equal(discovery.issuer, 'https://token.actions.githubusercontent.com');
    assert.equal(discovery.jwks_uri, 'https://token.actions.githubusercontent.com/.well-known/jwks');
    assert.deepEqual(discovery.subject_types_supported, ['public', 'pairwise']);
    assert.deepEqual(discovery.response_types_supported, ['id_token']);
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(discovery.scopes_supported, ['openid']);
    for (const claim of [
      'sub',
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'nbf',
      'ref',
      'sha',
      'repository',
      'repository_id',
      'repository_owner',
      'repository_owner_id',
      'run_id',
      'run_number',
      'run_attempt',
      'actor',
      'actor_id',
      'workflow',
      'workflow_ref',
      'workflow_sha',
      'head_ref',
      'base_ref',
      'event_name',
      'ref_type',
      'ref_protected',
      'environment',
      'job_workflow_ref',
      'job_workflow_sha',
      'repository_visibility',
      'runner_environment',
      'check_run_id',
    ]) {
      assert.ok(discovery.claims_supported.includes(claim), claim);
    }
  });

  it('takes any http(s) issuer URL, without its trailing slash', async () => {
    const local = new OidcIssuer(fx.keys, fx.clock, { issuer: 'http://localhost:4566/oidc/' });
    assert.equal(local.issuer, 'http://localhost:4566/oidc');
    assert.equal(local.discovery().jwks_uri, 'http://localhost:4566/oidc/.well-known/jwks');
    assert.equal(decodeJwt(await local.issue(JOB)).iss, 'http://localhost:4566/oidc');
    for (const issuer of [
      'token.actions.githubusercontent.com',
      'ftp://example.com',
      'https://example.com/?a=1',
      'https://example.com/#x',
      'https://u:p@example.com',
    ]) {
      assert.throws(() => new OidcIssuer(fx.keys, fx.clock, { issuer }), TypeError, issuer);
    }
  });

  it('publishes RSA JWKs with kid, alg, use, n, e, x5t and x5c', () => {
    const { keys } = fx.issuer.jwks();
    const active = fx.keys.active();
    assert.equal(keys.length, 1);
    const [jwk] = keys;
    assert.ok(jwk !== undefined);
    assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use', 'x5c', 'x5t']);
    assert.equal(jwk.kty, 'RSA');
    assert.equal(jwk.kid, active.kid);
    assert.equal(jwk.alg, 'RS256');
    assert.equal(jwk.use, 'sig');
    assert.equal(jwk.e, 'AQAB');
    assert.equal(Buffer.from(jwk.n, 'base64url').length, 256, '2048-bit modulus');
    assert.equal(jwk.x5t, active.x5t);
    assert.deepEqual(jwk.x5c, [active.certificate.toString('base64')]);
    // Callers get copies: editing one answer does not change the next.
    jwk.x5c.push('junk');
    jwk.kid = 'junk';
    assert.deepEqual(fx.issuer.jwks().keys[0]?.x5c, [active.certificate.toString('base64')]);
    assert.equal(fx.issuer.jwks().keys[0]?.kid, active.kid);
  });
});

describe('throughput', () => {
  it('signs 2,000 tokens', async (t) => {
    const fresh = await createIssuer();
    try {
      const started = performance.now();
      let last = '';
      for (let i = 0; i < 2000; i++) last = await fresh.issuer.issue({ ...JOB, runId: i + 1 });
      const seconds = (performance.now() - started) / 1000;
      assert.equal(decodeJwt(last).run_id, '2000');
      t.diagnostic(
        `2000 tokens in ${(seconds * 1000).toFixed(0)} ms (${(2000 / seconds).toFixed(0)} tokens/s, sequential)`,
      );

      const parallelStart = performance.now();
      await Promise.all(Array.from({ length: 2000 }, (_, i) => fresh.issuer.issue({ ...JOB, runId: i + 1 })));
      const parallel = (performance.now() - parallelStart) / 1000;
      t.diagnostic(
        `2000 tokens concurrently in ${(parallel * 1000).toFixed(0)} ms (${(2000 / parallel).toFixed(0)} tokens/s)`,
      );
    } finally {
      fresh.temp.dispose();
    }
  });
});
