/**
 * Template evaluation: string interpolation with GitHub's coercions, mappings with insert
 * directives, sequences, and the string helpers the runner uses for env/with/outputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  ExpressionFailure,
  jsonToString,
  sourceText,
  TemplateValueError,
} from '../../src/workflow/index.js';
import { matrixVector, scope, stepEnv, withValue } from './helpers.js';

const contexts = {
  github: { sha: 'abc123', event: { inputs: { n: 3 } } },
  matrix: { node: 20, flag: true, ratio: 1.5, list: ['a', 'b'], obj: { k: 'v' }, nothing: null },
  env: { GREETING: 'hi' },
};
const s = scope(contexts);

describe('evaluateToken: scalars', () => {
  it('returns literals as YAML typed them', () => {
    assert.deepEqual(evaluateToken(matrixVector('[plain, 42, 1.5, true, "true", ~]'), s), [
      'plain',
      42,
      1.5,
      true,
      'true',
      null,
    ]);
  });

  it('returns literals as the schema typed them: `with` values are strings', () => {
    assert.equal(evaluateToken(withValue('42'), s), '42');
    assert.equal(evaluateToken(withValue('true'), s), 'true');
  });

  it('keeps the type of a value that is exactly one expression', () => {
    assert.equal(evaluateToken(withValue('${{ matrix.node }}'), s), 20);
    assert.equal(evaluateToken(withValue('${{ matrix.flag }}'), s), true);
    assert.deepEqual(evaluateToken(withValue('${{ matrix.list }}'), s), ['a', 'b']);
    assert.deepEqual(evaluateToken(withValue('${{ matrix.obj }}'), s), { k: 'v' });
    assert.equal(evaluateToken(withValue('${{ matrix.nothing }}'), s), null);
    assert.equal(evaluateToken(withValue("'${{ github.sha }}'"), s), 'abc123');
  });

  it('coerces values inside a mixed string as GitHub does', () => {
    assert.equal(evaluateToken(withValue('sha-${{ github.sha }}'), s), 'sha-abc123');
    assert.equal(evaluateToken(withValue('n=${{ matrix.node }}'), s), 'n=20');
    assert.equal(evaluateToken(withValue('f=${{ matrix.flag }} ${{ !matrix.flag }}'), s), 'f=true false');
    assert.equal(evaluateToken(withValue('r=${{ matrix.ratio }} ${{ 1.50 }} ${{ 0.1 }}'), s), 'r=1.5 1.5 0.1');
    assert.equal(evaluateToken(withValue('x=${{ matrix.nothing }}.'), s), 'x=.');
    assert.equal(evaluateToken(withValue('o=${{ matrix.obj }} a=${{ matrix.list }}'), s), 'o=Object a=Array');
    assert.equal(evaluateToken(withValue('"${{ 1 }}${{ 2 }}"'), s), '12');
  });

  it('keeps braces and quotes of the text around expressions', () => {
    assert.equal(evaluateToken(withValue(`"{a} 'b' \${{ github.sha }} '{{c}}'"`), s), "{a} 'b' abc123 '{{c}}'");
  });

  it('reads an escaped literal expression as text', () => {
    assert.equal(evaluateToken(withValue("${{ '${{ not evaluated }}' }}"), s), '${{ not evaluated }}');
  });
});

describe('evaluateToken: collections', () => {
  it('evaluates sequences and nested mappings', () => {
    assert.deepEqual(
      evaluateToken(matrixVector('[a, "${{ github.event.inputs.n }}", { k: "${{ github.sha }}!", l: [1] }]'), s),
      ['a', 3, { k: 'abc123!', l: [1] }],
    );
  });

  it('merges ${{ insert }} mappings in place', () => {
    const env = stepEnv('A: one\n${{ insert }}: ${{ fromJSON(\'{"B":"two","C":3}\') }}\nD: four');
    assert.deepEqual(evaluateToken(env, s), { A: 'one', B: 'two', C: 3, D: 'four' });
  });

  it('ignores an insert of null and refuses an insert of a non-mapping', () => {
    assert.deepEqual(evaluateToken(stepEnv('A: one\n${{ insert }}: ${{ matrix.nothing }}'), s), { A: 'one' });
    assert.throws(() => evaluateToken(stepEnv("${{ insert }}: ${{ 'text' }}"), s), TemplateValueError);
  });

  it('evaluates expression keys', () => {
    assert.deepEqual(evaluateToken(stepEnv('${{ env.GREETING }}_KEY: v'), s), { hi_KEY: 'v' });
  });
});

describe('evaluateToken: failures', () => {
  it('throws ExpressionFailure for an expression that fails at run time', () => {
    assert.throws(() => evaluateToken(stepEnv("A: ${{ fromJSON('not json') }}"), s), ExpressionFailure);
    assert.throws(() => evaluateToken(withValue("x-${{ fromJSON('{') }}"), s), ExpressionFailure);
  });
});

describe('evaluateString and evaluateStringMap', () => {
  it('uses the fallback only for an absent token', () => {
    assert.equal(evaluateString(undefined, s, 'bash'), 'bash');
    assert.equal(evaluateString(undefined, s), '');
    assert.equal(evaluateString(withValue('${{ matrix.nothing }}'), s, 'bash'), '');
  });

  it('coerces scalars to strings', () => {
    assert.equal(evaluateString(withValue('${{ matrix.node }}'), s), '20');
    assert.equal(evaluateString(withValue('${{ matrix.flag }}'), s), 'true');
    assert.equal(evaluateString(withValue('1.50'), s), '1.5');
  });

  it('refuses mappings and sequences where a string belongs', () => {
    assert.throws(() => evaluateString(withValue('${{ matrix.obj }}'), s), /A mapping was not expected/);
    assert.throws(() => evaluateString(matrixVector('[1]'), s), /A sequence was not expected/);
  });

  it('builds string maps for env and with', () => {
    assert.deepEqual(evaluateStringMap(stepEnv('A: ${{ matrix.node }}\nB: true\nC: ~\nD: "x ${{ github.sha }}"'), s), {
      A: '20',
      B: 'true',
      C: '',
      D: 'x abc123',
    });
    assert.deepEqual(evaluateStringMap(undefined, s), {});
    assert.throws(() => evaluateStringMap(matrixVector('[1, 2]'), s), /A mapping was expected/);
  });

  it('coerces JSON values like GitHub', () => {
    assert.equal(jsonToString(null), '');
    assert.equal(jsonToString(false), 'false');
    assert.equal(jsonToString(0.1 + 0.2), '0.3');
    assert.equal(jsonToString(1e21), '1e+21');
    assert.equal(jsonToString(-0), '0');
  });
});

describe('sourceText', () => {
  it('gives the text as written', () => {
    assert.equal(sourceText(withValue('plain')), 'plain');
    assert.equal(sourceText(withValue('"${{ github.sha }}"')), '${{ github.sha }}');
    assert.equal(sourceText(withValue('a ${{ github.sha }} b')), 'a ${{ github.sha }} b');
    assert.equal(sourceText(withValue('7')), '7');
  });
});
