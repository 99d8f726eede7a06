/**
 * Issue 11's escape test: a job in `alice/app` (runs-on: ubuntu-latest, a fresh container)
 * tries everything a hostile workflow would to reach what is not its own — the cloud's admin
 * key and database by every path it can discover (the real data directory's path, relative
 * paths from the workspace, its mounts' host paths from /proc/self/mountinfo, /proc, the
 * environment, a search of its filesystem), a push to `bob/other`, `bob/other`'s secrets,
 * privileged, host-root and host-PID containers, the engine's own socket — and every attempt
 * fails. Its own `docker build` and `docker push` to the local ECR succeed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { cloudLabelFor } from '../../src/runtime/labels.js';
import { clientConfig, portOf, startRuntimeCloud } from '../runtime/support.js';
import { waitFor } from '../support/wait-for.js';
import { removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { finishedRun, prepareEcrPushJob, pushFiles } from '../support/git-push.js';

const IMAGE = 'localhost/dockyard/runner:latest';

/** A step that must fail: it exits 0 only when the attempt got through. */
function attempt(name: string, script: string[]): string[] {
  return [
    `      - name: "attempt: ${name}"`,
    '        continue-on-error: true',
    '        run: |',
    ...script.map((line) => `          ${line}`),
  ];
}

describe('a job cannot reach what is not its own', { timeout: 600_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-isolation-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-isolation-work-'));
  let cloud: Cloud;
  /** The cloud's port (the kernel picks it; its registry is localhost:PORT to the engine). */
  let port: number | undefined;

  before(async () => {
    cloud = await startRuntimeCloud(engine, dataDir);
    port = portOf(cloud);
    await prepareEcrPushJob(cloud, { roleName: 'alice-deploy', repository: 'alice/app', ecrRepository: 'alice-app' });
    await cloud.ci.repositories.create('bob/other');
    cloud.ci.settings.setSecret('bob/other', 'BOB_SECRET', 'bob-top-secret-4711');
  });
  after(async () => {
    await cloud?.stop();
    await removeCloudContainers(dataDir);
    if (port !== undefined) await removeImages(`localhost:${port}/alice-app`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it("every attempt fails; the job's own build and push to ECR succeed", async () => {
    const adminBefore = readFileSync(join(dataDir, 'admin.json'), 'utf8');
    const files: Record<string, string> = {
      'hello.txt': 'hello from alice\n',
      Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      '.github/workflows/escape.yml': [
        'on: push',
        'permissions:',
        '  id-token: write',
        '  contents: read',
        'jobs:',
        '  escape:',
        '    runs-on: ubuntu-latest',
        '    env:',
        `      DATA: ${dataDir}`,
        '    steps:',
        '      - uses: actions/checkout@v4',
        ...attempt('admin.json and state.db', [
          'found=0',
          'try() { if [ -r "$1" ]; then echo "ESCAPED: read $1"; found=1; fi; }',
          'for name in admin.json state.db state.db-wal; do',
          '  try "$DATA/$name"',
          '  for up in .. ../.. ../../.. ../../../.. ../../../../.. ../../../../../..; do try "$GITHUB_WORKSPACE/$up/$name"; done',
          // The host paths of its mounts are in mountinfo; the data directory is above them.
          '  for src in $(awk \'{print $4}\' /proc/self/mountinfo); do for up in "" /.. /../.. /../../.. /../../../..; do try "$src$up/$name"; done; done',
          '  for root in /proc/[0-9]*/root; do try "$root$DATA/$name"; done',
          '  for cwd in /proc/[0-9]*/cwd; do try "$cwd/$name"; done',
          'done',
          'if grep -qaE "DOCKYARD_(DATA|RUNNER)|AWS_SECRET" /proc/[0-9]*/environ 2>/dev/null; then echo "ESCAPED: a cloud variable in a process environment"; found=1; fi',
          'if find / -xdev \\( -name admin.json -o -name state.db \\) 2>/dev/null | grep .; then found=1; fi',
          '[ "$found" = 1 ]',
        ]),
        // The runner reads these files as the cloud: links to the admin key must not be followed.
        ...attempt('admin.json through file commands', [
          'for f in "$GITHUB_PATH" "$GITHUB_ENV" "$GITHUB_OUTPUT" "$GITHUB_STEP_SUMMARY"; do rm -f "$f"; ln -s "$DATA/admin.json" "$f"; done',
        ]),
        ...attempt('push to another repository', [
          'base="http://x-access-token:${{ github.token }}@${GITHUB_SERVER_URL#http://}/git"',
          'git clone -q "$base/bob/other.git" other 2>&1 && echo "ESCAPED: cloned bob/other" && exit 0',
          'mkdir intruder && cd intruder && git init -q -b main && git -c user.name=x -c user.email=x@x commit -q --allow-empty -m intrusion',
          'git push -q "$base/bob/other.git" HEAD:refs/heads/main && echo "ESCAPED: pushed to bob/other"',
        ]),
        ...attempt("another repository's secrets", [
          'curl -sf -u "x-access-token:${{ github.token }}" "$GITHUB_SERVER_URL/_dockyard/api/repos/bob/other/secrets" && echo "ESCAPED: listed bob/other secrets" && exit 0',
          '[ -n "${{ secrets.BOB_SECRET }}" ] && echo "ESCAPED: the secret of bob/other"',
        ]),
        ...attempt('docker run --privileged', [
          `docker run --rm --privileged ${IMAGE} true && echo "ESCAPED: privileged container"`,
        ]),
        ...attempt('docker run -v /:/host', [
          `docker run --rm -v /:/host ${IMAGE} cat "/host$DATA/admin.json" && echo "ESCAPED: mounted the host root"`,
        ]),
        ...attempt('docker run --pid=host', [
          `docker run --rm --pid=host ${IMAGE} true && echo "ESCAPED: the host's PID namespace"`,
        ]),
        ...attempt("the engine's own socket", [
          'curl -sf --unix-socket /run/podman/podman.sock http://d/_ping && echo "ESCAPED: the engine socket is in the job" && exit 0',
          `docker run --rm -v /run/podman/podman.sock:/run/podman/podman.sock ${IMAGE} true && echo "ESCAPED: mounted the engine socket" && exit 0`,
          // The guard shows only the job's own containers: never its own container or the cloud's tasks.
          '[ "$(docker ps -aq | wc -l)" != 0 ] && echo "ESCAPED: foreign containers are visible"',
        ]),
        '      - uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        `          role-to-assume: arn:aws:iam::${cloud.accountId}:role/alice-deploy`,
        '          aws-region: us-east-1',
        '      - id: ecr',
        '        uses: aws-actions/amazon-ecr-login@v2',
        '      - name: build and push',
        '        run: |',
        '          docker build -t ${{ steps.ecr.outputs.registry }}/alice-app:v1 .',
        '          docker push ${{ steps.ecr.outputs.registry }}/alice-app:v1',
        '',
      ].join('\n'),
    };
    await pushFiles({ port: portOf(cloud), admin: cloud.state.admin }, work, 'alice/app', files);
    const { run: record, log } = await finishedRun(cloud.ci.runner, 'alice/app');
    const runId = record.id;
    const steps = cloud.ci.runner.getRun(runId)?.jobs[0]?.steps ?? [];
    assert.equal(record.conclusion, 'success', `${record.note ?? ''}\n${log}`);
    const attempts = steps.filter((s) => s.name.startsWith('attempt: '));
    assert.equal(attempts.length, 8);
    for (const step of attempts) assert.equal(step.outcome, 'failure', `${step.name} must fail\n${log}`);
    assert.doesNotMatch(log, /Z ESCAPED/);
    assert.doesNotMatch(log, /bob-top-secret-4711/);
    assert.ok(
      !log.includes(cloud.state.admin.secretAccessKey) &&
        !JSON.stringify(cloud.ci.runner.getRun(runId)).includes(cloud.state.admin.secretAccessKey),
      'the admin key appears nowhere',
    );
    assert.match(
      log,
      /Unable to process file command 'GITHUB_\w+': the file was replaced by something that is not a file/,
    );
    // The guard said why, in Docker's words.
    assert.match(log, /dockyard: .*privileged/i);
    assert.match(log, /only paths inside the job's directories/);
    assert.equal(steps.find((s) => s.name === 'build and push')?.conclusion, 'success', log);
    const images = await new ECRClient(clientConfig(cloud)).send(
      new DescribeImagesCommand({ repositoryName: 'alice-app' }),
    );
    assert.deepEqual(
      images.imageDetails?.flatMap((d) => d.imageTags ?? []),
      ['v1'],
    );
    assert.equal(
      await cloud.ci.repositories.get('bob/other')?.commit('refs/heads/main'),
      undefined,
      'bob/other is untouched',
    );
    assert.equal(readFileSync(join(dataDir, 'admin.json'), 'utf8'), adminBefore);
    // Nothing of the job is left in the engine once it is released (right after the job is reported).
    await waitFor(
      "the job's containers to be released",
      async () => (await engine.listContainers({ labels: { 'dockyard.runner': cloudLabelFor(dataDir) } })).length === 0,
      { timeoutMs: 5_000 },
    );
  });
});
