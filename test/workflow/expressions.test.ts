/**
 * Expressions: `if:` semantics with the status functions, the library's operators and functions as
 * GitHub defines them, case-insensitive access, and failures that name the expression.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  conditionExpression,
  evaluateCondition,
  evaluateExpression,
  ExpressionFailure,
  stripExpressionMarkers,
} from '../../src/workflow/index.js';
import { scope } from './helpers.js';

describe('evaluateCondition', () => {
  const github = { ref: 'refs/heads/main', event_name: 'push' };

  it('defaults to success() when empty', () => {
    assert.equal(evaluateCondition('', scope()), true);
    assert.equal(evaluateCondition('  ', scope({}, 'failure')), false);
  });

  it('reports the status functions from the scope', () => {
    for (const status of ['success', 'failure', 'cancelled'] as const) {
      const s = scope({}, status);
      assert.equal(evaluateCondition('success()', s), status === 'success', status);
      assert.equal(evaluateCondition('failure()', s), status === 'failure', status);
      assert.equal(evaluateCondition('cancelled()', s), status === 'cancelled', status);
      assert.equal(evaluateCondition('always()', s), true, status);
    }
  });

  it('adds success() && when no status function is called', () => {
    assert.equal(
      conditionExpression("github.ref == 'refs/heads/main'"),
      "success() && (github.ref == 'refs/heads/main')",
    );
    assert.equal(evaluateCondition("github.ref == 'refs/heads/main'", scope({ github })), true);
    assert.equal(evaluateCondition("github.ref == 'refs/heads/main'", scope({ github }, 'failure')), false);
    assert.equal(evaluateCondition('true', scope({}, 'cancelled')), false);
  });

  it('does not add it when a status function appears anywhere, in any case', () => {
    assert.equal(conditionExpression('always() && false'), 'always() && false');
    assert.equal(evaluateCondition("failure() && github.event_name == 'push'", scope({ github }, 'failure')), true);
    assert.equal(evaluateCondition('!cancelled()', scope({}, 'failure')), true);
    assert.equal(evaluateCondition('Always()', scope({}, 'failure')), true);
    assert.equal(evaluateCondition("contains(format('{0}', failure()), 'true')", scope({}, 'failure')), true);
  });

  it('is not fooled by a status function name inside a string', () => {
    assert.equal(conditionExpression("'always()' == 'x'"), "success() && ('always()' == 'x')");
    assert.equal(evaluateCondition("contains('always()', 'always')", scope({}, 'failure')), false);
  });

  it('accepts the condition wrapped in ${{ }}', () => {
    assert.equal(evaluateCondition("${{ github.ref == 'refs/heads/main' }}", scope({ github })), true);
    assert.equal(evaluateCondition('${{ always() }}', scope({}, 'failure')), true);
    assert.equal(evaluateCondition('${{ false }}', scope()), false);
  });

  it('takes the truthiness of the result', () => {
    assert.equal(evaluateCondition("''", scope()), false);
    assert.equal(evaluateCondition("'false'", scope()), true);
    assert.equal(evaluateCondition('0', scope()), false);
    assert.equal(evaluateCondition('null', scope()), false);
    assert.equal(evaluateCondition('github', scope({ github })), true);
    assert.equal(evaluateCondition('github.nothing', scope({ github })), false);
    assert.equal(evaluateCondition("fromJSON('[]')", scope()), true);
  });

  it('reads absent contexts as null', () => {
    assert.equal(evaluateCondition('env.X == null', scope()), true);
    assert.equal(evaluateCondition("steps.build.outputs.image == ''", scope()), true);
  });

  it('throws ExpressionFailure naming the expression', () => {
    assert.throws(
      () => evaluateCondition('github.ref ==', scope()),
      (error: unknown) => error instanceof ExpressionFailure && /github\.ref ==/.test(error.message),
    );
    assert.throws(() => evaluateCondition('unknown.x', scope()), ExpressionFailure);
    assert.throws(() => evaluateCondition('nofunc()', scope()), ExpressionFailure);
  });
});

describe('stripExpressionMarkers', () => {
  it('strips only a whole-text expression', () => {
    assert.equal(stripExpressionMarkers('${{ a == b }}'), 'a == b');
    assert.equal(stripExpressionMarkers('${{a}}'), 'a');
    assert.equal(stripExpressionMarkers('a == b'), 'a == b');
    assert.equal(stripExpressionMarkers('${{ a }} && ${{ b }}'), '${{ a }} && ${{ b }}');
  });
});

describe('evaluateExpression', () => {
  const contexts = {
    github: { event: { head_commit: { message: 'Fix: it' } }, ref_name: 'main' },
    env: { Name: 'Value' },
    matrix: { node: 20, os: 'ubuntu-latest' },
    steps: { build: { outputs: { tags: 'a,b' }, conclusion: 'success' } },
    needs: { setup: { outputs: { list: '["x","y"]', json: '{"include":[{"a":1}]}' } } },
  };
  const s = scope(contexts);

  it('accesses contexts and properties case-insensitively', () => {
    assert.equal(evaluateExpression('GITHUB.Ref_Name', s), 'main');
    assert.equal(evaluateExpression('env.name', s), 'Value');
    assert.equal(evaluateExpression("env['NAME']", s), 'Value');
    assert.equal(evaluateExpression('Steps.Build.Outputs.Tags', s), 'a,b');
  });

  it('keeps value types', () => {
    assert.equal(evaluateExpression('matrix.node', s), 20);
    assert.equal(evaluateExpression('matrix.node == 20', s), true);
    assert.deepEqual(evaluateExpression('matrix', s), { node: 20, os: 'ubuntu-latest' });
    assert.equal(evaluateExpression('null', s), null);
    assert.equal(evaluateExpression('1.5', s), 1.5);
    assert.equal(evaluateExpression('0xff', s), 255);
  });

  it('compares strings ignoring case and coerces as GitHub does', () => {
    assert.equal(evaluateExpression("'ABC' == 'abc'", s), true);
    assert.equal(evaluateExpression("'1' == 1", s), true);
    assert.equal(evaluateExpression('null == 0', s), true);
    assert.equal(evaluateExpression("true == '1'", s), true);
    assert.equal(evaluateExpression("'a' < 'B'", s), true);
  });

  it('returns the deciding operand of && and ||', () => {
    assert.equal(evaluateExpression("matrix.missing || 'fallback'", s), 'fallback');
    assert.equal(evaluateExpression("matrix.os && 'yes'", s), 'yes');
    assert.equal(evaluateExpression("'' && 'no'", s), '');
  });

  it("has GitHub's functions", () => {
    assert.equal(evaluateExpression("contains(github.event.head_commit.message, 'fix')", s), true);
    assert.equal(evaluateExpression("contains(fromJSON(needs.setup.outputs.list), 'y')", s), true);
    assert.equal(evaluateExpression("startsWith(github.ref_name, 'MA')", s), true);
    assert.equal(evaluateExpression("endsWith(github.ref_name, 'in')", s), true);
    assert.equal(evaluateExpression("format('{0}-{1}-{{x}}', matrix.os, matrix.node)", s), 'ubuntu-latest-20-{x}');
    assert.equal(evaluateExpression("join(fromJSON(needs.setup.outputs.list), '+')", s), 'x+y');
    assert.equal(evaluateExpression('toJSON(matrix)', s), '{\n  "node": 20,\n  "os": "ubuntu-latest"\n}');
    assert.deepEqual(evaluateExpression('fromJSON(needs.setup.outputs.json)', s), { include: [{ a: 1 }] });
    assert.equal(evaluateExpression("fromJSON('true')", s), true);
  });

  it('filters objects with .*', () => {
    assert.deepEqual(evaluateExpression('steps.*.conclusion', s), ['success']);
    assert.equal(evaluateExpression("contains(steps.*.conclusion, 'failure')", s), false);
  });

  it('unescapes every doubled quote in a string literal', () => {
    assert.equal(evaluateExpression("'it''s ''quoted'''", s), "it's 'quoted'");
    assert.equal(evaluateExpression("format('echo ''a'' ''{0}''', 'b')", s), "echo 'a' 'b'");
  });

  it('fails on bad JSON and bad format strings', () => {
    assert.throws(() => evaluateExpression("fromJSON('{')", s), ExpressionFailure);
    assert.throws(() => evaluateExpression("fromJSON('')", s), ExpressionFailure);
    assert.throws(() => evaluateExpression("format('{1}', 'a')", s), ExpressionFailure);
  });
});
