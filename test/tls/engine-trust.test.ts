/**
 * The engine's trust in a registry, in a certs.d directory of the test's own: written as our
 * own file, removed only while it is ours, a user's files and directories left alone, entries
 * of crashed clouds swept, and a directory that cannot be written explained (as a real
 * non-root user, through runuser).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createCertificateAuthority } from '../../src/tls/certificate-issuer.js';
import { engineTrustBlocked, removeStaleTrust, trustRegistryInEngine } from '../../src/tls/engine-trust.js';
import { run } from '../support/run.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n';

describe('engine trust (certs.d)', () => {
  let base: string;
  let certsDir: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'dockyard-certsd-'));
    certsDir = join(base, 'containers', 'certs.d');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));
  const options = { registryHost: 'localhost:51234', caCertPath: '/data/tls/ca.crt' };

  it('writes the CA as dockyard-ca.crt for host:port, and removes it and the directory it made', () => {
    assert.equal(engineTrustBlocked({ certsDir, ...options }), undefined);
    const trust = trustRegistryInEngine({ certsDir, ...options, caCert: CA });
    assert.ok(trust.ok);
    assert.equal(trust.path, join(certsDir, 'localhost:51234', 'dockyard-ca.crt'));
    assert.equal(readFileSync(trust.path, 'utf8'), CA);
    assert.equal(statSync(trust.path).mode & 0o777, 0o644);
    trust.remove();
    assert.equal(existsSync(join(certsDir, 'localhost:51234')), false);
    assert.equal(existsSync(certsDir), true, 'certs.d itself stays');
  });

  it("leaves a user's own files and directory alone, and a file no longer ours", () => {
    const dir = join(certsDir, 'localhost:51234');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ca.crt'), 'the user CA');
    const trust = trustRegistryInEngine({ certsDir, ...options, caCert: CA });
    assert.ok(trust.ok);
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), 'the user CA');
    trust.remove();
    assert.equal(existsSync(trust.path), false);
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), 'the user CA', 'kept, with its directory');

    const again = trustRegistryInEngine({ certsDir, ...options, caCert: CA });
    assert.ok(again.ok);
    writeFileSync(again.path, 'another cloud on this port wrote its CA since');
    again.remove();
    assert.equal(readFileSync(again.path, 'utf8'), 'another cloud on this port wrote its CA since');
  });

  it('after a crash, the restarted cloud owns the directory its predecessor made', () => {
    const crashed = trustRegistryInEngine({ certsDir, ...options, caCert: 'the old CA' });
    assert.ok(crashed.ok); // never removed: the process died
    const restarted = trustRegistryInEngine({ certsDir, ...options, caCert: CA });
    assert.ok(restarted.ok);
    restarted.remove();
    assert.equal(existsSync(join(certsDir, 'localhost:51234')), false);
  });

  it(
    'removes entries of dockyard CAs whose port no longer listens; keeps live ones and anything else',
    { timeout: 30_000 },
    async () => {
      const validity = { notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 86400_000) };
      const ca = (await createCertificateAuthority({ commonName: 'dockyard local CA test', validity })).certPem;
      const listen = async (): Promise<Server> => {
        const server = createServer((socket) => socket.destroy());
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        return server;
      };
      const live = await listen();
      const dead = await listen();
      const port = (s: Server) => (s.address() as AddressInfo).port;
      const livePort = port(live);
      const deadPort = port(dead);
      await new Promise((resolve) => dead.close(resolve));
      try {
        const write = (host: string, content: string, name?: string) => {
          const result = trustRegistryInEngine({ certsDir, registryHost: host, caCertPath: '/x', caCert: content });
          assert.ok(result.ok);
          if (name) writeFileSync(join(dirname(result.path), name), 'a user file');
          return result.path;
        };
        const liveEntry = write(`localhost:${livePort}`, ca);
        const deadEntry = write(`localhost:${deadPort}`, ca);
        const deadWithUserFile = write(`127.0.0.1:${deadPort}`, ca, 'ca.crt');
        const notACa = write('localhost:2', 'not a certificate');
        const ownEntry = write('localhost:1', ca);
        const removed = await removeStaleTrust(certsDir, 'localhost:1');
        assert.deepEqual(removed.sort(), [deadEntry, deadWithUserFile].sort());
        assert.equal(existsSync(dirname(deadEntry)), false, 'its directory went with it');
        assert.equal(readFileSync(join(dirname(deadWithUserFile), 'ca.crt'), 'utf8'), 'a user file');
        for (const kept of [liveEntry, notACa, ownEntry]) assert.ok(existsSync(kept), kept);
        assert.deepEqual(await removeStaleTrust(join(base, 'missing'), 'x'), []);
      } finally {
        live.close();
      }
    },
  );

  it('says why and how to fix it when the directory cannot be made', () => {
    writeFileSync(join(base, 'containers'), 'a file where a directory should be');
    const trust = trustRegistryInEngine({ certsDir, ...options, caCert: CA });
    assert.equal(trust.ok, false);
    assert.ok(!trust.ok);
    assert.match(
      trust.problem,
      /cannot verify this cloud's registry \(https:\/\/localhost:51234\): writing .*dockyard-ca\.crt failed \(ENOTDIR\)/,
    );
    assert.match(
      trust.problem,
      /sudo install -D -m 0644 \/data\/tls\/ca\.crt .*\/certs\.d\/localhost:51234\/dockyard-ca\.crt/,
    );
  });

  it(
    'a non-root user is told before anything is written, and writing fails the same way',
    { timeout: 30_000 },
    async () => {
      // The host's real layout: a root-owned certs.d (0755) that another user cannot write.
      mkdirSync(certsDir, { recursive: true });
      chmodSync(base, 0o755);
      chmodSync(join(base, 'containers'), 0o755);
      const module = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'tls', 'engine-trust.js');
      const script = `
      const { engineTrustBlocked, trustRegistryInEngine } = await import(${JSON.stringify(module)});
      const o = { certsDir: ${JSON.stringify(certsDir)}, registryHost: 'localhost:51234', caCertPath: '/data/tls/ca.crt' };
      console.log(JSON.stringify({ blocked: engineTrustBlocked(o), written: trustRegistryInEngine({ ...o, caCert: 'x' }) }));`;
      const result = await run('runuser', [
        '-u',
        'nobody',
        '--',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ]);
      assert.equal(result.status, 0, result.stderr);
      const { blocked, written } = JSON.parse(result.stdout) as {
        blocked: string;
        written: { ok: boolean; problem: string };
      };
      assert.match(
        blocked,
        /certs\.d cannot be written \(EACCES\), so ECS tasks cannot pull from it and docker cannot push to it\. Run dockyard as root, or install its CA once/,
      );
      assert.equal(written.ok, false);
      assert.match(written.problem, /cannot be written \(EACCES\)/);
      assert.equal(existsSync(join(certsDir, 'localhost:51234')), false);
    },
  );
});
