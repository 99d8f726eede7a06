/**
 * The building blocks under the public API: glob matching (in linear time) and its escapes,
 * policy variable parsing, the bounded cache of compiled globs, and a generous performance guard (evaluation runs on every
 * API call and must stay in microseconds).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContextValues } from '../../src/policy/context.js';
import { evaluatePolicies, parsePolicy } from '../../src/policy/index.js';
import type { EvaluationRequest } from '../../src/policy/index.js';
import { resolveValue, unresolvedVariables } from '../../src/policy/variables.js';
import { escapeGlob, globLiteral, globMatch, toGlob, wildcardCacheSize } from '../../src/policy/wildcard.js';

describe('globMatch', () => {
  it('matches whole values with * and ?', () => {
    assert.equal(globMatch('*', '', false), true);
    assert.equal(globMatch('a*', 'a', false), true);
    assert.equal(globMatch('a*c', 'abbbc', false), true);
    assert.equal(globMatch('a?c', 'ac', false), false);
    assert.equal(globMatch('a?c', 'abc', false), true);
    assert.equal(globMatch('abc', 'abcd', false), false);
    assert.equal(globMatch('*bc', 'xabc', false), true);
  });

  it('honours case only when asked', () => {
    assert.equal(globMatch('ECR:Get*', 'ecr:getimage', true), true);
    assert.equal(globMatch('ECR:GetImage', 'ecr:getimage', true), true);
    assert.equal(globMatch('ECR:Get*', 'ecr:getimage', false), false);
  });

  it('treats regex syntax as text and ? as one code point', () => {
    assert.equal(globMatch('^a$|b', '^a$|b', false), true);
    assert.equal(globMatch('(a)[b]{1}+\\\\/', '(a)[b]{1}+\\/', false), true);
    assert.equal(globMatch('x?y', 'x😀y', false), true);
  });

  it('escapes: a backslash makes * and ? literal', () => {
    assert.equal(globMatch('a\\*', 'a*', false), true);
    assert.equal(globMatch('a\\*', 'ab', false), false);
    assert.equal(globMatch('a\\?b*', 'a?bc', false), true);
    assert.equal(globMatch(toGlob('a\\b*'), 'a\\bc', false), true, 'a policy backslash is literal');
  });

  it('toGlob, escapeGlob and globLiteral round-trip', () => {
    assert.equal(toGlob('plain'), 'plain');
    assert.equal(globLiteral(toGlob('a\\b')), 'a\\b');
    assert.equal(escapeGlob('a*b?c\\'), 'a\\*b\\?c\\\\');
    assert.equal(globLiteral(escapeGlob('a*b?c\\')), 'a*b?c\\');
  });

  it('matches a glob that makes a regular expression backtrack for ever, in linear time', () => {
    // As a regex, `.*a.*a…b` against 40 a's took over a minute: every API call under such a policy froze the cloud.
    const glob = `arn:aws:ecr:${'*a'.repeat(12)}*b`;
    const started = performance.now();
    assert.equal(globMatch(glob, `arn:aws:ecr:${'a'.repeat(2048)}`, false), false);
    assert.equal(globMatch(`${'*a'.repeat(3000)}*b`, 'a'.repeat(2048), false), false);
    assert.ok(performance.now() - started < 100, `${performance.now() - started} ms`);
    assert.equal(globMatch(glob, `arn:aws:ecr:${'xa'.repeat(12)}yb`, false), true);
    assert.equal(globMatch('a*b*c', 'aXbYbZc', false), true);
    assert.equal(globMatch('a*b?c', 'abbc', false), true);
    assert.equal(globMatch('a**?', 'a', false), false);
    assert.equal(globMatch('*?*', '😀', false), true);
  });

  it('keeps its cache of compiled globs bounded', () => {
    for (let i = 0; i < 6000; i++) globMatch(`arn:aws:s3:::bucket-${i}/*`, 'arn:aws:s3:::bucket-0/key', false);
    assert.ok(wildcardCacheSize() <= 2 * 4096, `cache holds ${wildcardCacheSize()}`);
  });
});

describe('policy variables', () => {
  const values = new ContextValues({
    'aws:username': 'alice',
    'aws:PrincipalTag/team': 'r*d',
    'aws:TagKeys': ['a', 'b'],
  });
  const v12 = '2012-10-17' as const;

  it('substitute single-valued keys, case-insensitively, escaping wildcards', () => {
    assert.equal(resolveValue('home/${aws:username}/*', v12, values), 'home/alice/*');
    assert.equal(resolveValue('home/${AWS:USERNAME}', v12, values), 'home/alice');
    assert.equal(resolveValue('${aws:PrincipalTag/team}', v12, values), 'r\\*d');
    assert.equal(resolveValue('${ aws:username }', v12, values), 'alice');
  });

  it('leave values unresolved for absent and multi-valued keys', () => {
    assert.equal(resolveValue('${aws:userid}', v12, values), undefined);
    assert.equal(resolveValue('${aws:TagKeys}', v12, values), undefined);
    assert.deepEqual(unresolvedVariables('${aws:userid}/${aws:username}/${x:y}', v12, values), ['aws:userid', 'x:y']);
  });

  it('defaults, quotes and the special escapes', () => {
    assert.equal(resolveValue("${aws:userid, 'nobody'}", v12, values), 'nobody');
    assert.equal(resolveValue("${aws:userid,'it''s'}", v12, values), "it's");
    assert.equal(resolveValue("${aws:userid, 'a}b,c'}!", v12, values), 'a}b,c!');
    assert.equal(resolveValue("${aws:username, 'fallback'}", v12, values), 'alice');
    assert.equal(resolveValue('${*}${?}${$}', v12, values), '\\*\\?$');
  });

  it('keep malformed variables as text', () => {
    assert.equal(resolveValue('${', v12, values), '${');
    assert.equal(resolveValue('${}', v12, values), '${}');
    assert.equal(resolveValue('${aws:userid, nobody}', v12, values), '${aws:userid, nobody}');
    assert.equal(resolveValue('$${aws:username}', v12, values), '$alice');
  });

  it('are plain text before 2012-10-17', () => {
    assert.equal(resolveValue('${aws:username}', '2008-10-17', values), '${aws:username}');
    assert.equal(resolveValue('${aws:username}', undefined, values), '${aws:username}');
    assert.equal(resolveValue('${toString}', v12, values), undefined, 'no prototype keys');
  });
});

describe('performance', () => {
  it('evaluates a 60-statement request in well under a millisecond', () => {
    const statements = Array.from({ length: 20 }, (_, i) => ({
      Effect: 'Allow',
      Action: ['ecr:Get*', 'ecr:BatchGetImage', `ecs:Describe${i}`],
      Resource: `arn:aws:ecr:*:123456789012:repository/\${aws:PrincipalTag/team}-${i}*`,
      Condition: {
        StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] },
        IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' },
      },
    }));
    const document = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'identity');
    const request: EvaluationRequest = {
      action: 'ecr:GetDownloadUrlForLayer',
      resource: 'arn:aws:ecr:us-east-1:123456789012:repository/red-19app',
      context: {
        'aws:PrincipalTag/team': 'red',
        'aws:RequestedRegion': 'us-east-1',
        'aws:SourceIp': '::ffff:10.1.1.1',
      },
    };
    const policies = [document, document, document];
    assert.equal(evaluatePolicies(policies, request).decision, 'Allow');
    const rounds = 2000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) evaluatePolicies(policies, request);
    const micros = Number(process.hrtime.bigint() - start) / 1000 / rounds;
    // Typically ~35 µs; the bound leaves room for slow CI machines.
    assert.ok(micros < 1000, `${micros.toFixed(1)} µs per evaluation`);
  });
});
