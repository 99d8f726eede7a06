/**
 * Manifests, tags and referrers on the wire: byte-exact storage, HEAD = GET, Accept across
 * several lines, push failures mapped to the spec's codes (TAG_INVALID for immutable tags),
 * the 4 MiB limit, deletes, tag pagination with Link, referrers with artifactType filtering,
 * and names with slashes.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorOf, sha256, startRegistry, type RegistryHarness } from './support/harness.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** What containers/image sends: one Accept line per type. */
const SKOPEO_ACCEPT = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
];

let h: RegistryHarness;
beforeEach(async () => {
  h = await startRegistry();
  h.images.createRepository('app');
  h.images.createRepository('team/app');
});
afterEach(() => h.dispose());

describe('manifests', () => {
  it('stores the exact bytes; GET by tag and digest; HEAD has GET headers', async () => {
    // Odd spacing and key order must survive: the digest is of these bytes.
    const { content, digest } = await h.pushImage('app', 'v1', undefined, { annotations: { 'org.example': 'x' } });
    const weird = Buffer.from(content.toString('utf8').replace('{', '{  \n'));
    const put = await h.call('PUT', '/v2/app/manifests/v2', { body: weird, headers: { 'content-type': OCI_MANIFEST } });
    assert.equal(put.status, 201);
    assert.equal(put.headers['docker-content-digest'], sha256(weird));
    assert.equal(put.headers.location, `/v2/app/manifests/${sha256(weird)}`);
    for (const [ref, bytes, d] of [
      ['v1', content, digest],
      [digest, content, digest],
      ['v2', weird, sha256(weird)],
    ] as const) {
      const get = await h.call('GET', `/v2/app/manifests/${ref}`, { headers: { accept: SKOPEO_ACCEPT } });
      assert.equal(get.status, 200);
      assert.deepEqual(get.body, bytes);
      assert.equal(get.headers['content-type'], OCI_MANIFEST);
      assert.equal(get.headers['docker-content-digest'], d);
      const head = await h.call('HEAD', `/v2/app/manifests/${ref}`, { headers: { accept: SKOPEO_ACCEPT } });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      for (const name of [
        'content-type',
        'content-length',
        'docker-content-digest',
        'etag',
        'docker-distribution-api-version',
      ])
        assert.equal(head.headers[name], get.headers[name], name);
    }
    assert.ok(h.images.getManifest('app', digest)?.lastPulledAt);
  });

  it('Accept: several lines, commas, wildcards; a mismatch is 404 MANIFEST_UNKNOWN', async () => {
    await h.pushImage('app', 'v1');
    const ok = [
      [DOCKER_MANIFEST, OCI_MANIFEST],
      [`${DOCKER_MANIFEST}, ${OCI_MANIFEST};q=0.5`],
      ['*/*'],
      ['application/*'],
      [''],
    ];
    for (const accept of ok)
      assert.equal(
        (await h.call('GET', '/v2/app/manifests/v1', { headers: { accept } })).status,
        200,
        accept.join('|'),
      );
    assert.equal((await h.call('GET', '/v2/app/manifests/v1')).status, 200);
    for (const method of ['GET', 'HEAD']) {
      const res = await h.call(method, '/v2/app/manifests/v1', {
        headers: { accept: [DOCKER_MANIFEST, `${OCI_MANIFEST};q=0`] },
      });
      assert.equal(res.status, 404);
      if (method === 'GET') assert.equal(errorOf(res).code, 'MANIFEST_UNKNOWN');
    }
  });

  it('OCI-Subject on a manifest with a subject; referrers with and without artifactType', async () => {
    const image = await h.pushImage('app', 'v1');
    const subject = { mediaType: OCI_MANIFEST, digest: image.digest, size: image.content.length };
    const sbom = await h.pushImage('app', 'sbom', Buffer.from('sbom'), {
      artifactType: 'application/spdx+json',
      subject,
      annotations: { kind: 'sbom' },
    });
    const sig = await h.pushImage('app', 'sig', Buffer.from('sig'), {
      artifactType: 'application/vnd.dev.cosign',
      subject,
    });
    const put = await h.call('PUT', `/v2/app/manifests/${sbom.digest}`, {
      body: sbom.content,
      headers: { 'content-type': OCI_MANIFEST },
    });
    assert.equal(put.headers['oci-subject'], image.digest);
    const all = await h.call('GET', `/v2/app/referrers/${image.digest}`);
    assert.equal(all.status, 200);
    assert.equal(all.headers['content-type'], OCI_INDEX);
    assert.equal(all.headers['oci-filters-applied'], undefined);
    const index = all.json() as {
      schemaVersion: number;
      mediaType: string;
      manifests: { digest: string; artifactType: string; size: number; annotations?: Record<string, string> }[];
    };
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(index.manifests.map((m) => m.digest).sort(), [sbom.digest, sig.digest].sort());
    const sbomEntry = index.manifests.find((m) => m.digest === sbom.digest);
    assert.deepEqual(sbomEntry, {
      mediaType: OCI_MANIFEST,
      digest: sbom.digest,
      size: sbom.content.length,
      artifactType: 'application/spdx+json',
      annotations: { kind: 'sbom' },
    });
    const filtered = await h.call('GET', `/v2/app/referrers/${image.digest}?artifactType=application/vnd.dev.cosign`);
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    assert.deepEqual(
      (filtered.json() as { manifests: { digest: string }[] }).manifests.map((m) => m.digest),
      [sig.digest],
    );
    const none = await h.call('GET', `/v2/app/referrers/${sha256('nothing')}`);
    assert.deepEqual((none.json() as { manifests: unknown[] }).manifests, []);
    assert.equal(errorOf(await h.call('GET', '/v2/app/referrers/nope')).code, 'DIGEST_INVALID');
  });

  it('push failures: unknown blob, invalid, digest mismatch, too large, immutable tag, unknown repository', async () => {
    const missing = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'x', digest: sha256('none'), size: 4 },
        layers: [],
      }),
    );
    const put = (ref: string, body: Buffer | string, repo = 'app', type = OCI_MANIFEST) =>
      h.call('PUT', `/v2/${repo}/manifests/${ref}`, { body, headers: { 'content-type': type } });
    let res = await put('v1', missing);
    assert.deepEqual([res.status, errorOf(res).code], [400, 'MANIFEST_BLOB_UNKNOWN']);
    res = await put('v1', 'not json');
    assert.deepEqual([res.status, errorOf(res).code], [400, 'MANIFEST_INVALID']);
    const { content } = await h.pushImage('app', 'v1');
    res = await put(sha256('something else'), content);
    assert.deepEqual([res.status, errorOf(res).code], [400, 'DIGEST_INVALID']);
    res = await put('big', Buffer.alloc(4 * 1024 * 1024 + 10, 32));
    assert.deepEqual([res.status, errorOf(res).code], [413, 'SIZE_INVALID']);
    res = await put('v1', content, 'ghost');
    assert.deepEqual([res.status, errorOf(res).code], [404, 'NAME_UNKNOWN']);
    res = await put('bad%21tag', content);
    assert.deepEqual([res.status, errorOf(res).code], [400, 'TAG_INVALID']);

    h.images.createRepository('frozen', { tagMutability: 'IMMUTABLE' });
    await h.pushImage('frozen', 'v1', Buffer.from('one'));
    await assert.rejects(h.pushImage('frozen', 'v1', Buffer.from('two')), /400/);
    const other = await h.pushImage('frozen', 'v2', Buffer.from('two'));
    res = await put('v1', other.content, 'frozen');
    assert.equal(res.status, 400);
    assert.deepEqual(errorOf(res), {
      code: 'TAG_INVALID',
      message:
        "The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable.",
      detail: {},
    });
    // The identical manifest under the same tag is accepted on the data plane.
    assert.equal((await put('v2', other.content, 'frozen')).status, 201);
  });

  it('DELETE by digest is 202, by tag 400 UNSUPPORTED', async () => {
    const { digest } = await h.pushImage('app', 'v1');
    const byTag = await h.call('DELETE', '/v2/app/manifests/v1');
    assert.deepEqual([byTag.status, errorOf(byTag).code], [400, 'UNSUPPORTED']);
    assert.equal((await h.call('DELETE', `/v2/app/manifests/${digest}`)).status, 202);
    const gone = await h.call('GET', '/v2/app/manifests/v1');
    assert.deepEqual([gone.status, errorOf(gone).code], [404, 'MANIFEST_UNKNOWN']);
    assert.equal((await h.call('DELETE', `/v2/app/manifests/${digest}`)).status, 404);
  });

  it('names with slashes', async () => {
    const { digest } = await h.pushImage('team/app', 'latest');
    const res = await h.call('GET', '/v2/team/app/manifests/latest');
    assert.equal(res.headers['docker-content-digest'], digest);
    assert.equal((await h.call('GET', '/v2/app/manifests/latest')).status, 404);
    const invalid = await h.call('GET', '/v2/Team/App/manifests/latest');
    assert.deepEqual([invalid.status, errorOf(invalid).code], [400, 'NAME_INVALID']);
  });
});

describe('tags/list', () => {
  it('lists sorted tags, paginates with n/last and a Link header', async () => {
    const { content } = await h.pushImage('app', 'b');
    for (const tag of ['a', 'c', 'd', 'e']) {
      assert.equal(
        (await h.call('PUT', `/v2/app/manifests/${tag}`, { body: content, headers: { 'content-type': OCI_MANIFEST } }))
          .status,
        201,
      );
    }
    const all = await h.call('GET', '/v2/app/tags/list');
    assert.deepEqual(all.json(), { name: 'app', tags: ['a', 'b', 'c', 'd', 'e'] });
    assert.equal(all.headers.link, undefined);
    const pages: string[][] = [];
    let next: string | undefined = '/v2/app/tags/list?n=2';
    while (next) {
      const res = await h.call('GET', next);
      assert.equal(res.status, 200);
      pages.push((res.json() as { tags: string[] }).tags);
      const link = String(res.headers.link ?? '');
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    }
    assert.deepEqual(pages, [['a', 'b'], ['c', 'd'], ['e']]);
    assert.deepEqual((await h.call('GET', '/v2/app/tags/list?n=10&last=c')).json(), { name: 'app', tags: ['d', 'e'] });
    assert.deepEqual((await h.call('GET', '/v2/app/tags/list?n=0')).json(), { name: 'app', tags: [] });
    assert.deepEqual((await h.call('GET', '/v2/team/app/tags/list')).json(), { name: 'team/app', tags: [] });
    assert.equal((await h.call('GET', '/v2/app/tags/list?n=-1')).status, 400);
  });
});
