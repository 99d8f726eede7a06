/**
 * EcrImageStore.putManifest and the rest of the ImageStore contract: the four media types,
 * byte-exact storage, digests, referenced blobs and child manifests, size, tag immutability
 * (with exclusion filters) and identical re-pushes, tags, referrers, links and GC candidates.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EcrImageStore, MANIFEST_SIZE_LIMIT } from '../../../src/services/ecr/index.js';
import { openDatabase } from '../../../src/store/database.js';
import {
  ACCOUNT,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  REGION,
  createHarness,
  createRepository,
  imageManifest,
  pushBlob,
  pushImage,
  sha256,
  type EcrHarness,
} from './fixtures.js';

let h: EcrHarness;
beforeEach(async () => {
  h = createHarness();
  await createRepository(h, 'my-app');
});
afterEach(() => h.dispose());

const put = (
  content: Buffer,
  extra: {
    tag?: string;
    mediaType?: string;
    expectedDigest?: string;
    refuseIdenticalTag?: boolean;
    repository?: string;
  } = {},
) =>
  h.images.putManifest({
    repository: extra.repository ?? 'my-app',
    content,
    mediaType: extra.mediaType ?? DOCKER_MANIFEST,
    now: h.clock.now(),
    ...extra,
  });

function indexOf(mediaType: string, children: { digest: string; size: number; mediaType: string }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: children.map((c) => ({ ...c, platform: { os: 'linux', architecture: 'amd64' } })),
    }),
  );
}

describe('putManifest', () => {
  for (const mediaType of [DOCKER_MANIFEST, OCI_MANIFEST]) {
    it(`stores a ${mediaType} byte for byte under its sha256 digest`, () => {
      const content = imageManifest(h, 'my-app', 'a', mediaType);
      const result = put(content, { tag: 'v1', mediaType });
      assert.deepEqual(result, { ok: true, digest: sha256(content), created: true });
      const stored = h.images.getManifest('my-app', 'v1');
      assert.ok(stored);
      assert.ok(stored.content.equals(content));
      assert.equal(stored.mediaType, mediaType);
      assert.deepEqual(stored.tags, ['v1']);
      assert.deepEqual(stored.pushedAt, h.clock.now());
      assert.deepEqual(h.images.getManifest('my-app', sha256(content))?.content, content);
    });
  }

  for (const mediaType of [DOCKER_LIST, OCI_INDEX]) {
    it(`stores a ${mediaType} whose children exist; its size is its largest child's`, () => {
      const small = imageManifest(h, 'my-app', 'small');
      const big = imageManifest(h, 'my-app', 'a much bigger layer than the other one');
      const children = [small, big].map((c) => {
        const r = put(c);
        assert.ok(r.ok);
        return { digest: r.digest, size: c.length, mediaType: DOCKER_MANIFEST };
      });
      const index = indexOf(mediaType, children);
      const result = put(index, { tag: 'multi', mediaType });
      assert.ok(result.ok);
      const sizes = [small, big].map((c) => h.images.getManifest('my-app', sha256(c))?.imageSizeInBytes ?? -1);
      assert.equal(h.images.getManifest('my-app', 'multi')?.imageSizeInBytes, Math.max(...sizes));
      assert.equal(h.images.getManifest('my-app', 'multi')?.mediaType, mediaType);
    });

    it(`refuses a ${mediaType} whose child is not in the repository (manifestUnknown)`, () => {
      const missing = sha256('nope');
      const result = put(indexOf(mediaType, [{ digest: missing, size: 10, mediaType: DOCKER_MANIFEST }]), {
        mediaType,
      });
      assert.deepEqual(result, { ok: false, failure: { kind: 'manifestUnknown', digest: missing } });
    });
  }

  it('sizes an image as its config plus layers, as the blob store holds them', () => {
    const content = imageManifest(h, 'my-app', 'sized');
    const parsed = JSON.parse(content.toString()) as { config: { size: number }; layers: { size: number }[] };
    assert.ok(put(content).ok);
    assert.equal(
      h.images.getManifest('my-app', sha256(content))?.imageSizeInBytes,
      parsed.config.size + (parsed.layers[0]?.size ?? 0),
    );
  });

  it('takes the media type from the request when the body has none', () => {
    const content = Buffer.from(
      imageManifest(h, 'my-app', 'x', OCI_MANIFEST).toString().replace(`"mediaType": "${OCI_MANIFEST}",`, ''),
    );
    assert.ok(!content.toString().includes(OCI_MANIFEST));
    assert.ok(put(content, { mediaType: OCI_MANIFEST }).ok);
    assert.equal(h.images.getManifest('my-app', sha256(content))?.mediaType, OCI_MANIFEST);
  });

  it('refuses invalid JSON, unknown media types and a body that contradicts the request', () => {
    assert.deepEqual(put(Buffer.from('{not json')), {
      ok: false,
      failure: { kind: 'invalidManifest', message: 'Invalid JSON syntax' },
    });
    const schema1 = Buffer.from(
      '{"schemaVersion":1,"mediaType":"application/vnd.docker.distribution.manifest.v1+json"}',
    );
    const r1 = put(schema1, { mediaType: 'application/vnd.docker.distribution.manifest.v1+json' });
    assert.ok(!r1.ok && r1.failure.kind === 'invalidManifest');
    const r2 = put(imageManifest(h, 'my-app', 'y', DOCKER_MANIFEST), { mediaType: OCI_MANIFEST });
    assert.ok(!r2.ok && r2.failure.kind === 'invalidManifest');
  });

  it('refuses more than 4 MiB (tooLarge) and accepts exactly 4 MiB of padding', () => {
    const base = imageManifest(h, 'my-app', 'big').toString();
    const prefix = `${base.slice(0, -1)},"annotations":{"p":"`;
    const pad = (total: number) => Buffer.from(`${prefix}${'x'.repeat(total - prefix.length - 3)}"}}`);
    const over = pad(MANIFEST_SIZE_LIMIT + 1);
    assert.equal(over.length, MANIFEST_SIZE_LIMIT + 1);
    assert.deepEqual(put(over), { ok: false, failure: { kind: 'tooLarge', limit: MANIFEST_SIZE_LIMIT } });
    const under = pad(MANIFEST_SIZE_LIMIT);
    assert.equal(under.length, MANIFEST_SIZE_LIMIT);
    assert.ok(put(under).ok);
  });

  it('checks the digest the client named (digestMismatch)', () => {
    const content = imageManifest(h, 'my-app', 'd');
    assert.ok(put(content, { expectedDigest: sha256(content) }).ok);
    const other = put(imageManifest(h, 'my-app', 'e'), { expectedDigest: sha256('something else') });
    assert.ok(!other.ok && other.failure.kind === 'digestMismatch');
  });

  it('requires referenced blobs to be stored and linked to this repository (blobUnknown)', async () => {
    await createRepository(h, 'other');
    const content = imageManifest(h, 'other', 'foreign');
    const layer = (JSON.parse(content.toString()) as { config: { digest: string } }).config.digest;
    // In the blob store, linked to "other" only.
    assert.deepEqual(put(content), { ok: false, failure: { kind: 'blobUnknown', digest: layer } });
    // Linked here but gone from the store: still unknown.
    h.images.linkBlob('my-app', layer);
    const layers = (JSON.parse(content.toString()) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
    for (const d of layers) h.images.linkBlob('my-app', d);
    h.blobs.delete(layer);
    assert.deepEqual(put(content), { ok: false, failure: { kind: 'blobUnknown', digest: layer } });
    pushBlob(h, 'my-app', `{"architecture":"amd64","seed":"foreign"}`);
    assert.ok(put(content).ok);
  });

  it('refuses an unknown repository', () => {
    assert.deepEqual(put(Buffer.from('{}'), { repository: 'nope' }), {
      ok: false,
      failure: { kind: 'repositoryNotFound' },
    });
  });

  it('moves a mutable tag; an identical re-push is accepted, or alreadyExists when refused', () => {
    const first = pushImage(h, 'my-app', 'one', 'latest');
    const again = put(imageManifest(h, 'my-app', 'one'), { tag: 'latest' });
    assert.deepEqual(again, { ok: true, digest: first, created: false });
    assert.deepEqual(put(imageManifest(h, 'my-app', 'one'), { tag: 'latest', refuseIdenticalTag: true }), {
      ok: false,
      failure: { kind: 'alreadyExists', tag: 'latest', digest: first },
    });
    const second = pushImage(h, 'my-app', 'two', 'latest');
    assert.equal(h.images.getManifest('my-app', 'latest')?.digest, second);
    assert.deepEqual(h.images.getManifest('my-app', first)?.tags, []);
  });

  it('refuses to move a tag in an IMMUTABLE repository, but allows new tags and identical re-pushes', async () => {
    await createRepository(h, 'locked', { imageTagMutability: 'IMMUTABLE' });
    const first = pushImage(h, 'locked', 'one', 'v1');
    assert.deepEqual(put(imageManifest(h, 'locked', 'two'), { repository: 'locked', tag: 'v1' }), {
      ok: false,
      failure: { kind: 'tagImmutable', tag: 'v1', repository: 'locked' },
    });
    assert.deepEqual(put(imageManifest(h, 'locked', 'one'), { repository: 'locked', tag: 'v1' }), {
      ok: true,
      digest: first,
      created: false,
    });
    assert.ok(put(imageManifest(h, 'locked', 'two'), { repository: 'locked', tag: 'v2' }).ok);
  });

  it('applies exclusion filters: IMMUTABLE_WITH_EXCLUSION and MUTABLE_WITH_EXCLUSION', async () => {
    await createRepository(h, 'mostly-locked', {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [
        { filterType: 'WILDCARD', filter: 'latest' },
        { filterType: 'WILDCARD', filter: 'dev-*' },
      ],
    });
    for (const tag of ['latest', 'dev-main']) {
      pushImage(h, 'mostly-locked', `a-${tag}`, tag);
      assert.ok(put(imageManifest(h, 'mostly-locked', `b-${tag}`), { repository: 'mostly-locked', tag }).ok, tag);
    }
    pushImage(h, 'mostly-locked', 'a-v1', 'v1');
    assert.ok(!put(imageManifest(h, 'mostly-locked', 'b-v1'), { repository: 'mostly-locked', tag: 'v1' }).ok);

    await createRepository(h, 'mostly-open', {
      imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'release-*' }],
    });
    pushImage(h, 'mostly-open', 'r1', 'release-1');
    const refused = put(imageManifest(h, 'mostly-open', 'r2'), { repository: 'mostly-open', tag: 'release-1' });
    assert.deepEqual(refused, {
      ok: false,
      failure: { kind: 'tagImmutable', tag: 'release-1', repository: 'mostly-open' },
    });
    pushImage(h, 'mostly-open', 'l1', 'latest');
    assert.ok(put(imageManifest(h, 'mostly-open', 'l2'), { repository: 'mostly-open', tag: 'latest' }).ok);
  });
});

describe('the rest of the ImageStore', () => {
  it('lists tags in lexical order with n and last', () => {
    for (const tag of ['b', 'a', 'c', 'a1', 'B']) pushImage(h, 'my-app', `img-${tag}`, tag);
    assert.deepEqual(h.images.listTags('my-app'), ['B', 'a', 'a1', 'b', 'c']);
    assert.deepEqual(h.images.listTags('my-app', { n: 2 }), ['B', 'a']);
    assert.deepEqual(h.images.listTags('my-app', { n: 2, last: 'a' }), ['a1', 'b']);
    assert.deepEqual(h.images.listTags('my-app', { n: 0 }), []);
    assert.deepEqual(h.images.listTags('nope'), []);
  });

  it('deletes a manifest with its tags', () => {
    const digest = pushImage(h, 'my-app', 'gone', 'x');
    assert.equal(h.images.deleteManifest('my-app', digest), true);
    assert.equal(h.images.getManifest('my-app', 'x'), undefined);
    assert.equal(h.images.deleteManifest('my-app', digest), false);
  });

  it('finds referrers by subject, optionally by artifactType', () => {
    const subject = pushImage(h, 'my-app', 'subject', 'v1', OCI_MANIFEST);
    const sbom = imageManifest(h, 'my-app', 'sbom', OCI_MANIFEST, {
      artifactType: 'application/spdx+json',
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: 100 },
    });
    const sig = imageManifest(h, 'my-app', 'sig', OCI_MANIFEST, {
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: 100 },
    });
    assert.ok(put(sbom, { mediaType: OCI_MANIFEST }).ok);
    assert.ok(put(sig, { mediaType: OCI_MANIFEST }).ok);
    assert.deepEqual(
      h.images
        .referrers('my-app', subject)
        .map((m) => m.digest)
        .sort(),
      [sha256(sbom), sha256(sig)].sort(),
    );
    assert.deepEqual(
      h.images.referrers('my-app', subject, 'application/spdx+json').map((m) => m.digest),
      [sha256(sbom)],
    );
    // Without artifactType, an image manifest is typed by its config.
    assert.deepEqual(
      h.images.referrers('my-app', subject, 'application/vnd.oci.image.config.v1+json').map((m) => m.digest),
      [sha256(sig)],
    );
    // A subject need not exist (OCI 1.1).
    const orphan = imageManifest(h, 'my-app', 'orphan', OCI_MANIFEST, {
      subject: { mediaType: OCI_MANIFEST, digest: sha256('absent'), size: 1 },
    });
    assert.ok(put(orphan, { mediaType: OCI_MANIFEST }).ok);
  });

  it('records pulls', () => {
    const digest = pushImage(h, 'my-app', 'pulled', 'v1');
    h.clock.advance(5000);
    h.images.recordPull('my-app', digest, h.clock.now());
    assert.deepEqual(h.images.getManifest('my-app', 'v1')?.lastPulledAt, h.clock.now());
  });

  it('names unreferenced blobs for garbage collection', () => {
    const content = imageManifest(h, 'my-app', 'kept');
    assert.ok(put(content).ok);
    const parsed = JSON.parse(content.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    const loose = pushBlob(h, 'my-app', 'an orphan upload');
    const candidates = [parsed.config.digest, parsed.layers[0]?.digest ?? '', loose];
    assert.deepEqual(h.images.unreferencedBlobs(candidates), [loose]);
    h.images.deleteManifest('my-app', sha256(content));
    assert.deepEqual(h.images.unreferencedBlobs(candidates).sort(), [...candidates].sort());
  });

  it('survives a reopen of the database file', () => {
    const digest = pushImage(h, 'my-app', 'durable', 'v1');
    const db = openDatabase(join(h.dir, 'state.db'));
    try {
      const reopened = new EcrImageStore(db, {
        accountId: ACCOUNT,
        region: REGION,
        registryHost: 'localhost:4566',
        blobs: h.blobs,
      });
      assert.equal(reopened.getRepository('my-app')?.uri, 'localhost:4566/my-app');
      assert.equal(reopened.getManifest('my-app', 'v1')?.digest, digest);
      assert.equal(reopened.isBlobLinked('my-app', sha256('layer of durable')), true);
      assert.equal(reopened.isBlobLinked('other', sha256('layer of durable')), false);
    } finally {
      db.close();
    }
  });
});

describe('change feed', () => {
  it('tells subscribers, after the write, of each repository whose images or existence changed', async () => {
    const heard: string[] = [];
    const stop = h.images.onChange((repository) => heard.push(repository));
    const digest = pushImage(h, 'my-app', 'announced', 'v1');
    assert.deepEqual(heard, [], 'on a later microtask, never inside the write');
    await Promise.resolve();
    assert.deepEqual(heard, ['my-app']);
    h.images.removeTag('my-app', 'v1');
    h.images.removeTag('my-app', 'no-such-tag');
    h.images.deleteManifest('my-app', digest);
    await createRepository(h, 'other');
    h.images.repositories.delete('other');
    await Promise.resolve();
    assert.deepEqual(heard, ['my-app', 'my-app', 'my-app', 'other', 'other']);
    stop();
    pushImage(h, 'my-app', 'unheard');
    await Promise.resolve();
    assert.equal(heard.length, 5);
  });
});
