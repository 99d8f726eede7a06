/**
 * The CA and the server certificates it issues, checked by parties other than the library
 * that built them: node:crypto's X509Certificate (chain, names, dates), OpenSSL's own parser
 * and verifier (`openssl x509 -text`, `openssl verify`), and a real TLS handshake that trusts
 * only the CA.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, createServer, type TLSSocket } from 'node:tls';
import {
  createCertificateAuthority,
  issueServerCertificate,
  type KeyAndCertificate,
} from '../../src/tls/certificate-issuer.js';
import { hasNameConstraints } from '../../src/tls/name-constraints.js';
import { run, runOk } from '../support/run.js';

const DAY = 24 * 3600 * 1000;
const now = new Date();
const validity = (days: number) => ({
  notBefore: new Date(now.getTime() - 3600_000),
  notAfter: new Date(now.getTime() + days * DAY),
});

/** What a TLS client that trusts `ca` (and only it) makes of a server presenting `server`. */
async function handshake(
  server: KeyAndCertificate,
  ca: string | undefined,
  target: { host: string; servername?: string },
): Promise<{ authorized: boolean; error?: string }> {
  const tls = createServer({ key: server.keyPem, cert: server.certPem }, (socket) => socket.end());
  tls.on('tlsClientError', () => undefined);
  tls.listen(0, target.host === '::1' ? '::1' : '127.0.0.1');
  await once(tls, 'listening');
  try {
    const socket: TLSSocket = connect({
      host: target.host,
      port: (tls.address() as AddressInfo).port,
      ca: ca ? [ca] : undefined,
      servername: target.servername,
    });
    return await new Promise((resolve) => {
      socket.once('secureConnect', () => {
        resolve({ authorized: socket.authorized });
        socket.destroy();
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        resolve({ authorized: false, error: error.code ?? error.message }),
      );
    });
  } finally {
    tls.close();
  }
}

describe('the certificate issuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-issuer-'));
  let ca: KeyAndCertificate;
  let server: KeyAndCertificate;

  before(async () => {
    ca = await createCertificateAuthority({ commonName: 'dockyard test CA', validity: validity(365) });
    server = await issueServerCertificate(ca, {
      names: { dns: ['localhost'], ip: ['127.0.0.1', '::1'] },
      validity: validity(30),
    });
    writeFileSync(join(dir, 'ca.crt'), ca.certPem);
    writeFileSync(join(dir, 'server.crt'), server.certPem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a CA that can sign and nothing else, valid from before now for a year', () => {
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.match(cert.subject, /CN=dockyard test CA/);
    assert.equal(cert.issuer, cert.subject);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.ok(Date.parse(cert.validFrom) < now.getTime());
    assert.ok(Math.abs(Date.parse(cert.validTo) - (now.getTime() + 365 * DAY)) < 2000);
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('OpenSSL reads the extensions: a CA with path length 0, a server certificate for TLS servers', async () => {
    const caText = (await runOk('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'ca.crt')])).stdout;
    assert.match(caText, /X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0/);
    assert.match(caText, /X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    assert.match(caText, /Public Key Algorithm: id-ecPublicKey[\s\S]*NIST CURVE: P-256/);
    const text = (await runOk('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'server.crt')])).stdout;
    assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:FALSE/);
    assert.match(text, /X509v3 Key Usage: critical\n\s+Digital Signature\n/);
    assert.match(text, /X509v3 Extended Key Usage: \n?\s*TLS Web Server Authentication\n/);
    assert.match(
      text,
      /X509v3 Subject Alternative Name: \n?\s*DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1\n/,
    );
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    // The authority key id names the CA's subject key id, which chain builders match on.
    const caKeyId = /X509v3 Subject Key Identifier: \n?\s*([0-9A-F:]+)/.exec(caText)?.[1];
    assert.ok(caKeyId);
    assert.match(text, new RegExp(`X509v3 Authority Key Identifier: \\n?\\s*(keyid:)?${caKeyId}`));
    const verified = await runOk('openssl', [
      'verify',
      '-CAfile',
      join(dir, 'ca.crt'),
      '-purpose',
      'sslserver',
      join(dir, 'server.crt'),
    ]);
    assert.match(verified.stdout, /server\.crt: OK/);
  });

  it('the server certificate chains to the CA, for its names only, for 30 days', () => {
    const cert = new X509Certificate(server.certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caCert.publicKey));
    assert.ok(!cert.verify(new X509Certificate(server.certPem).publicKey), 'not self-signed');
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkIP('::1'), '::1');
    assert.equal(cert.checkHost('example.com'), undefined);
    assert.equal(cert.checkIP('10.0.0.1'), undefined);
    assert.ok(Math.abs(Date.parse(cert.validTo) - (now.getTime() + 30 * DAY)) < 2000);
  });

  it('a TLS client that trusts the CA connects by name and by address; without it, it refuses', async () => {
    assert.deepEqual(await handshake(server, ca.certPem, { host: 'localhost', servername: 'localhost' }), {
      authorized: true,
    });
    assert.deepEqual(await handshake(server, ca.certPem, { host: '127.0.0.1' }), { authorized: true });
    assert.deepEqual(await handshake(server, ca.certPem, { host: '::1' }), { authorized: true });
    const untrusted = await handshake(server, undefined, { host: 'localhost', servername: 'localhost' });
    assert.equal(untrusted.authorized, false);
    assert.equal(untrusted.error, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const otherCa = await createCertificateAuthority({ commonName: 'another CA', validity: validity(1) });
    assert.equal(
      (await handshake(server, otherCa.certPem, { host: 'localhost', servername: 'localhost' })).authorized,
      false,
    );
  });

  it('takes any names, wildcards included (the AWS hostnames issue 11 adds)', async () => {
    const aws = await issueServerCertificate(ca, {
      names: { dns: ['localhost', 'sts.amazonaws.com', '*.dkr.ecr.us-east-1.amazonaws.com'], ip: [] },
      validity: validity(1),
    });
    const cert = new X509Certificate(aws.certPem);
    assert.equal(cert.checkHost('000000000000.dkr.ecr.us-east-1.amazonaws.com'), '*.dkr.ecr.us-east-1.amazonaws.com');
    assert.equal(cert.checkHost('a.b.dkr.ecr.us-east-1.amazonaws.com'), undefined, 'a wildcard covers one label');
    assert.deepEqual(
      await handshake(aws, ca.certPem, {
        host: '127.0.0.1',
        servername: '000000000000.dkr.ecr.us-east-1.amazonaws.com',
      }),
      { authorized: true },
    );
    assert.equal(
      (await handshake(aws, ca.certPem, { host: '127.0.0.1', servername: 'sts.us-east-1.amazonaws.com' })).error,
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    await assert.rejects(
      issueServerCertificate(ca, { names: { dns: [], ip: [] }, validity: validity(1) }),
      /at least one name/,
    );
  });

  it('gives every certificate its own positive serial number and key', async () => {
    const again = await issueServerCertificate(ca, { names: { dns: ['localhost'], ip: [] }, validity: validity(1) });
    const a = new X509Certificate(server.certPem);
    const b = new X509Certificate(again.certPem);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.match(a.serialNumber, /^[0-7][0-9A-F]{31}$/);
    assert.notEqual(again.keyPem, server.keyPem);
  });

  it('a name-constrained CA vouches for its permitted names only, as OpenSSL and Node verify it', async () => {
    const permitted = { dns: ['localhost', 'amazonaws.com'], ipRanges: ['127.0.0.0/8', '::1/128'] };
    const limited = await createCertificateAuthority({
      commonName: 'constrained CA',
      validity: validity(1),
      permitted,
    });
    assert.ok(hasNameConstraints(new X509Certificate(limited.certPem).raw, permitted));
    assert.ok(!hasNameConstraints(new X509Certificate(ca.certPem).raw, permitted), 'an unconstrained CA is told apart');
    assert.ok(
      !hasNameConstraints(new X509Certificate(limited.certPem).raw, { ...permitted, dns: ['localhost'] }),
      'so is one with other constraints',
    );
    writeFileSync(join(dir, 'limited.crt'), limited.certPem);
    const text = (await runOk('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'limited.crt')])).stdout;
    assert.match(
      text,
      /X509v3 Name Constraints: critical\n\s+Permitted:\n\s+DNS:localhost\n\s+DNS:amazonaws.com\n\s+IP:127\.0\.0\.0\/255\.0\.0\.0\n\s+IP:0:0:0:0:0:0:0:1\/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF/,
    );
    const inside = await issueServerCertificate(limited, {
      names: { dns: ['localhost', 'sts.amazonaws.com', '*.dkr.ecr.us-east-1.amazonaws.com'], ip: ['127.0.0.1', '::1'] },
      validity: validity(1),
    });
    const outside = await issueServerCertificate(limited, {
      names: { dns: ['example.com'], ip: [] },
      validity: validity(1),
    });
    writeFileSync(join(dir, 'inside.crt'), inside.certPem);
    writeFileSync(join(dir, 'outside.crt'), outside.certPem);
    assert.match(
      (await runOk('openssl', ['verify', '-CAfile', join(dir, 'limited.crt'), join(dir, 'inside.crt')])).stdout,
      /inside\.crt: OK/,
    );
    const refused = await run('openssl', ['verify', '-CAfile', join(dir, 'limited.crt'), join(dir, 'outside.crt')]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stdout + refused.stderr, /permitted subtree violation/);
    assert.deepEqual(await handshake(inside, limited.certPem, { host: '127.0.0.1', servername: 'sts.amazonaws.com' }), {
      authorized: true,
    });
    assert.equal(
      (await handshake(outside, limited.certPem, { host: '127.0.0.1', servername: 'example.com' })).authorized,
      false,
    );
  });
});
