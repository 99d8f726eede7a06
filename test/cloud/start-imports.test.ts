/**
 * What loading the cloud costs: `dockyard up` is ready once src/cloud/cloud.ts and what it
 * imports have loaded, so the parts a request needs only when it first needs them (the
 * workflow parser and the run executor, jose, the ECS runtime and its engine driver) must stay
 * out of that import graph. Checked by the modules Node resolves, not by timing, which a shared
 * machine makes noisy (docs/benchmarks.md has the timings).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

const CLOUD = new URL('../../src/cloud/cloud.js', import.meta.url).href;

/** Every module URL a fresh Node process resolves while importing `entry`. */
function importGraph(entry: string): string[] {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    'export async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  process.stderr.write(`resolved ${result.url}\\n`);\n  return result;\n}\n',
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  const child = spawnSync(
    process.execPath,
    ['--import', register, '--input-type=module', '-e', `await import(${JSON.stringify(entry)});`],
    { encoding: 'utf8' },
  );
  assert.equal(child.status, 0, child.stderr);
  return [...child.stderr.matchAll(/^resolved (\S+)$/gm)].map((m) => m[1] as string);
}

const dir = mkdtempSync(join(tmpdir(), 'dockyard-start-imports-'));

describe('what the cloud loads at start', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the runner’s workflow machinery, jose, the ECS runtime, the console and the AWS SDK for first use', () => {
    const graph = importGraph(CLOUD);
    assert.ok(
      graph.some((url) => url.endsWith('/src/services/sts/index.js')),
      'the graph was recorded',
    );
    const deferred: [string, RegExp][] = [
      ['GitHub’s workflow parser and expressions', /\/node_modules\/@actions\//],
      ['yaml', /\/node_modules\/yaml\//],
      ['jose', /\/node_modules\/jose\//],
      ['the AWS SDK (only built-in actions, in their own processes, use it)', /\/node_modules\/@aws-sdk\//],
      ['the workflow model', /\/src\/workflow\//],
      ['the run executor', /\/src\/runner\/(run-start|run-executor|job-runner|step-runner)\.js$/],
      ['the ECS runtime', /\/src\/runtime\/runtime\.js$/],
      ['the container engine driver', /\/src\/engine\/docker-api\.js$/],
      ['job containers and the Docker guard', /\/src\/(runner\/container|docker-guard)\//],
      ['the console (its first request loads it)', /\/src\/console\/(handler|stream|live-views|views\/.*)\.js$/],
    ];
    for (const [what, pattern] of deferred) {
      const loaded = graph.filter((url) => pattern.test(url));
      assert.deepEqual(loaded, [], `${what} must load on first use, not at start`);
    }
  });
});
