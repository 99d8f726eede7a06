import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveImageUri } from '../../src/registry/image-uri.js';

const context = { accountId: '123456789012', region: 'us-east-1', registryHost: 'localhost:4566' };

describe('resolveImageUri', () => {
  it('maps the seed’s ECR URI to the local registry', () => {
    assert.deepEqual(resolveImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:latest', context), {
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
  });

  it('leaves other accounts, regions and registries alone', () => {
    assert.equal(resolveImageUri('999999999999.dkr.ecr.us-east-1.amazonaws.com/app:v1', context), undefined);
    assert.equal(resolveImageUri('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1', context), undefined);
    assert.equal(resolveImageUri('docker.io/library/python:3.11-slim', context), undefined);
    assert.equal(resolveImageUri('python:3.11-slim', context), undefined);
  });
});
