/**
 * A data directory's TLS material: issued once with the right file modes, reused as long as
 * it is good, re-issued when its names change, when it nears its end (the server certificate
 * at 10 days left, the CA at 30) or when a file is broken; the CA's key stays the same across
 * server renewals.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { certificateNames, permittedNames } from '../../src/cloud/cloud-tls.js';
import { awsCertificateNames } from '../../src/tls/aws-hostnames.js';
import { hasNameConstraints } from '../../src/tls/name-constraints.js';
import { CloudCertificates, LOOPBACK_NAMES, subjectAltNames, tlsFiles } from '../../src/tls/cloud-certificates.js';

const DAY = 24 * 3600 * 1000;

describe('CloudCertificates', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'dockyard-certs-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const at = (offsetDays: number) => () => new Date(Date.now() + offsetDays * DAY);
  const files = () => tlsFiles(dataDir);
  const read = (path: string) => readFileSync(path, 'utf8');

  it('issues a CA and a server certificate on first use, every file readable only by the owner', async () => {
    const certificates = new CloudCertificates(dataDir, LOOPBACK_NAMES);
    assert.equal(certificates.current(), undefined);
    const issued = await certificates.ensure();
    assert.equal(statSync(files().dir).mode & 0o777, 0o700);
    assert.equal(statSync(files().caKey).mode & 0o777, 0o600);
    assert.equal(statSync(files().serverKey).mode & 0o777, 0o600);
    assert.equal(statSync(files().caCert).mode & 0o777, 0o600);
    assert.equal(statSync(files().serverCert).mode & 0o777, 0o600);
    assert.equal(certificates.caCertPath, files().caCert);
    assert.equal(issued.caCert, read(files().caCert));
    assert.equal(issued.cert, read(files().serverCert));
    assert.equal(issued.key, read(files().serverKey));
    assert.deepEqual(subjectAltNames(new X509Certificate(issued.cert)).sort(), [
      'dns:localhost',
      'ip:0:0:0:0:0:0:0:1',
      'ip:127.0.0.1',
    ]);
    assert.ok(new X509Certificate(issued.cert).checkIssued(new X509Certificate(issued.caCert)));
  });

  it('reuses good material from disk without issuing, in a new instance (a restart)', async () => {
    const first = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
    const again = new CloudCertificates(dataDir, { dns: ['LOCALHOST'], ip: ['::1', '127.0.0.1'] });
    assert.deepEqual(again.current(), first, 'same names in another order and case');
    assert.deepEqual(await again.ensure(), first);
  });

  it('replaces a CA without the wanted name constraints (an older data directory), and keeps one that has them', async () => {
    const older = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
    const permitted = permittedNames('127.0.0.1');
    const constrained = new CloudCertificates(dataDir, certificateNames('127.0.0.1'), undefined, permitted);
    assert.equal(constrained.current(), undefined);
    const issued = await constrained.ensure();
    assert.notEqual(issued.caCert, older.caCert);
    assert.ok(hasNameConstraints(new X509Certificate(issued.caCert).raw, permitted));
    assert.deepEqual(
      new CloudCertificates(dataDir, certificateNames('127.0.0.1'), undefined, permitted).current(),
      issued,
    );
  });

  it('re-issues the server certificate (same CA) when the names change', async () => {
    const first = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
    const withHost = new CloudCertificates(dataDir, certificateNames('10.1.2.3'));
    assert.equal(withHost.current(), undefined);
    const second = await withHost.ensure();
    assert.equal(second.caCert, first.caCert);
    assert.notEqual(second.cert, first.cert);
    assert.equal(new X509Certificate(second.cert).checkIP('10.1.2.3'), '10.1.2.3');
    // and back: fewer names is a change too
    assert.equal(new CloudCertificates(dataDir, LOOPBACK_NAMES).current(), undefined);
  });

  it('renews the server certificate with 10 days left and the CA with 30 days left', async () => {
    const first = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
    const caKey = read(files().caKey);
    assert.deepEqual(new CloudCertificates(dataDir, LOOPBACK_NAMES, at(19)).current(), first, '11 days left: kept');
    const renewed = await new CloudCertificates(dataDir, LOOPBACK_NAMES, at(21)).ensure();
    assert.notEqual(renewed.cert, first.cert);
    assert.equal(renewed.caCert, first.caCert);
    assert.equal(read(files().caKey), caKey, 'the CA key stays');

    const late = new CloudCertificates(dataDir, LOOPBACK_NAMES, at(336));
    assert.equal(late.current(), undefined);
    const newCa = await late.ensure();
    assert.notEqual(newCa.caCert, first.caCert);
    assert.notEqual(read(files().caKey), caKey);
    assert.ok(new X509Certificate(newCa.cert).checkIssued(new X509Certificate(newCa.caCert)));
  });

  it('replaces broken material: a corrupt key, a certificate that does not match its key, one from another CA', async () => {
    const first = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
    writeFileSync(files().serverKey, 'not a key');
    const afterCorruptKey = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
    assert.notEqual(afterCorruptKey.cert, first.cert);
    assert.equal(afterCorruptKey.caCert, first.caCert);

    // A server certificate signed by another CA (e.g. a data directory's tls/ copied over half).
    const other = mkdtempSync(join(tmpdir(), 'dockyard-certs-other-'));
    try {
      const foreign = await new CloudCertificates(other, LOOPBACK_NAMES).ensure();
      writeFileSync(files().serverCert, foreign.cert);
      writeFileSync(files().serverKey, foreign.key);
      const replaced = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
      assert.notEqual(replaced.cert, foreign.cert);
      assert.ok(new X509Certificate(replaced.cert).checkIssued(new X509Certificate(first.caCert)));

      writeFileSync(files().caKey, readFileSync(tlsFiles(other).caKey));
      const newCa = await new CloudCertificates(dataDir, LOOPBACK_NAMES).ensure();
      assert.notEqual(newCa.caCert, first.caCert, 'a CA whose key does not match is replaced');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('issues once when asked twice at the same time', async () => {
    const certificates = new CloudCertificates(dataDir, LOOPBACK_NAMES);
    const [a, b] = await Promise.all([certificates.ensure(), certificates.ensure()]);
    assert.deepEqual(a, b);
    assert.equal(read(files().serverCert), a.cert);
  });

  it('an IPv6 name read back from the certificate matches however it is spelled', async () => {
    await new CloudCertificates(dataDir, certificateNames('fd00:0::A:5')).ensure();
    assert.ok(new CloudCertificates(dataDir, certificateNames('fd00::a:5')).current());
  });

  it('names: loopback and the AWS host names always; a specific listening address is added, a wildcard one is not', () => {
    const dns = ['localhost', ...awsCertificateNames()];
    const loopback = { dns, ip: ['127.0.0.1', '::1'] };
    assert.deepEqual(certificateNames('127.0.0.1'), loopback);
    assert.deepEqual(certificateNames('0.0.0.0'), loopback);
    assert.deepEqual(certificateNames('::'), loopback);
    assert.deepEqual(certificateNames('192.168.1.5'), { dns, ip: ['127.0.0.1', '::1', '192.168.1.5'] });
    assert.deepEqual(certificateNames('fd00::5'), { dns, ip: ['127.0.0.1', '::1', 'fd00::5'] });
    assert.deepEqual(certificateNames('devbox.internal'), {
      dns: [...dns, 'devbox.internal'],
      ip: ['127.0.0.1', '::1'],
    });
    assert.ok(
      dns.includes('sts.amazonaws.com') &&
        dns.includes('*.dkr.ecr.eu-west-1.amazonaws.com') &&
        dns.includes('*.ecr.us-east-1.amazonaws.com'),
    );
    // The CA may vouch for nothing else (name constraints).
    assert.deepEqual(permittedNames('127.0.0.1'), {
      dns: ['localhost', 'amazonaws.com'],
      ipRanges: ['127.0.0.0/8', '::1/128'],
    });
    assert.deepEqual(permittedNames('192.168.1.5'), {
      dns: ['localhost', 'amazonaws.com'],
      ipRanges: ['127.0.0.0/8', '::1/128', '192.168.1.5/32'],
    });
    assert.deepEqual(permittedNames('devbox.internal'), {
      dns: ['localhost', 'amazonaws.com', 'devbox.internal'],
      ipRanges: ['127.0.0.0/8', '::1/128'],
    });
  });
});
