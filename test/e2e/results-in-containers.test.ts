/**
 * The results service from inside job containers (runs-on: ubuntu-latest): ACTIONS_RESULTS_URL
 * and the signed blob URLs it hands out are 127.0.0.1:PORT, which a job's network makes the
 * cloud, as for every other cloud URL. Job 1 uploads an artifact over the Twirp API and a Put
 * Blob; job 2 (needs:) lists it and reads it back through its signed URL; neither job's `run:`
 * steps see the runtime token. A JavaScript action in plain Node speaks the protocol here: the toolkit clients are exercised by
 * test/results/toolkit-clients.test.ts and test/e2e/artifacts-and-cache.test.ts.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { removeCloudContainers } from '../support/engine-cleanup.js';
import { finishedRun, pushFiles } from '../support/git-push.js';

const REPOSITORY = 'acme/results-in-containers';

/**
 * A JavaScript action of the repository's own (actions get the runtime variables; `run:` steps
 * do not, as on GitHub): INPUT_MODE upload or download.
 */
const PROBE_ACTION = `name: results probe
inputs:
  mode:
    required: true
runs:
  using: node20
  main: index.mjs
`;

const PROBE_SCRIPT = `const token = process.env.ACTIONS_RUNTIME_TOKEN;
const scp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).scp;
const [, run, job] = scp.split(' ').find((s) => s.startsWith('Actions.Results:')).split(':');
const base = new URL(process.env.ACTIONS_RESULTS_URL).origin;
const call = async (method, body) => {
  const r = await fetch(\`\${base}/twirp/github.actions.results.api.v1.ArtifactService/\${method}\`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: \`Bearer \${token}\` },
    body: JSON.stringify({ workflow_run_backend_id: run, workflow_job_run_backend_id: job, ...body }),
  });
  if (!r.ok) throw new Error(\`\${method}: \${r.status} \${await r.text()}\`);
  return r.json();
};
if (process.env.INPUT_MODE === 'upload') {
  const created = await call('CreateArtifact', { name: 'from-container', version: 4 });
  const put = await fetch(created.signed_upload_url, {
    method: 'PUT',
    headers: { 'x-ms-blob-type': 'BlockBlob' },
    body: 'made inside the job container',
  });
  if (put.status !== 201) throw new Error('Put Blob: ' + put.status);
  const done = await call('FinalizeArtifact', { name: 'from-container', size: '29' });
  console.log('CONTAINER-UPLOAD-OK', done.artifact_id, new URL(created.signed_upload_url).host);
} else {
  const { artifacts } = await call('ListArtifacts', {});
  const { signed_url } = await call('GetSignedArtifactURL', { name: artifacts[0].name });
  console.log('CONTAINER-DOWNLOAD', artifacts.length, await (await fetch(signed_url)).text());
}
`;

const job = (name: string, mode: string, needs?: string): string[] => [
  `  ${name}:`,
  ...(needs === undefined ? [] : [`    needs: ${needs}`]),
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: test -z "$ACTIONS_RUNTIME_TOKEN" && echo "RUN-STEP-WITHOUT-TOKEN"',
  '      - uses: ./probe',
  '        with:',
  `          mode: ${mode}`,
];

const WORKFLOW = ['on: push', 'jobs:', ...job('up', 'upload'), ...job('down', 'download', 'up'), ''].join('\n');

describe('the results service from job containers', { timeout: 600_000 }, () => {
  let cloud: TestCloud;
  let tree: string;

  before(async () => {
    cloud = await startTestCloud({ engine: true, jobContainers: true });
    tree = mkdtempSync(join(tmpdir(), 'dockyard-results-containers-'));
    await cloud.cloud.ci.repositories.create(REPOSITORY);
  });
  after(async () => {
    await cloud?.stop();
    if (cloud !== undefined) await removeCloudContainers(cloud.dataDir);
    rmSync(tree, { recursive: true, force: true });
  });

  it('uploads in one container job and reads it back in the next', async () => {
    await pushFiles(cloud, tree, REPOSITORY, {
      '.github/workflows/results.yml': WORKFLOW,
      'probe/action.yml': PROBE_ACTION,
      'probe/index.mjs': PROBE_SCRIPT,
    });
    const { run, log } = await finishedRun(cloud.cloud.ci.runner, REPOSITORY);
    assert.equal(run.conclusion, 'success', log);
    assert.match(log, new RegExp(`CONTAINER-UPLOAD-OK 1 127\\.0\\.0\\.1:${cloud.port}`));
    assert.match(log, /CONTAINER-DOWNLOAD 1 made inside the job container/);
    assert.equal(log.match(/Z RUN-STEP-WITHOUT-TOKEN$/gm)?.length, 2);
  });
});
