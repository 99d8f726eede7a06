/**
 * The results service's blob and Twirp refusals that the toolkit clients never provoke, driven
 * with raw HTTP against a real cloud: malformed block ids, a block list naming unstaged blocks,
 * Put Blob without its type, an oversized block list, a finalize whose size or hash does not
 * match what was uploaded, and writes after finalizing.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

describe('results blob protocol refusals', () => {
  let cloud: TestCloud;
  let token = '';
  let ids = { workflow_run_backend_id: '', workflow_job_run_backend_id: '' };

  const twirp = async (method: string, body: object) => {
    const response = await fetch(`${cloud.url}/twirp/github.actions.results.api.v1.ArtifactService/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...ids, ...body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const put = (url: string, query: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${url}&${query}`, { method: 'PUT', headers, body });
  const azureCode = (response: Response) => response.headers.get('x-ms-error-code');
  const blockId = (n: number) => Buffer.from(`block-${String(n).padStart(6, '0')}`).toString('base64');

  before(async () => {
    cloud = await startTestCloud();
    const job = cloud.cloud.ci.results.registerJob({
      repository: 'acme/raw',
      runId: 1,
      ref: 'refs/heads/main',
      defaultBranch: 'main',
    });
    token = job.token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { scp: string };
    const [, run = '', jobId = ''] = (claims.scp.split(' ').find((s) => s.startsWith('Actions.Results:')) ?? '').split(
      ':',
    );
    ids = { workflow_run_backend_id: run, workflow_job_run_backend_id: jobId };
  });
  after(async () => cloud?.stop());

  it('commits staged blocks in the listed order and refuses what Azure refuses', async () => {
    const created = await twirp('CreateArtifact', { name: 'raw', version: 4 });
    assert.equal(created.body.ok, true);
    const url = String(created.body.signed_upload_url);
    assert.match(url, /\/_results\/blob\/a-[0-9a-f]{32}\?sv=.*&sr=b&sp=cw&se=.*&sig=/);

    const badId = await put(url, 'comp=block&blockid=', 'x');
    assert.equal(badId.status, 400);
    assert.equal(azureCode(badId), 'InvalidQueryParameterValue');
    assert.equal((await put(url, `comp=block&blockid=${encodeURIComponent(blockId(2))}`, 'world')).status, 201);
    assert.equal((await put(url, `comp=block&blockid=${encodeURIComponent(blockId(1))}`, 'hello ')).status, 201);
    const unstaged = await put(
      url,
      'comp=blocklist',
      `<?xml version="1.0"?><BlockList><Latest>${blockId(9)}</Latest></BlockList>`,
    );
    assert.equal(unstaged.status, 400);
    assert.equal(azureCode(unstaged), 'InvalidBlockList');
    const huge = await put(url, 'comp=blocklist', Buffer.alloc(9 * 1024 * 1024, 0x20));
    assert.equal(huge.status, 413);
    assert.equal(azureCode(huge), 'RequestBodyTooLarge');
    const noType = await fetch(url, { method: 'PUT', body: 'whole' });
    assert.equal(noType.status, 400);
    assert.equal(azureCode(noType), 'MissingRequiredHeader');
    const list = `<?xml version="1.0"?><BlockList><Latest>${blockId(1)}</Latest><Uncommitted>${blockId(2)}</Uncommitted></BlockList>`;
    assert.equal((await put(url, 'comp=blocklist', list)).status, 201);

    // Not readable before it is finalized; finalize checks size and digest against the bytes.
    const early = await twirp('GetSignedArtifactURL', { name: 'raw' });
    assert.equal(early.status, 404);
    const wrongSize = await twirp('FinalizeArtifact', { name: 'raw', size: '3' });
    assert.equal(wrongSize.body.code, 'invalid_argument');
    const wrongHash = await twirp('FinalizeArtifact', { name: 'raw', size: '11', hash: `sha256:${'0'.repeat(64)}` });
    assert.equal(wrongHash.body.code, 'invalid_argument');
    const hash = `sha256:${createHash('sha256').update('hello world').digest('hex')}`;
    const done = await twirp('FinalizeArtifact', { name: 'raw', size: '11', hash });
    assert.deepEqual(done.body, { ok: true, artifact_id: '1' });

    const read = await twirp('GetSignedArtifactURL', { name: 'raw' });
    const got = await fetch(String(read.body.signed_url));
    assert.equal(await got.text(), 'hello world');
    // The upload URL cannot write a finalized artifact.
    const late = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'again' });
    assert.equal(late.status, 409);
    const range = await fetch(String(read.body.signed_url), { headers: { 'x-ms-range': 'bytes=20-30' } });
    assert.equal(range.status, 416);
    assert.equal(azureCode(range), 'InvalidRange');
    const dup = await twirp('CreateArtifact', { name: 'raw', version: 4 });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'already_exists');
    const badName = await twirp('CreateArtifact', { name: 'a/b', version: 4 });
    assert.equal(badName.body.code, 'invalid_argument');
  });
});
