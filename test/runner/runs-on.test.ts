/**
 * `runs-on` → runner: GitHub's forms (label, list, {group, labels}), all-labels matching,
 * case-insensitivity, self-hosted as this host, and a clear answer for labels nobody serves;
 * the label → image mappings: defaults, kept ones, one start's, and the checks on what users map.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RUNNER_IMAGE,
  parseRunnerImageMapping,
  RunnerImageMappingError,
  RunnerImages,
} from '../../src/runner/runner-images.js';
import { hostRunnerLabels, resolveRunsOn, type RunsOnResolution } from '../../src/runner/runs-on.js';
import { openDatabase } from '../../src/store/database.js';
import type { Json } from '../../src/workflow/contract.js';

const HOST = ['self-hosted', 'Linux', 'X64'];
const DEFAULTS = new RunnerImages(openDatabase(':memory:')).mappings();

function container(resolution: RunsOnResolution): string {
  assert.equal(resolution.kind, 'container', JSON.stringify(resolution));
  return resolution.kind === 'container' ? resolution.image : '';
}

function unknown(resolution: RunsOnResolution): string {
  assert.equal(resolution.kind, 'unknown', JSON.stringify(resolution));
  return resolution.kind === 'unknown' ? resolution.message : '';
}

describe('resolveRunsOn', () => {
  it("maps GitHub's hosted Ubuntu labels to the default runner image, in every form and case", () => {
    const forms: Json[] = [
      'ubuntu-latest',
      'ubuntu-24.04',
      'ubuntu-22.04',
      'Ubuntu-Latest',
      ['ubuntu-latest'],
      ['ubuntu-latest', 'UBUNTU-LATEST'],
      { labels: 'ubuntu-22.04' },
      { group: 'Default', labels: ['ubuntu-24.04'] },
    ];
    for (const runsOn of forms) {
      assert.equal(container(resolveRunsOn(runsOn, DEFAULTS, HOST)), DEFAULT_RUNNER_IMAGE, JSON.stringify(runsOn));
    }
    // Labels mapped to the same image are one runner: it has them all.
    assert.equal(container(resolveRunsOn(['ubuntu-latest', 'ubuntu-24.04'], DEFAULTS, HOST)), DEFAULT_RUNNER_IMAGE);
    // The group alone: any of its runners; dockyard picks the one ubuntu-latest names.
    assert.equal(container(resolveRunsOn({ group: 'default' }, DEFAULTS, HOST)), DEFAULT_RUNNER_IMAGE);
  });

  it("self-hosted means this host when every label is one of the host's", () => {
    const forms: Json[] = [
      'self-hosted',
      ['self-hosted', 'linux'],
      ['Self-Hosted', 'Linux', 'x64'],
      { labels: ['self-hosted', 'X64'] },
    ];
    for (const runsOn of forms) {
      assert.deepEqual(resolveRunsOn(runsOn, DEFAULTS, HOST).kind, 'host', JSON.stringify(runsOn));
    }
    const message = unknown(resolveRunsOn(['self-hosted', 'gpu'], DEFAULTS, HOST));
    assert.match(message, /^No runner matching the specified labels was found: self-hosted, gpu\./);
    assert.match(message, /This host's self-hosted runner has the labels self-hosted, Linux, X64\./);
    // A self-hosted job never falls to an image, even when its other labels are mapped.
    assert.equal(resolveRunsOn(['self-hosted', 'ubuntu-latest'], DEFAULTS, HOST).kind, 'unknown');
  });

  it("a job needs one runner with all its labels; with a user mapping, that runner's image", () => {
    const mappings = { ...DEFAULTS, 'gpu-runner': 'localhost/team/gpu:1', big: 'localhost/team/gpu:1' };
    assert.equal(container(resolveRunsOn('gpu-runner', mappings, HOST)), 'localhost/team/gpu:1');
    assert.equal(container(resolveRunsOn(['gpu-runner', 'big'], mappings, HOST)), 'localhost/team/gpu:1');
    const message = unknown(resolveRunsOn(['ubuntu-latest', 'gpu-runner'], mappings, HOST));
    assert.match(message, /No runner matching the specified labels was found: ubuntu-latest, gpu-runner\./);
    assert.match(message, /Each of these labels is served, but by different runners/);
    // A user may point a default label elsewhere.
    assert.equal(
      container(resolveRunsOn('ubuntu-22.04', { ...DEFAULTS, 'ubuntu-22.04': 'localhost/old:22' }, HOST)),
      'localhost/old:22',
    );
  });

  it("labels nobody serves fail at once with GitHub's words, what dockyard serves and how to map", () => {
    const message = unknown(resolveRunsOn('my-custom', DEFAULTS, HOST));
    assert.equal(
      message,
      'No runner matching the specified labels was found: my-custom. dockyard serves ubuntu-latest, ubuntu-24.04, ubuntu-22.04 (image localhost/dockyard/runner:latest); self-hosted (this host: self-hosted, Linux, X64). Map another label with `dockyard runner-image map LABEL=IMAGE` or `dockyard up --runner-image LABEL=IMAGE`.',
    );
    assert.match(
      unknown(resolveRunsOn('ubuntu-20.04', DEFAULTS, HOST)),
      /GitHub retired the ubuntu-20\.04 image in April 2025/,
    );
    assert.match(unknown(resolveRunsOn(['windows-latest'], DEFAULTS, HOST)), /no Windows or macOS runner/);
    assert.match(
      unknown(resolveRunsOn({ group: 'larger-runners', labels: 'ubuntu-latest' }, DEFAULTS, HOST)),
      /^No runner group named "larger-runners" was found: dockyard's runners are all in the Default group\./,
    );
  });

  it('refuses forms GitHub would not accept, bounded, without throwing', () => {
    assert.match(unknown(resolveRunsOn(undefined, DEFAULTS, HOST)), /^runs-on names no runner label\./);
    assert.match(unknown(resolveRunsOn([], DEFAULTS, HOST)), /^runs-on names no runner label\./);
    assert.match(
      unknown(resolveRunsOn('', DEFAULTS, HOST)),
      /^runs-on must be a label or a list of labels \(non-empty strings\), not ""\./,
    );
    assert.match(unknown(resolveRunsOn([1], DEFAULTS, HOST)), /not 1\./);
    assert.match(
      unknown(resolveRunsOn({ label: 'x' }, DEFAULTS, HOST)),
      /^runs-on takes the keys group and labels, not "label"\./,
    );
    assert.match(
      unknown(resolveRunsOn({ group: 5 }, DEFAULTS, HOST)),
      /^runs-on\.group must be the name of a runner group\./,
    );
    assert.match(unknown(resolveRunsOn({ labels: [null] }, DEFAULTS, HOST)), /^runs-on\.labels must be/);
    assert.match(
      unknown(
        resolveRunsOn(
          Array.from({ length: 101 }, (_, i) => `l${i}`),
          DEFAULTS,
          HOST,
        ),
      ),
      /lists 101 labels; at most 100/,
    );
    assert.match(
      unknown(resolveRunsOn('x'.repeat(300), DEFAULTS, HOST)),
      /at most 256 characters; runs-on has one of 300/,
    );
  });

  it("names this host as GitHub's runner names a self-hosted machine", () => {
    assert.deepEqual(hostRunnerLabels('x64'), ['self-hosted', 'Linux', 'X64']);
    assert.deepEqual(hostRunnerLabels('arm64'), ['self-hosted', 'Linux', 'ARM64']);
  });
});

describe('RunnerImages', () => {
  it("defaults, then kept mappings, then one start's; labels match whatever their case", () => {
    const db = openDatabase(':memory:');
    const kept = new RunnerImages(db);
    kept.map('gpu', 'localhost/team/gpu:1');
    kept.map('Ubuntu-22.04', 'localhost/old:22');
    kept.map('GPU', 'localhost/team/gpu:2'); // the same label: replaced
    const images = new RunnerImages(db, [parseRunnerImageMapping('ubuntu-latest=localhost:4566/ci/runner:7')]);
    assert.deepEqual(images.list(), [
      { label: 'ubuntu-latest', image: 'localhost:4566/ci/runner:7', source: 'flag' },
      { label: 'ubuntu-24.04', image: DEFAULT_RUNNER_IMAGE, source: 'default' },
      { label: 'Ubuntu-22.04', image: 'localhost/old:22', source: 'setting' },
      { label: 'GPU', image: 'localhost/team/gpu:2', source: 'setting' },
    ]);
    assert.equal(container(resolveRunsOn('gpu', images.mappings(), HOST)), 'localhost/team/gpu:2');
    assert.equal(images.unmap('ubuntu-22.04'), true);
    assert.equal(images.unmap('ubuntu-22.04'), false);
    assert.equal(images.mappings()['ubuntu-22.04'], DEFAULT_RUNNER_IMAGE);
  });

  it('refuses mappings it could not use, saying why', () => {
    const refuse = (text: string, message: RegExp) =>
      assert.throws(
        () => parseRunnerImageMapping(text),
        (error: unknown) => error instanceof RunnerImageMappingError && message.test(error.message),
      );
    refuse('ubuntu-latest', /^Expected LABEL=IMAGE/);
    refuse('=node:20', /cannot be empty/);
    refuse('self-hosted=node:20', /self-hosted always means this host/);
    refuse('a b=node:20', /contains a space, comma or "="/);
    refuse(`${'l'.repeat(101)}=node:20`, /at most 100 characters/);
    refuse('x=Node:20', /is not an image reference/);
    refuse('x=', /is not an image reference/);
    refuse(`x=${'a'.repeat(600)}`, /is not an image reference/);
    for (const image of [
      'node:20',
      'ubuntu',
      'localhost/dockyard/runner:latest',
      'localhost:4566/team/runner:1.2',
      `registry.example.com/a/b@sha256:${'a'.repeat(64)}`,
    ]) {
      assert.equal(parseRunnerImageMapping(`l=${image}`).image, image);
    }
  });
});
