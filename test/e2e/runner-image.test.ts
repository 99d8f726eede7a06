/**
 * The offline images, built for real on this machine's engine: the default runner image
 * (debootstrap from Debian's archive the first time, a minute or two; cached afterwards) holds
 * every tool workflows call and carries its recipe label, and a second ensure builds nothing;
 * node:20-slim runs node; concurrent ensures of one image build it once, and a build whose
 * check fails leaves no image behind; the CLI builds, reports and maps labels.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../../src/images/tiny-image.js';
import { ensureNodeSlimImage } from '../../src/images/node-slim.js';
import {
  ensureOfflineImage,
  findImage,
  type BuildProgress,
  type OfflineImageSpec,
} from '../../src/images/offline-image.js';
import { runOnce } from '../../src/images/run-once.js';
import { ensureRunnerImage, ensureRunnerImageDetails } from '../../src/images/runner-image.js';
import { RUNNER_IMAGE_ALIAS, RUNNER_RECIPE_LABEL } from '../../src/images/runner-recipe.js';
import { dockyard } from '../support/dockyard-cli.js';

describe('offline images (real engine)', () => {
  let engine: DockerApiEngine;
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-runner-image-e2e-'));

  before(async () => {
    engine = new DockerApiEngine();
    await engine.ping(AbortSignal.timeout(5000));
  });

  after(async () => {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the runner image holds what workflows call, carries its recipe, and is cached after', async (t) => {
    const progress: BuildProgress[] = [];
    const started = Date.now();
    const ref = await ensureRunnerImage(engine, { onProgress: (p) => progress.push(p) });
    const firstMs = Date.now() - started;
    assert.match(ref, /^localhost\/dockyard\/runner:[0-9a-f]{12}$/);
    if (progress.length > 0) {
      // Built now: the user saw the phases with their times, ending with the image's size.
      const phases = new Set(progress.map((p) => p.phase));
      for (const phase of ['debootstrap', 'assembling', 'importing', 'verifying', 'naming', 'built'] as const)
        assert.ok(phases.has(phase), `progress reports ${phase}`);
      assert.ok(progress.every((p, i) => i === 0 || p.elapsedMs >= (progress[i - 1]?.elapsedMs ?? 0)));
    }

    const image = await engine.inspectImage(ref);
    assert.equal(image.labels[RUNNER_RECIPE_LABEL], ref.split(':').pop());
    assert.equal(
      (await engine.inspectImage(RUNNER_IMAGE_ALIAS)).id,
      image.id,
      "the alias names the current recipe's image",
    );

    const tool = async (script: string) => {
      const result = await runOnce(engine, ref, ['bash', '-c', script]);
      assert.equal(result.exitCode, 0, `${script}: ${result.output}`);
      return result.output.trim();
    };
    assert.match(await tool('bash --version | head -1'), /^GNU bash, version 5\./);
    assert.match(await tool('git --version'), /^git version 2\./);
    assert.match(await tool('jq --version'), /^jq-1\./);
    assert.match(await tool('aws --version'), /^aws-cli\/2\.9\.\d+ Python\/3\./);
    assert.equal(await tool('python3 -c "import boto3, botocore; print(boto3.__name__)"'), 'boto3');
    assert.equal(await tool('node --version'), process.version);
    assert.match(await tool('node --version'), /^v20\./);
    assert.match(await tool('npm --version'), /^\d+\.\d+\.\d+$/);
    assert.match(await tool('docker --version'), /^Docker version \d+\./);
    assert.match(await tool('curl --version | head -1'), /^curl \d/);
    assert.match(await tool('unzip -v | head -1'), /^UnZip \d/);
    assert.match(
      await tool('zip -v | sed -n 2p; tar --version | head -1; gzip --version | head -1; xz --version | head -1'),
      /This is Zip[\s\S]*tar \(GNU tar\)[\s\S]*gzip[\s\S]*xz \(XZ Utils\)/,
    );
    assert.match(await tool('ps --version'), /procps-ng/);
    // GitHub's runner user with passwordless sudo, and no Docker daemon in the image.
    assert.equal(await tool('su runner -c "sudo -n id -u"'), '0');
    assert.equal(await tool('id -u runner; echo $HOME; test -d /home/runner/work && echo work'), '1001\n/root\nwork');
    assert.equal(await tool('command -v dockerd containerd || echo none'), 'none');
    // Trimmed: no documentation, no apt indexes.
    assert.equal(await tool('ls /usr/share/doc | wc -l; ls /var/lib/apt/lists | grep -vc partial || true'), '0\n0');

    // Cached: a second ensure builds nothing.
    const again: BuildProgress[] = [];
    const secondStarted = Date.now();
    const cached = await ensureRunnerImageDetails(engine, { onProgress: (p) => again.push(p) });
    const secondMs = Date.now() - secondStarted;
    assert.deepEqual({ ref: cached.ref, id: cached.id, built: cached.built }, { ref, id: image.id, built: false });
    assert.deepEqual(again, []);
    t.diagnostic(
      `runner image ${ref}: ${(image.sizeBytes / 1e6).toFixed(1)} MB; first ensure ${firstMs} ms (${progress.length > 0 ? 'built' : 'cached'}), second ${secondMs} ms`,
    );
  });

  it('node:20-slim runs node and npm', async (t) => {
    const ensured = await ensureNodeSlimImage(engine);
    assert.equal(ensured.ref, `docker.io/library/node:${process.versions.node.split('.')[0]}-slim`);
    const node = await runOnce(engine, ensured.ref, ['node', '-e', 'console.log(1)']);
    assert.deepEqual(node, { exitCode: 0, output: '1' });
    const npm = await runOnce(engine, ensured.ref, ['npm', '--version']);
    assert.equal(npm.exitCode, 0, npm.output);
    // The image's default command is node, as the official image's.
    assert.deepEqual(
      await runOnce(engine, ensured.ref, ['sh', '-c', 'echo "console.log(process.cwd(), typeof require)" | node']),
      { exitCode: 0, output: '/ function' },
    );
    t.diagnostic(`${ensured.ref}: ${(ensured.sizeBytes / 1e6).toFixed(1)} MB`);
  });

  describe('one build at a time, and no image from a failed build', () => {
    const id = randomBytes(4).toString('hex');
    const ref = `localhost/dockyard-test/offline-${id}:1`;
    let assembled = 0;
    const spec = (name: string, verify: string[]): OfflineImageSpec => ({
      name,
      ref,
      recipeLabel: 'dockyard.test.recipe',
      recipeHash: id,
      changes: TINY_IMAGE_CHANGES,
      verify,
      async assemble(root) {
        assembled++;
        execFileSync('tar', ['-x', '-C', root], { input: buildTinyImageTar() });
      },
    });

    after(async () => {
      await engine.removeImage(ref, { force: true }).catch(() => undefined);
      for (const name of [`test-${id}`, `test-fail-${id}`]) rmSync(`/tmp/dockyard-image-${name}.lock`, { force: true });
    });

    it('two ensures at once build once; both get the image', async () => {
      const waited: string[] = [];
      const ensure = () =>
        ensureOfflineImage(engine, spec(`test-${id}`, ['/bin/sh', '-c', 'echo ok']), {
          onProgress: (p) => p.phase === 'waiting' && waited.push(p.message),
        });
      const [a, b] = await Promise.all([ensure(), ensure()]);
      assert.equal(assembled, 1);
      assert.equal(a.id, b.id);
      assert.deepEqual([a.built, b.built].sort(), [false, true]);
      assert.equal(waited.length, 1, 'the second said it was waiting for the first');
      assert.equal((await engine.inspectImage(ref)).labels['dockyard.test.recipe'], id);
      // Only the real name: the temporary ones are gone.
      assert.equal(await findImage(engine, `localhost/dockyard-build/test-${id}:${id}`), undefined);
      assert.equal(await findImage(engine, `localhost/dockyard-build/test-${id}:latest`), undefined);
    });

    it('a build whose check fails says why and leaves no image', async () => {
      await engine.removeImage(ref, { force: true });
      await assert.rejects(
        ensureOfflineImage(engine, spec(`test-fail-${id}`, ['/bin/sh', '-c', 'echo broken >&2; exit 3'])),
        /the new test-fail-\w+ image failed its check \(\/bin\/sh -c echo broken >&2; exit 3 exited 3\):\nbroken/,
      );
      assert.equal(await findImage(engine, ref), undefined);
      assert.equal(await findImage(engine, `localhost/dockyard-build/test-fail-${id}:${id}`), undefined);
    });

    it("a new recipe's build removes the earlier recipe's image (by name: an upgrade leaves none behind)", async () => {
      const earlier = await ensureOfflineImage(engine, spec(`test-${id}`, ['/bin/sh', '-c', 'echo ok']));
      const next = `localhost/dockyard-test/offline-${id}:2`;
      try {
        const built = await ensureOfflineImage(engine, {
          ...spec(`test-next-${id}`, ['/bin/sh', '-c', 'echo ok']),
          ref: next,
          recipeHash: `${id}-next`,
        });
        assert.notEqual(built.id, earlier.id);
        assert.equal(await findImage(engine, ref), undefined, 'the earlier recipe is gone');
        assert.equal((await findImage(engine, next))?.id, built.id);
      } finally {
        await engine.removeImage(next, { force: true }).catch(() => undefined);
        rmSync(`/tmp/dockyard-image-test-next-${id}.lock`, { force: true });
      }
    });
  });

  it('the CLI builds (cached here), shows the recipe and the label mappings, and maps labels', async () => {
    const built = await dockyard(['runner-image', 'build', '--json']);
    assert.equal(built.status, 0, built.stderr);
    const result = JSON.parse(built.stdout) as { ref: string; built: boolean; sizeBytes: number; seconds: number };
    assert.equal(result.built, false);
    assert.match(result.ref, /^localhost\/dockyard\/runner:[0-9a-f]{12}$/);

    const map = await dockyard(['runner-image', 'map', 'gpu=localhost/team/gpu:1', '--data', dataDir]);
    assert.equal(map.status, 0, map.stderr);
    assert.equal(map.stdout, '✓ runs-on: gpu → localhost/team/gpu:1\n');
    const refused = await dockyard(['runner-image', 'map', 'self-hosted=node:20', '--data', dataDir]);
    assert.deepEqual(
      { status: refused.status, stderr: refused.stderr },
      {
        status: 2,
        stderr:
          "dockyard runner-image map: self-hosted always means this host (the job has the host's rights); it cannot be mapped to an image.\n",
      },
    );

    const status = await dockyard(['runner-image', 'status', '--json', '--data', dataDir]);
    assert.equal(status.status, 0, status.stderr);
    const shown = JSON.parse(status.stdout) as {
      ref: string;
      image?: { sizeBytes: number };
      aliasCurrent: boolean;
      mappings: { label: string; image: string; source: string }[];
    };
    assert.equal(shown.ref, result.ref);
    assert.equal(shown.image?.sizeBytes, result.sizeBytes);
    assert.equal(shown.aliasCurrent, true);
    assert.deepEqual(
      shown.mappings.map((m) => `${m.label}=${m.image} (${m.source})`),
      [
        'ubuntu-latest=localhost/dockyard/runner:latest (default)',
        'ubuntu-24.04=localhost/dockyard/runner:latest (default)',
        'ubuntu-22.04=localhost/dockyard/runner:latest (default)',
        'gpu=localhost/team/gpu:1 (setting)',
      ],
    );
    const text = await dockyard(['runner-image', 'status', '--data', dataDir]);
    assert.match(text.stdout, /^runner image: localhost\/dockyard\/runner:[0-9a-f]{12} \(\d+\.\d MB, built /);
    assert.match(
      text.stdout,
      /\n {2}gpu +localhost\/team\/gpu:1 \(dockyard runner-image map\)\n {2}self-hosted +this host/,
    );

    assert.equal(
      (await dockyard(['runner-image', 'unmap', 'GPU', '--data', dataDir])).stdout,
      '✓ runs-on: GPU unmapped\n',
    );
    const gone = await dockyard(['runner-image', 'unmap', 'gpu', '--data', dataDir]);
    assert.deepEqual(
      { status: gone.status, stderr: gone.stderr },
      { status: 1, stderr: 'dockyard runner-image unmap: no mapping of gpu is kept\n' },
    );
  });
});
