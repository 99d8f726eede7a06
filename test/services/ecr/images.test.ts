/**
 * Image operations: PutImage (and each of its refusals), DescribeImages, ListImages,
 * BatchGetImage and BatchDeleteImage, over images pushed through the shared ImageStore.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageId } from '../../../src/services/ecr/model.js';
import type { ImageDetailOutput, ImageFailureOutput, ImageOutput } from '../../../src/services/ecr/outputs.js';
import {
  ACCOUNT,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_MANIFEST,
  START,
  createHarness,
  createRepository,
  imageManifest,
  pushImage,
  rejectsWith,
  sha256,
  type EcrHarness,
} from './fixtures.js';

let h: EcrHarness;
beforeEach(async () => {
  h = createHarness();
  await createRepository(h, 'my-app');
});
afterEach(() => h.dispose());

type ImageDetail = ImageDetailOutput;
type Image = ImageOutput;
type Failure = ImageFailureOutput;

const describeImages = async (input: Record<string, unknown> = {}) =>
  h.call<{ imageDetails: ImageDetail[]; nextToken?: string }>('DescribeImages', { repositoryName: 'my-app', ...input });

describe('PutImage', () => {
  it('stores the manifest byte for byte and answers with the image', async () => {
    const manifest = imageManifest(h, 'my-app', 'put').toString();
    const { image } = await h.call<{ image: Image }>('PutImage', {
      repositoryName: 'my-app',
      imageManifest: manifest,
      imageTag: 'v1',
    });
    assert.deepEqual(image, {
      registryId: ACCOUNT,
      repositoryName: 'my-app',
      imageId: { imageDigest: sha256(manifest), imageTag: 'v1' },
      imageManifest: manifest,
      imageManifestMediaType: DOCKER_MANIFEST,
    });
    assert.equal(h.images.getManifest('my-app', 'v1')?.content.toString(), manifest);
  });

  it('refuses an identical re-push with ImageAlreadyExistsException', async () => {
    const manifest = imageManifest(h, 'my-app', 'same').toString();
    await h.call('PutImage', { repositoryName: 'my-app', imageManifest: manifest, imageTag: 'v1' });
    await rejectsWith(
      h.call('PutImage', { repositoryName: 'my-app', imageManifest: manifest, imageTag: 'v1' }),
      'ImageAlreadyExistsException',
      `Image with digest '${sha256(manifest)}' and tag 'v1' already exists in the repository with name 'my-app' in registry with id '${ACCOUNT}'`,
    );
    // Another tag for the same manifest is fine.
    await h.call('PutImage', { repositoryName: 'my-app', imageManifest: manifest, imageTag: 'v2' });
    assert.deepEqual(h.images.getManifest('my-app', 'v1')?.tags, ['v1', 'v2']);
  });

  it('refuses to move a tag of an IMMUTABLE repository with ImageTagAlreadyExistsException', async () => {
    await createRepository(h, 'locked', { imageTagMutability: 'IMMUTABLE' });
    await h.call('PutImage', {
      repositoryName: 'locked',
      imageManifest: imageManifest(h, 'locked', 'a').toString(),
      imageTag: 'v1',
    });
    await rejectsWith(
      h.call('PutImage', {
        repositoryName: 'locked',
        imageManifest: imageManifest(h, 'locked', 'b').toString(),
        imageTag: 'v1',
      }),
      'ImageTagAlreadyExistsException',
      "The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.",
    );
  });

  it('answers LayersNotFoundException, ReferencedImagesNotFoundException and ImageDigestDoesNotMatchException', async () => {
    const missingLayer = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: sha256('absent config') },
      layers: [],
    });
    await rejectsWith(
      h.call('PutImage', { repositoryName: 'my-app', imageManifest: missingLayer, imageTag: 'x' }),
      'LayersNotFoundException',
      new RegExp(sha256('absent config')),
    );
    const list = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_LIST,
      manifests: [{ mediaType: DOCKER_MANIFEST, size: 1, digest: sha256('absent child') }],
    });
    await rejectsWith(
      h.call('PutImage', { repositoryName: 'my-app', imageManifest: list, imageTag: 'x' }),
      'ReferencedImagesNotFoundException',
    );
    const manifest = imageManifest(h, 'my-app', 'digest').toString();
    await rejectsWith(
      h.call('PutImage', { repositoryName: 'my-app', imageManifest: manifest, imageDigest: sha256('other') }),
      'ImageDigestDoesNotMatchException',
    );
    await h.call('PutImage', { repositoryName: 'my-app', imageManifest: manifest, imageDigest: sha256(manifest) });
  });

  it('needs imageManifestMediaType for a manifest without mediaType, as ECR does', async () => {
    const bare = imageManifest(h, 'my-app', 'bare', OCI_MANIFEST)
      .toString()
      .replace(`"mediaType": "${OCI_MANIFEST}",`, '');
    await rejectsWith(
      h.call('PutImage', { repositoryName: 'my-app', imageManifest: bare, imageTag: 'x' }),
      'InvalidParameterException',
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    );
    const { image } = await h.call<{ image: Image }>('PutImage', {
      repositoryName: 'my-app',
      imageManifest: bare,
      imageManifestMediaType: OCI_MANIFEST,
      imageTag: 'x',
    });
    assert.equal(image.imageManifestMediaType, OCI_MANIFEST);
  });

  it('answers RepositoryNotFoundException for an unknown repository or a foreign registry', async () => {
    await rejectsWith(
      h.call('PutImage', { repositoryName: 'nope', imageManifest: '{}' }),
      'RepositoryNotFoundException',
    );
    await rejectsWith(
      h.call('PutImage', { repositoryName: 'my-app', registryId: '999999999999', imageManifest: '{}' }),
      'RepositoryNotFoundException',
      "The repository with name 'my-app' does not exist in the registry with id '999999999999'",
    );
  });
});

describe('DescribeImages', () => {
  it("shows each image's ImageDetail", async () => {
    const digest = pushImage(h, 'my-app', 'one', 'v1');
    const stored = h.images.getManifest('my-app', digest);
    assert.ok(stored);
    const { imageDetails } = await describeImages();
    assert.deepEqual(imageDetails, [
      {
        registryId: ACCOUNT,
        repositoryName: 'my-app',
        imageDigest: digest,
        imageTags: ['v1'],
        imageSizeInBytes: stored.imageSizeInBytes,
        imagePushedAt: START,
        imageManifestMediaType: DOCKER_MANIFEST,
        artifactMediaType: 'application/vnd.docker.container.image.v1+json',
        imageStatus: 'ACTIVE',
      },
    ]);
  });

  it('filters by tagStatus, pages, and finds images by id', async () => {
    const tagged = pushImage(h, 'my-app', 'tagged', 'v1');
    const untagged = pushImage(h, 'my-app', 'untagged');
    const third = pushImage(h, 'my-app', 'third', 'v3');
    assert.deepEqual(
      (await describeImages({ filter: { tagStatus: 'UNTAGGED' } })).imageDetails.map((d) => d.imageDigest),
      [untagged],
    );
    assert.deepEqual(
      (await describeImages({ filter: { tagStatus: 'TAGGED' } })).imageDetails.map((d) => d.imageDigest).sort(),
      [tagged, third].sort(),
    );
    const first = await describeImages({ maxResults: 2 });
    const rest = await describeImages({ maxResults: 2, nextToken: first.nextToken });
    assert.deepEqual(
      [...first.imageDetails, ...rest.imageDetails].map((d) => d.imageDigest),
      [tagged, untagged, third].sort(),
    );
    assert.equal(rest.nextToken, undefined);
    const byId = await describeImages({ imageIds: [{ imageTag: 'v3' }, { imageDigest: tagged }] });
    assert.deepEqual(
      byId.imageDetails.map((d) => d.imageDigest),
      [third, tagged],
    );
  });

  it("answers ImageNotFoundException for a missing image, in ECR's words", async () => {
    await rejectsWith(
      describeImages({ imageIds: [{ imageTag: 'latest' }] }),
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'null', imageTag:'latest'} does not exist within the repository with name 'my-app' in the registry with id '${ACCOUNT}'`,
    );
    await rejectsWith(describeImages({ imageIds: [{ imageTag: 'v1' }], maxResults: 5 }), 'InvalidParameterException');
    await rejectsWith(describeImages({ filter: { tagStatus: 'SOME' } }), 'InvalidParameterException');
  });
});

describe('ListImages', () => {
  it('lists one id per tag and a bare digest for untagged images, filtered and paged', async () => {
    const a = pushImage(h, 'my-app', 'a', 'x');
    h.images.putManifest({
      repository: 'my-app',
      content: imageManifest(h, 'my-app', 'a'),
      mediaType: DOCKER_MANIFEST,
      tag: 'y',
      now: h.clock.now(),
    });
    const b = pushImage(h, 'my-app', 'b');
    const all = await h.call<{ imageIds: ImageId[] }>('ListImages', { repositoryName: 'my-app' });
    const expected = [{ imageDigest: a, imageTag: 'x' }, { imageDigest: a, imageTag: 'y' }, { imageDigest: b }].sort(
      (p, q) => ((p.imageDigest ?? '') < (q.imageDigest ?? '') ? -1 : 1),
    );
    assert.deepEqual(all.imageIds, expected);
    const untagged = await h.call<{ imageIds: ImageId[] }>('ListImages', {
      repositoryName: 'my-app',
      filter: { tagStatus: 'UNTAGGED' },
    });
    assert.deepEqual(untagged.imageIds, [{ imageDigest: b }]);
    const seen: ImageId[] = [];
    let nextToken: string | undefined;
    do {
      const page: { imageIds: ImageId[]; nextToken?: string } = await h.call('ListImages', {
        repositoryName: 'my-app',
        maxResults: 1,
        nextToken,
      });
      seen.push(...page.imageIds);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, expected);
  });
});

describe('BatchGetImage', () => {
  it('returns manifests byte for byte, records the pull, and reports failures as ECR does', async () => {
    const content = imageManifest(h, 'my-app', 'get');
    assert.ok(
      h.images.putManifest({ repository: 'my-app', content, mediaType: DOCKER_MANIFEST, tag: 'v1', now: h.clock.now() })
        .ok,
    );
    h.clock.advance(60_000);
    const out = await h.call<{ images: Image[]; failures: Failure[] }>('BatchGetImage', {
      repositoryName: 'my-app',
      imageIds: [
        { imageTag: 'v1' },
        { imageTag: 'missing' },
        {},
        { imageDigest: 'not-a-digest' },
        { imageDigest: sha256(content), imageTag: 'v2' },
      ],
    });
    assert.equal(out.images.length, 1);
    assert.deepEqual(out.images[0], {
      registryId: ACCOUNT,
      repositoryName: 'my-app',
      imageId: { imageDigest: sha256(content), imageTag: 'v1' },
      imageManifest: content.toString(),
      imageManifestMediaType: DOCKER_MANIFEST,
    });
    assert.ok(Buffer.from(out.images[0]?.imageManifest ?? '', 'utf8').equals(content));
    assert.deepEqual(
      out.failures.map((f) => [f.failureCode, f.failureReason]),
      [
        ['ImageNotFound', 'Requested image not found'],
        ['MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null'],
        [
          'InvalidImageDigest',
          "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
        ],
        ['ImageNotFound', 'Requested image not found'],
      ],
    );
    assert.deepEqual(h.images.getManifest('my-app', 'v1')?.lastPulledAt, h.clock.now());
    const { imageDetails } = await describeImages();
    assert.deepEqual(imageDetails[0]?.lastRecordedPullTime, h.clock.now());
  });

  it('honours acceptedMediaTypes', async () => {
    pushImage(h, 'my-app', 'oci', 'oci', OCI_MANIFEST);
    const refused = await h.call<{ images: Image[]; failures: Failure[] }>('BatchGetImage', {
      repositoryName: 'my-app',
      imageIds: [{ imageTag: 'oci' }],
      acceptedMediaTypes: [DOCKER_MANIFEST],
    });
    assert.equal(refused.images.length, 0);
    assert.equal(refused.failures.length, 1);
    const accepted = await h.call<{ images: Image[] }>('BatchGetImage', {
      repositoryName: 'my-app',
      imageIds: [{ imageTag: 'oci' }],
      acceptedMediaTypes: [DOCKER_MANIFEST, OCI_MANIFEST],
    });
    assert.equal(accepted.images[0]?.imageManifestMediaType, OCI_MANIFEST);
  });
});

describe('BatchDeleteImage', () => {
  it('removes a tag, deleting the image with its last tag; by digest removes the image', async () => {
    const two = pushImage(h, 'my-app', 'two-tags', 'a');
    h.images.putManifest({
      repository: 'my-app',
      content: imageManifest(h, 'my-app', 'two-tags'),
      mediaType: DOCKER_MANIFEST,
      tag: 'b',
      now: h.clock.now(),
    });
    const byDigest = pushImage(h, 'my-app', 'by-digest', 'c');
    const first = await h.call<{ imageIds: ImageId[]; failures: Failure[] }>('BatchDeleteImage', {
      repositoryName: 'my-app',
      imageIds: [{ imageTag: 'a' }],
    });
    assert.deepEqual(first, { imageIds: [{ imageDigest: two, imageTag: 'a' }], failures: [] });
    assert.deepEqual(h.images.getManifest('my-app', two)?.tags, ['b']);
    await h.call('BatchDeleteImage', { repositoryName: 'my-app', imageIds: [{ imageTag: 'b' }] });
    assert.equal(h.images.getManifest('my-app', two), undefined);
    const second = await h.call<{ imageIds: ImageId[]; failures: Failure[] }>('BatchDeleteImage', {
      repositoryName: 'my-app',
      imageIds: [{ imageDigest: byDigest }, { imageTag: 'gone' }],
    });
    assert.deepEqual(second.imageIds, [{ imageDigest: byDigest, imageTag: 'c' }]);
    assert.deepEqual(second.failures, [
      { imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ]);
  });

  it('refuses to delete an image a manifest list references', async () => {
    const child = pushImage(h, 'my-app', 'child');
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_LIST,
        manifests: [{ mediaType: DOCKER_MANIFEST, size: 10, digest: child }],
      }),
    );
    assert.ok(
      h.images.putManifest({
        repository: 'my-app',
        content: list,
        mediaType: DOCKER_LIST,
        tag: 'multi',
        now: h.clock.now(),
      }).ok,
    );
    const out = await h.call<{ imageIds: ImageId[]; failures: Failure[] }>('BatchDeleteImage', {
      repositoryName: 'my-app',
      imageIds: [{ imageDigest: child }],
    });
    assert.deepEqual(out.failures, [
      {
        imageId: { imageDigest: child },
        failureCode: 'ImageReferencedByManifestList',
        failureReason: `Requested image referenced by manifest list: [${sha256(list)}]`,
      },
    ]);
    assert.ok(h.images.getManifest('my-app', child));
  });
});
