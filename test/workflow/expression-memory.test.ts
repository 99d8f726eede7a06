/**
 * format() and join() refuse to build a result over GitHub's memory bound, before building it:
 * nested format() calls multiply, and a short expression would otherwise build hundreds of
 * megabytes on the cloud's event loop. Ordinary results are the library's, unchanged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateExpression, ExpressionFailure } from '../../src/workflow/index.js';
import { formatResultLength, MAX_RESULT_CHARS } from '../../src/workflow/expression-memory.js';
import { scope } from './helpers.js';

/** `format('{0}{0}…', …)` nested `levels` deep, each repeating its argument `times` times. */
function nestedFormat(levels: number, times: number): string {
  let expression = "'x'";
  for (let level = 0; level < levels; level++) expression = `format('${'{0}'.repeat(times)}', ${expression})`;
  return expression;
}

describe('the memory bound of format() and join()', () => {
  it('refuses a nested format() before it builds its result', () => {
    const bomb = nestedFormat(5, 40); // 663 characters, 40^5 ≈ 10^8 once built
    const started = performance.now();
    assert.throws(
      () => evaluateExpression(bomb, scope()),
      (error: unknown) =>
        error instanceof ExpressionFailure && /The maximum allowed memory size was exceeded$/.test(error.message),
    );
    assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
    // Below the bound nothing changes: 40^4 = 2,560,000 characters.
    assert.equal((evaluateExpression(nestedFormat(4, 40), scope()) as string).length, 40 ** 4);
  });

  it('refuses a join() whose separator or items would exceed it', () => {
    const big = `format('${'{0}'.repeat(100)}', format('${'{0}'.repeat(100)}', format('${'{0}'.repeat(100)}', 'x')))`; // 10^6 characters
    assert.throws(
      () => evaluateExpression(`join(fromJSON('[1,2,3,4,5,6,7]'), ${big})`, scope()),
      /The maximum allowed memory size was exceeded/,
    );
    assert.equal(evaluateExpression(`join(fromJSON('[1,2,3]'), '-')`, scope()), '1-2-3');
    assert.equal(evaluateExpression(`join('abc')`, scope()), 'abc');
  });

  it("computes format()'s length as the library formats", () => {
    const cases: [string, string[]][] = [
      ['a{0}b{1}c', ['xy', 'z']],
      ['{{ {0} }}', ['v']],
      ['{0}{0}{1}', ['ab', '']],
      ['plain', []],
      ['{0x}', ['q']],
      ['}} and {{', []],
    ];
    for (const [fs, args] of cases) {
      const expression = `format('${fs}'${args.map((arg) => `, '${arg}'`).join('')})`;
      assert.equal(
        formatResultLength(
          fs,
          args.map((arg) => arg.length),
        ),
        (evaluateExpression(expression, scope()) as string).length,
        fs,
      );
    }
    assert.equal(formatResultLength('{1}', [1]), undefined, 'the library refuses it with its own message');
    assert.equal(formatResultLength('{', [1]), undefined);
    assert.ok(MAX_RESULT_CHARS >= 5_000_000);
  });
});
