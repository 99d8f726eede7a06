/**
 * The real client: skopeo (containers/image) pushes an OCI layout with a gzipped layer,
 * pulls it back byte-identical, copies it between repositories (cross-repository mount),
 * and is refused a push with a pull-only role.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { allowPolicy, PULL_ACTIONS, startRegistry, type RegistryHarness } from './support/harness.js';

const run = promisify(execFile);

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Writes an OCI image layout with one gzipped layer; returns the manifest digest. */
function writeLayout(dir: string): { manifestDigest: string; layerDigest: string } {
  const content = join(dir, 'content');
  mkdirSync(join(content, 'etc'), { recursive: true });
  writeFileSync(join(content, 'etc', 'hello.txt'), `hello from dockyard ${Date.now()}\n`.repeat(1000));
  const tar = execFileSync('tar', ['-C', content, '-cf', '-', 'etc']);
  const layer = gzipSync(tar);
  const layout = join(dir, 'layout');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const blob = (b: Buffer) => {
    writeFileSync(join(layout, 'blobs', 'sha256', hex(b)), b);
    return `sha256:${hex(b)}`;
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [`sha256:${hex(tar)}`] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob(layer), size: layer.length }],
    }),
  );
  const manifestDigest = blob(manifest);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
  return { manifestDigest, layerDigest: `sha256:${hex(layer)}` };
}

// scripts/setup installs skopeo; a machine without it fails here rather than skipping silently.
describe('skopeo', () => {
  let h: RegistryHarness;
  let dir: string;
  before(async () => {
    h = await startRegistry();
    h.images.createRepository('team/app');
    h.images.createRepository('copy');
    dir = mkdtempSync(join(tmpdir(), 'dockyard-skopeo-'));
  });
  after(async () => {
    await h.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'pushes an OCI layout, pulls it back identical, copies between repositories, refuses a pull-only push',
    { timeout: 60_000 },
    async () => {
      const { manifestDigest, layerDigest } = writeLayout(dir);
      const creds = `AWS:${h.rootPassword}`;
      const remote = `docker://${h.host}/team/app:latest`;
      await run('skopeo', [
        'copy',
        '-q',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds,
        `oci:${join(dir, 'layout')}:latest`,
        remote,
      ]);
      assert.equal(h.images.getManifest('team/app', 'latest')?.digest, manifestDigest);

      const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds, remote]);
      assert.equal(`sha256:${hex(Buffer.from(stdout))}`, manifestDigest);

      const out = join(dir, 'pulled');
      await run('skopeo', ['copy', '-q', '--src-tls-verify=false', '--src-creds', creds, remote, `oci:${out}:latest`]);
      const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      assert.equal(index.manifests[0]?.digest, manifestDigest);
      const pulledLayer = readFileSync(join(out, 'blobs', 'sha256', layerDigest.slice(7)));
      assert.deepEqual(pulledLayer, readFileSync(join(dir, 'layout', 'blobs', 'sha256', layerDigest.slice(7))));

      await run('skopeo', [
        'copy',
        '-q',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--src-creds',
        creds,
        '--dest-creds',
        creds,
        remote,
        `docker://${h.host}/copy:v1`,
      ]);
      assert.equal(h.images.getManifest('copy', 'v1')?.digest, manifestDigest);
      assert.equal(h.images.isBlobLinked('copy', layerDigest), true);

      const puller = `AWS:${h.rolePassword('puller', [allowPolicy(PULL_ACTIONS)])}`;
      await run('skopeo', [
        'copy',
        '-q',
        '--src-tls-verify=false',
        '--src-creds',
        puller,
        remote,
        `oci:${join(dir, 'by-puller')}:latest`,
      ]);
      await assert.rejects(
        run('skopeo', [
          'copy',
          '-q',
          '--dest-tls-verify=false',
          '--dest-creds',
          puller,
          `oci:${join(dir, 'layout')}:latest`,
          `docker://${h.host}/team/app:other`,
        ]),
        (error: Error) => /denied|not authorized/i.test(error.message),
      );
      assert.deepEqual(h.errors, []);
    },
  );
});
