import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveImageUri } from '../../src/registry/image-uri.js';

const context = { accountId: '123456789012', homeRegion: 'us-east-1', registryHost: 'localhost:4566' };

describe('resolveImageUri', () => {
  it('maps the seed’s ECR URI to the local registry', () => {
    assert.deepEqual(resolveImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:latest', context), {
      accountId: '123456789012',
      region: 'us-east-1',
      repository: 'my-app',
      reference: 'latest',
      localUri: 'localhost:4566/my-app:latest',
    });
  });

  it('keeps digests, nested names and the default tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.equal(
      resolveImageUri(`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app@${digest}`, context)?.localUri,
      `localhost:4566/team/app@${digest}`,
    );
    assert.equal(resolveImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/app', context)?.reference, 'latest');
    assert.equal(resolveImageUri('localhost:4566/app:v1', context)?.repository, 'app');
    assert.equal(resolveImageUri('localhost:4566/team/app', context)?.reference, 'latest');
  });

  it('maps another region to its path on the local registry, and that path back', () => {
    const other = resolveImageUri('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1', context);
    assert.deepEqual(other, {
      accountId: '123456789012',
      region: 'eu-west-1',
      repository: 'team/app',
      reference: 'v1',
      localUri: 'localhost:4566/123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1',
    });
    const back = resolveImageUri(other.localUri, context);
    assert.equal(back?.region, 'eu-west-1');
    assert.equal(back?.repository, 'team/app');
    assert.equal(back?.localUri, other.localUri);
    // The home region spelled the long way is the same repository as its short form.
    assert.equal(
      resolveImageUri('localhost:4566/123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1', context)?.localUri,
      'localhost:4566/app:v1',
    );
  });

  it('maps another account to the local path the registry refuses', () => {
    const foreign = resolveImageUri('999999999999.dkr.ecr.us-east-1.amazonaws.com/app:v1', context);
    assert.equal(foreign?.accountId, '999999999999');
    assert.equal(foreign?.localUri, 'localhost:4566/999999999999.dkr.ecr.us-east-1.amazonaws.com/app:v1');
  });

  it('leaves other registries alone', () => {
    assert.equal(resolveImageUri('docker.io/library/python:3.11-slim', context), undefined);
    assert.equal(resolveImageUri('python:3.11-slim', context), undefined);
    assert.equal(resolveImageUri('localhost:5000/app:v1', context), undefined);
  });
});
