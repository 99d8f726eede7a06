/**
 * expandMatrix: products, GitHub's documented include/exclude examples, matrices built by
 * expressions, strategy settings, and the errors for empty and oversized matrices.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandMatrix, MAX_MATRIX_COMBINATIONS } from '../../src/workflow/index.js';
import type { Scope, TemplateToken } from '../../src/workflow/index.js';
import { indent, parse, scope, workflowWithSteps } from './helpers.js';

/** The `strategy` token of a job written with the given strategy YAML. */
function strategy(yaml: string): TemplateToken {
  const token = parse(workflowWithSteps('- run: echo', `strategy:\n${indent(yaml, 2)}`)).jobs[0]?.strategy;
  assert.ok(token);
  return token;
}

function expand(yaml: string, s: Scope = scope()) {
  return expandMatrix(strategy(yaml), s, 'build');
}

describe('expandMatrix', () => {
  it('is one empty combination without a strategy or matrix', () => {
    assert.deepEqual(expandMatrix(undefined, scope()), { combinations: [{}], failFast: true });
    assert.deepEqual(expand('fail-fast: false'), { combinations: [{}], failFast: false });
  });

  it('takes the product of the vectors, first key slowest', () => {
    assert.deepEqual(expand('matrix:\n  os: [ubuntu, windows]\n  node: [18, 20]').combinations, [
      { os: 'ubuntu', node: 18 },
      { os: 'ubuntu', node: 20 },
      { os: 'windows', node: 18 },
      { os: 'windows', node: 20 },
    ]);
  });

  it('keeps object values whole', () => {
    assert.deepEqual(expand('matrix:\n  cfg: [{ os: a, v: 1 }, { os: b, v: 2 }]').combinations, [
      { cfg: { os: 'a', v: 1 } },
      { cfg: { os: 'b', v: 2 } },
    ]);
  });

  it('removes excluded combinations, partial matches included', () => {
    const result = expand(`matrix:
  os: [macos, windows]
  version: [12, 14, 16]
  environment: [staging, production]
  exclude:
    - os: macos
      version: 12
      environment: production
    - os: windows
      version: 16`);
    assert.equal(result.combinations.length, 12 - 1 - 2);
    assert.ok(!result.combinations.some((c) => c.os === 'windows' && c.version === 16));
    assert.ok(!result.combinations.some((c) => c.os === 'macos' && c.version === 12 && c.environment === 'production'));
  });

  it("follows GitHub's include example", () => {
    const result = expand(`matrix:
  fruit: [apple, pear]
  animal: [cat, dog]
  include:
    - color: green
    - color: pink
      animal: cat
    - fruit: apple
      shape: circle
    - fruit: banana
    - fruit: banana
      animal: cat`);
    assert.deepEqual(result.combinations, [
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it("follows GitHub's example of extending one combination", () => {
    const result = expand(`matrix:
  os: [windows-latest, ubuntu-latest]
  node: [14, 16]
  include:
    - os: windows-latest
      node: 16
      npm: 6`);
    assert.deepEqual(result.combinations, [
      { os: 'windows-latest', node: 14 },
      { os: 'windows-latest', node: 16, npm: 6 },
      { os: 'ubuntu-latest', node: 14 },
      { os: 'ubuntu-latest', node: 16 },
    ]);
  });

  it('applies exclude before include', () => {
    const result = expand(`matrix:
  os: [a, b]
  exclude:
    - os: a
  include:
    - os: a
      extra: 1`);
    assert.deepEqual(result.combinations, [{ os: 'b' }, { os: 'a', extra: 1 }]);
  });

  it('builds a matrix from include alone', () => {
    assert.deepEqual(expand('matrix:\n  include:\n    - site: production\n    - site: staging').combinations, [
      { site: 'production' },
      { site: 'staging' },
    ]);
  });

  it('evaluates expressions for the whole matrix, a vector, or an entry', () => {
    const s = scope({
      needs: { setup: { outputs: { matrix: '{"os":["a","b"],"include":[{"os":"c"}]}', list: '[1,2,3]' } } },
      github: { ref_name: 'main' },
    });
    assert.deepEqual(expand('matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}', s).combinations, [
      { os: 'a' },
      { os: 'b' },
      { os: 'c' },
    ]);
    assert.deepEqual(expand('matrix:\n  n: ${{ fromJSON(needs.setup.outputs.list) }}', s).combinations, [
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    assert.deepEqual(expand('matrix:\n  branch: ["${{ github.ref_name }}", other]', s).combinations, [
      { branch: 'main' },
      { branch: 'other' },
    ]);
  });

  it('reads fail-fast and max-parallel', () => {
    const result = expand('fail-fast: false\nmax-parallel: 2\nmatrix:\n  a: [1]');
    assert.equal(result.failFast, false);
    assert.equal(result.maxParallel, 2);
    assert.equal(expand('matrix:\n  a: [1]').failFast, true);
    assert.equal(expand('matrix:\n  a: [1]').maxParallel, undefined);
    const s = scope({ github: { ref_name: 'main' } });
    assert.equal(expand("fail-fast: ${{ github.ref_name != 'main' }}\nmatrix:\n  a: [1]", s).failFast, false);
  });

  it('refuses an empty matrix, an empty vector, and everything excluded', () => {
    assert.throws(() => expand('matrix: {}'), /Matrix must define at least one vector/);
    assert.throws(() => expand('matrix:\n  os: []'), /Matrix vector 'os' does not contain any values/);
    assert.throws(
      () => expand('matrix:\n  os: [a]\n  exclude:\n    - os: a'),
      /Matrix must define at least one vector/,
    );
    const s = scope({ needs: { x: { outputs: { m: '{}' } } } });
    assert.throws(
      () => expand('matrix: ${{ fromJSON(needs.x.outputs.m) }}', s),
      /Matrix must define at least one vector/,
    );
  });

  it('refuses an exclude key the matrix lacks and a matrix that is not a mapping', () => {
    assert.throws(() => expand('matrix:\n  os: [a]\n  exclude:\n    - arch: x'), /Matrix exclude key 'arch'/);
    const s = scope({ needs: { x: { outputs: { m: '"text"' } } } });
    assert.throws(() => expand('matrix: ${{ fromJSON(needs.x.outputs.m) }}', s), /A mapping was expected/);
  });

  it(`allows ${MAX_MATRIX_COMBINATIONS} combinations and refuses more, with GitHub's message`, () => {
    const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;
    assert.equal(expand(`matrix:\n  a: ${values(16)}\n  b: ${values(16)}`).combinations.length, 256);
    assert.throws(() => expand(`matrix:\n  a: ${values(16)}\n  b: ${values(16)}\n  include:\n    - a: x`), {
      message: "Strategy for job 'build' produced 257 configurations which exceeds the maximum of 256 configurations",
    });
  });

  it('returns combinations that do not share objects', () => {
    const result = expand('matrix:\n  cfg: [{ k: 1 }]\n  n: [1, 2]');
    const [first, second] = result.combinations;
    assert.notEqual(first?.cfg, second?.cfg);
  });
});
