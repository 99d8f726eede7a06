/** SigningKeys: persistence, rotation and removal, the kid/x5t/x5c derivation, and the db invariants. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { ManualClock } from '../../src/core/clock.js';
import { OidcIssuer, SigningKeys } from '../../src/identity/index.js';
import { START, STS_ALGORITHMS, TempDatabase } from './fixtures.js';

const JOB = { repository: 'octo-org/octo-repo', ref: 'refs/heads/main' };
const ISSUER = { issuer: 'https://token.actions.githubusercontent.com' };

const temps: TempDatabase[] = [];
function tempDatabase(): TempDatabase {
  const temp = new TempDatabase();
  temps.push(temp);
  return temp;
}
after(() => {
  for (const temp of temps) temp.dispose();
});

async function verifyWith(issuer: OidcIssuer, token: string, clock: ManualClock): Promise<void> {
  await jwtVerify(token, createLocalJWKSet(issuer.jwks()), { algorithms: STS_ALGORITHMS, currentDate: clock.now() });
  await jwtVerify(token, issuer.getKey, { algorithms: STS_ALGORITHMS, currentDate: clock.now() });
}

describe('SigningKeys', () => {
  it('creates one active RS256 key on first start and reuses it afterwards', async () => {
    const db = tempDatabase().connect();
    const clock = new ManualClock(START);
    const keys = await SigningKeys.open(db, clock);
    const first = keys.active();
    assert.match(first.kid, /^[0-9A-F]{40}$/);
    assert.equal(first.status, 'active');
    assert.deepEqual(first.createdAt, START);
    assert.equal(first.retiredAt, undefined);
    assert.equal(first.x5t, Buffer.from(first.kid, 'hex').toString('base64url'));
    assert.equal((await keys.ensureActive()).kid, first.kid);
    const rows = db.prepare('SELECT kid, status, private_key_pkcs8 FROM identity_signing_keys').all() as {
      kid: string;
      status: string;
      private_key_pkcs8: string;
    }[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.status, 'active');
    assert.match(rows[0]?.private_key_pkcs8 ?? '', /^-----BEGIN PRIVATE KEY-----\n/);
    const privateKey = createPrivateKey(rows[0]?.private_key_pkcs8 ?? '');
    assert.equal(privateKey.asymmetricKeyType, 'rsa');
    assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(privateKey.asymmetricKeyDetails?.publicExponent, 65537n);
  });

  it('derives kid and x5t from a well-formed self-signed certificate, published as x5c', async () => {
    const keys = await SigningKeys.open(tempDatabase().connect(), new ManualClock(START));
    const key = keys.active();
    const certificate = new X509Certificate(key.certificate);
    assert.equal(certificate.fingerprint.replaceAll(':', ''), key.kid);
    assert.equal(createHash('sha1').update(key.certificate).digest('hex').toUpperCase(), key.kid);
    assert.ok(certificate.verify(certificate.publicKey), 'self-signature verifies');
    // (checkIssued() would say false: OpenSSL wants keyCertSign on an issuer, and this key only signs tokens.)
    assert.equal(certificate.issuer, certificate.subject);
    assert.equal(certificate.subject, 'CN=dockyard Actions OIDC token signing');
    assert.equal(new Date(certificate.validFrom).getTime(), START.getTime());
    assert.ok(certificate.publicKey.equals(key.publicKey));
    assert.deepEqual(key.jwk.x5c, [key.certificate.toString('base64')]);
    assert.equal(key.jwk.x5t, key.x5t);
    assert.equal(key.jwk.kid, key.kid);
  });

  it('keeps its keys across reopening the database: same kid, old tokens verify', async () => {
    const temp = tempDatabase();
    const clock = new ManualClock(START);
    const firstDb = temp.connect();
    const firstKeys = await SigningKeys.open(firstDb, clock);
    const token = await new OidcIssuer(firstKeys, clock, ISSUER).issue(JOB);
    const kid = firstKeys.active().kid;
    firstDb.close();

    const reopened = await SigningKeys.open(temp.connect(), clock);
    assert.equal(reopened.active().kid, kid);
    assert.equal(reopened.list().length, 1);
    const issuer = new OidcIssuer(reopened, clock, ISSUER);
    await verifyWith(issuer, token, clock);
    const fresh = await issuer.issue(JOB);
    assert.equal(decodeProtectedHeader(fresh).kid, kid);
    await verifyWith(issuer, fresh, clock);
  });

  it('rotates: the retired key verifies until removed; new tokens use the new kid', async () => {
    const temp = tempDatabase();
    const clock = new ManualClock(START);
    const db = temp.connect();
    const keys = await SigningKeys.open(db, clock);
    const issuer = new OidcIssuer(keys, clock, ISSUER);
    const oldKid = keys.active().kid;
    const oldToken = await issuer.issue(JOB);

    clock.advance(60_000);
    const rotated = await keys.rotate();
    assert.notEqual(rotated.kid, oldKid);
    assert.deepEqual(
      keys.list().map((key) => [key.kid, key.status]),
      [
        [rotated.kid, 'active'],
        [oldKid, 'retired'],
      ],
    );
    assert.deepEqual(keys.get(oldKid)?.retiredAt, clock.now());
    assert.deepEqual(
      issuer.jwks().keys.map((key) => key.kid),
      [rotated.kid, oldKid],
    );

    const newToken = await issuer.issue(JOB);
    assert.equal(decodeProtectedHeader(newToken).kid, rotated.kid);
    assert.equal(decodeProtectedHeader(newToken).x5t, rotated.x5t);
    await verifyWith(issuer, oldToken, clock);
    await verifyWith(issuer, newToken, clock);

    // Rotation is stored: a restart still knows the retired key.
    const reopened = await SigningKeys.open(temp.connect(), clock);
    assert.deepEqual(
      reopened.list().map((key) => [key.kid, key.status]),
      [
        [rotated.kid, 'active'],
        [oldKid, 'retired'],
      ],
    );

    assert.equal(keys.remove(oldKid), true);
    assert.equal(keys.remove(oldKid), false);
    assert.deepEqual(
      issuer.jwks().keys.map((key) => key.kid),
      [rotated.kid],
    );
    await assert.rejects(
      jwtVerify(oldToken, createLocalJWKSet(issuer.jwks()), { algorithms: STS_ALGORITHMS, currentDate: clock.now() }),
      errors.JWKSNoMatchingKey,
    );
    await assert.rejects(
      jwtVerify(oldToken, issuer.getKey, { algorithms: STS_ALGORITHMS, currentDate: clock.now() }),
      errors.JWKSNoMatchingKey,
    );
    await verifyWith(issuer, newToken, clock);
    assert.equal(db.prepare('SELECT count(*) AS n FROM identity_signing_keys').pluck().get(), 1);
  });

  it('refuses to remove the active key', async () => {
    const keys = await SigningKeys.open(tempDatabase().connect(), new ManualClock(START));
    assert.throws(() => keys.remove(keys.active().kid), /is active; rotate\(\) before removing it/);
    assert.equal(keys.list().length, 1);
  });

  it('enforces a single active key in the database itself', async () => {
    const db = tempDatabase().connect();
    const keys = await SigningKeys.open(db, new ManualClock(START));
    const active = keys.active();
    assert.throws(
      () =>
        db
          .prepare(
            "INSERT INTO identity_signing_keys (kid, status, private_key_pkcs8, certificate, created_at) VALUES ('X', 'active', '', ?, 0)",
          )
          .run(active.certificate),
      /UNIQUE constraint failed/,
    );
  });

  it('generates only one key when started twice concurrently', async () => {
    const db = tempDatabase().connect();
    const keys = new SigningKeys(db, new ManualClock(START));
    const [a, b] = await Promise.all([keys.ensureActive(), keys.ensureActive()]);
    assert.equal(a.kid, b.kid);
    assert.equal(db.prepare('SELECT count(*) AS n FROM identity_signing_keys').pluck().get(), 1);
  });

  it('refuses to be used before ensureActive()', () => {
    const keys = new SigningKeys(tempDatabase().connect(), new ManualClock(START));
    assert.throws(() => keys.active(), /before ensureActive/);
    assert.throws(() => keys.list(), /before ensureActive/);
  });
});
