/**
 * explainPolicies: the seed's GitHub OIDC trust policy admits main and refuses master with a
 * readable reason; every element's failure is described; explanations always agree with
 * evaluatePolicies, since both run the same matching.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePolicies, explainPolicies, parsePolicy } from '../../src/policy/index.js';
import type { EvaluationRequest, ExplanationFailure, PolicyDocument } from '../../src/policy/index.js';
import { policy, request } from './helpers.js';

const SEED_TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:your-username/ecsapp:ref:refs/heads/main"},"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}';
const GITHUB = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

function webIdentity(sub: string, aud = 'sts.amazonaws.com', provider = GITHUB): EvaluationRequest {
  return {
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: 'arn:aws:iam::123456789012:role/ecsapp-deployer',
    principal: { type: 'Federated', arn: provider },
    context: { 'token.actions.githubusercontent.com:sub': sub, 'token.actions.githubusercontent.com:aud': aud },
  };
}

function only(failures: ExplanationFailure[]): ExplanationFailure {
  assert.equal(failures.length, 1, JSON.stringify(failures));
  const [failure] = failures;
  assert.ok(failure !== undefined);
  return failure;
}

describe('the seed trust policy', () => {
  const trust = parsePolicy(SEED_TRUST, 'trust');

  it('admits the main branch', () => {
    const req = webIdentity('repo:your-username/ecsapp:ref:refs/heads/main');
    assert.equal(evaluatePolicies([trust], req).decision, 'Allow');
    assert.deepEqual(explainPolicies([trust], req), [
      { policyIndex: 0, statementIndex: 0, effect: 'Allow', applies: true, failures: [] },
    ]);
  });

  it('refuses master, naming key, request value, operator and pattern', () => {
    const req = webIdentity('repo:your-username/ecsapp:ref:refs/heads/master');
    assert.equal(evaluatePolicies([trust], req).decision, 'ImplicitDeny');
    const [statement] = explainPolicies([trust], req);
    assert.equal(statement?.applies, false);
    assert.deepEqual(only(statement?.failures ?? []), {
      element: 'Condition',
      operator: 'StringLike',
      key: 'token.actions.githubusercontent.com:sub',
      policyValues: ['repo:your-username/ecsapp:ref:refs/heads/main'],
      requestValues: ['repo:your-username/ecsapp:ref:refs/heads/master'],
      detail:
        'token.actions.githubusercontent.com:sub is "repo:your-username/ecsapp:ref:refs/heads/master", which does not match StringLike "repo:your-username/ecsapp:ref:refs/heads/main"',
    });
  });

  it('reports every failing element, not just the first', () => {
    const req = webIdentity(
      'repo:someone/else:ref:refs/heads/main',
      'api://AzureADTokenExchange',
      'arn:aws:iam::123456789012:oidc-provider/gitlab.com',
    );
    const failures = explainPolicies([trust], req)[0]?.failures ?? [];
    assert.deepEqual(
      failures.map((f) => (f.element === 'Condition' ? `${f.operator} ${f.key}` : f.element)),
      [
        'Principal',
        'StringLike token.actions.githubusercontent.com:sub',
        'StringEquals token.actions.githubusercontent.com:aud',
      ],
    );
    assert.equal(
      failures[0]?.detail,
      `principal arn:aws:iam::123456789012:oidc-provider/gitlab.com (Federated) is not a Principal of this statement: Federated "${GITHUB}"`,
    );
  });

  it('says when a key is absent', () => {
    const req: EvaluationRequest = {
      ...webIdentity('x'),
      context: { 'token.actions.githubusercontent.com:sub': 'repo:your-username/ecsapp:ref:refs/heads/main' },
    };
    const failure = only(explainPolicies([trust], req)[0]?.failures ?? []);
    assert.equal(failure.detail, 'key token.actions.githubusercontent.com:aud is absent from the request');
    assert.ok(failure.element === 'Condition');
    assert.equal(failure.requestValues, undefined);
  });
});

describe('failure details', () => {
  const explainOne = (document: PolicyDocument, req: EvaluationRequest): ExplanationFailure =>
    only(explainPolicies([document], req)[0]?.failures ?? []);

  it('Action and NotAction', () => {
    const allow = policy({ Statement: { Effect: 'Allow', Action: ['ecr:Get*', 'ecr:BatchGetImage'], Resource: '*' } });
    assert.deepEqual(explainOne(allow, request()), {
      element: 'Action',
      requestValue: 'ecr:PutImage',
      policyValues: ['ecr:Get*', 'ecr:BatchGetImage'],
      detail: 'action ecr:PutImage does not match Action "ecr:Get*" or "ecr:BatchGetImage"',
    });
    const not = policy({ Statement: { Effect: 'Allow', NotAction: 'ecr:*', Resource: '*' } });
    assert.equal(explainOne(not, request()).detail, 'action ecr:PutImage matches NotAction "ecr:*"');
  });

  it('Resource, NotResource, and a variable without a value', () => {
    const p = policy({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:ecr:*:*:repository/${aws:username}/*' },
    });
    assert.equal(
      explainOne(p, request()).detail,
      'resource arn:aws:ecr:us-east-1:123456789012:repository/app does not match Resource "arn:aws:ecr:*:*:repository/${aws:username}/*" (policy variable aws:username has no value in the request)',
    );
    assert.equal(
      explainOne(p, request({ context: { 'aws:username': 'alice' } })).detail,
      'resource arn:aws:ecr:us-east-1:123456789012:repository/app does not match Resource "arn:aws:ecr:*:*:repository/alice/*"',
    );
    const not = policy({ Statement: { Effect: 'Deny', Action: '*', NotResource: 'arn:aws:ecr:*:*:repository/*' } });
    assert.equal(explainOne(not, request()).element, 'NotResource');
  });

  it('NotPrincipal', () => {
    const p = policy({ Statement: { Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: '*' } }, 'resource');
    const failure = explainOne(p, request({ principal: { type: 'AWS', arn: 'arn:aws:iam::123456789012:root' } }));
    assert.equal(
      failure.detail,
      'principal arn:aws:iam::123456789012:root (AWS) is excluded by NotPrincipal AWS "123456789012"',
    );
  });

  it('negated operators, set qualifiers and Null', () => {
    const cases: [object, Record<string, string | string[]>, string][] = [
      [
        { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        { 'aws:SourceIp': '10.1.2.3' },
        'aws:SourceIp is "10.1.2.3", which NotIpAddress "10.0.0.0/8" excludes',
      ],
      [
        { StringEquals: { 'aws:username': ['a', 'b', 'c'] } },
        { 'aws:username': 'd' },
        'aws:username is "d", which does not match StringEquals "a", "b" or "c"',
      ],
      [
        { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
        { 'aws:TagKeys': ['team', 'secret'] },
        'aws:TagKeys is ["team", "secret"]; "secret" does not match ForAllValues:StringEquals "team" or "env"',
      ],
      [
        { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } },
        { 'aws:TagKeys': ['env', 'cost'] },
        'aws:TagKeys is ["env", "cost"], none of which matches ForAnyValue:StringEquals "team"',
      ],
      [
        { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } },
        { 'aws:TagKeys': [] },
        'key aws:TagKeys has no values in the request, and ForAnyValue:StringEquals needs at least one',
      ],
      [
        { StringNotEquals: { 'aws:TagKeys': 'secret' } },
        { 'aws:TagKeys': ['team', 'secret'] },
        'aws:TagKeys is ["team", "secret"]; "secret" is excluded by StringNotEquals "secret"',
      ],
      [
        { Null: { 'aws:TokenIssueTime': 'true' } },
        { 'aws:TokenIssueTime': 'x' },
        'key aws:TokenIssueTime is present in the request, but Null "true" requires it to be absent',
      ],
      [
        { Null: { 'aws:TokenIssueTime': 'false' } },
        {},
        'key aws:TokenIssueTime is absent from the request, but Null "false" requires it to be present',
      ],
      [
        { StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } },
        { 'aws:PrincipalTag/team': 'red' },
        'aws:PrincipalTag/team is "red", which does not match StringEquals "${aws:username}" (policy variable aws:username has no value in the request)',
      ],
    ];
    for (const [condition, context, detail] of cases) {
      const p = policy({
        Version: '2012-10-17',
        Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition },
      });
      assert.equal(explainOne(p, request({ context })).detail, detail);
    }
  });

  it('keeps sids and indexes across policies', () => {
    const a = policy({ Statement: [{ Sid: 'One', Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] });
    const b = policy({
      Statement: [
        { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
        { Sid: 'Three', Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' },
      ],
    });
    const explained = explainPolicies([a, b], request());
    assert.deepEqual(
      explained.map((e) => [e.policyIndex, e.statementIndex, e.sid, e.effect, e.applies]),
      [
        [0, 0, 'One', 'Allow', true],
        [1, 0, undefined, 'Deny', false],
        [1, 1, 'Three', 'Deny', true],
      ],
    );
  });
});

describe('explanations agree with evaluation', () => {
  it('for a grid of requests and policies', () => {
    const policies = [
      policy({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ecr:*'],
            Resource: 'arn:aws:ecr:*:123456789012:repository/${aws:PrincipalTag/team}-*',
          },
          {
            Effect: 'Deny',
            Action: 'ecr:DeleteRepository',
            Resource: '*',
            Condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/role': 'admin' } },
          },
          {
            Effect: 'Allow',
            NotAction: 'iam:*',
            Resource: '*',
            Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          },
        ],
      }),
    ];
    const actions = ['ecr:PutImage', 'ecr:DeleteRepository', 'iam:CreateRole', 'ecs:ListClusters'];
    const resources = [
      'arn:aws:ecr:us-east-1:123456789012:repository/red-app',
      'arn:aws:ecr:us-east-1:123456789012:repository/blue-app',
    ];
    const contexts = [
      {},
      { 'aws:PrincipalTag/team': 'red' },
      { 'aws:PrincipalTag/team': 'red', 'aws:PrincipalTag/role': 'admin' },
      { 'aws:SourceIp': '10.0.0.1' },
      { 'aws:SourceIp': '::ffff:10.0.0.1', 'aws:PrincipalTag/role': 'dev' },
    ];
    let checked = 0;
    for (const action of actions) {
      for (const resource of resources) {
        for (const context of contexts) {
          const req: EvaluationRequest = { action, resource, context };
          const result = evaluatePolicies(policies, req);
          const explained = explainPolicies(policies, req);
          const applying = explained.filter((e) => e.applies);
          for (const e of explained) assert.equal(e.applies, e.failures.length === 0);
          const denies = applying.filter((e) => e.effect === 'Deny');
          const allows = applying.filter((e) => e.effect === 'Allow');
          const expected = denies.length > 0 ? 'ExplicitDeny' : allows.length > 0 ? 'Allow' : 'ImplicitDeny';
          assert.equal(result.decision, expected, JSON.stringify(req));
          checked++;
        }
      }
    }
    assert.equal(checked, 40);
  });
});
