/**
 * evaluatePolicies: the decision logic (explicit deny > allow > implicit deny), Action and
 * Resource matching with their case rules, NotAction/NotResource, policy variables, and
 * the Principal element for trust and resource policies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePolicies } from '../../src/policy/index.js';
import type { PolicyDocument, PrincipalRef } from '../../src/policy/index.js';
import { policy, request } from './helpers.js';

const REPO = 'arn:aws:ecr:us-east-1:123456789012:repository/app';

function decide(policies: readonly PolicyDocument[], overrides: Parameters<typeof request>[0] = {}): string {
  return evaluatePolicies(policies, request(overrides)).decision;
}

describe('decision logic', () => {
  const allowPush = policy({
    Statement: { Sid: 'Push', Effect: 'Allow', Action: ['ecr:PutImage', 'ecr:Initiate*'], Resource: REPO },
  });
  const denyAll = policy({ Statement: { Sid: 'No', Effect: 'Deny', Action: '*', Resource: '*' } });

  it('no applicable statement is an implicit deny', () => {
    assert.deepEqual(evaluatePolicies([], request()), { decision: 'ImplicitDeny', matched: [] });
    assert.equal(decide([allowPush], { action: 'ecr:DeleteRepository' }), 'ImplicitDeny');
  });

  it('an applicable Allow allows and is reported', () => {
    assert.deepEqual(evaluatePolicies([allowPush], request()), {
      decision: 'Allow',
      matched: [{ policyIndex: 0, statementIndex: 0, sid: 'Push', effect: 'Allow' }],
    });
  });

  it('an explicit Deny wins over any Allow, in any order', () => {
    assert.deepEqual(evaluatePolicies([allowPush, denyAll], request()), {
      decision: 'ExplicitDeny',
      matched: [{ policyIndex: 1, statementIndex: 0, sid: 'No', effect: 'Deny' }],
    });
    assert.equal(decide([denyAll, allowPush]), 'ExplicitDeny');
  });

  it('reports every applicable statement of the deciding effect', () => {
    const two = policy({
      Statement: [
        { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
        { Sid: 'B', Effect: 'Allow', Action: '*', Resource: REPO },
      ],
    });
    const result = evaluatePolicies([allowPush, two], request());
    assert.equal(result.decision, 'Allow');
    assert.deepEqual(
      result.matched.map((m) => [m.policyIndex, m.statementIndex, m.sid]),
      [
        [0, 0, 'Push'],
        [1, 0, undefined],
        [1, 1, 'B'],
      ],
    );
  });

  it('a Deny whose condition fails does not deny', () => {
    const denyOutsideVpc = policy({
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } } },
      ],
    });
    assert.equal(decide([denyOutsideVpc], { context: { 'aws:SourceVpc': 'vpc-1' } }), 'Allow');
    assert.equal(decide([denyOutsideVpc], { context: { 'aws:SourceVpc': 'vpc-2' } }), 'ExplicitDeny');
    // The key is absent: StringNotEquals is true, so the Deny applies.
    assert.equal(decide([denyOutsideVpc], { context: {} }), 'ExplicitDeny');
  });
});

describe('Action and Resource', () => {
  it('actions are case-insensitive with * and ? wildcards', () => {
    const p = policy({ Statement: { Effect: 'Allow', Action: ['ECR:put*', 'ecs:Describe?ervices'], Resource: '*' } });
    assert.equal(decide([p], { action: 'ecr:PutImage' }), 'Allow');
    assert.equal(decide([p], { action: 'ECS:DESCRIBESERVICES' }), 'Allow');
    assert.equal(decide([p], { action: 'ecs:DescribeTasks' }), 'ImplicitDeny');
    assert.equal(decide([p], { action: 'ecrx:PutImage' }), 'ImplicitDeny');
    const star = policy({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } });
    assert.equal(decide([star], { action: 'anything:AtAll' }), 'Allow');
  });

  it('resources are case-sensitive with wildcards that cross / and :', () => {
    const p = policy({
      Statement: { Effect: 'Allow', Action: '*', Resource: ['arn:aws:ecr:*:123456789012:repository/team-?/*'] },
    });
    assert.equal(decide([p], { resource: 'arn:aws:ecr:us-east-1:123456789012:repository/team-a/app/web' }), 'Allow');
    assert.equal(decide([p], { resource: 'arn:aws:ecr:us-east-1:123456789012:repository/TEAM-a/app' }), 'ImplicitDeny');
    assert.equal(
      decide([p], { resource: 'arn:aws:ecr:us-east-1:123456789012:repository/team-ab/app' }),
      'ImplicitDeny',
    );
    const logs = policy({
      Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:app*' },
    });
    assert.equal(
      decide([logs], { resource: 'arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x' }),
      'Allow',
    );
  });

  it('NotAction applies to every action but the listed ones', () => {
    const p = policy({ Statement: { Effect: 'Allow', NotAction: ['iam:*', 'sts:AssumeRole'], Resource: '*' } });
    assert.equal(decide([p], { action: 'ecr:PutImage' }), 'Allow');
    assert.equal(decide([p], { action: 'IAM:CreateRole' }), 'ImplicitDeny');
    assert.equal(decide([p], { action: 'sts:AssumeRole' }), 'ImplicitDeny');
    assert.equal(decide([p], { action: 'sts:GetCallerIdentity' }), 'Allow');
  });

  it('NotResource applies to every resource but the listed ones', () => {
    const p = policy({
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'ecr:*', NotResource: 'arn:aws:ecr:*:123456789012:repository/sandbox-*' },
      ],
    });
    assert.equal(decide([p], { resource: 'arn:aws:ecr:us-east-1:123456789012:repository/sandbox-1' }), 'Allow');
    assert.equal(decide([p], { resource: REPO }), 'ExplicitDeny');
    assert.equal(decide([p], { action: 'ecs:ListClusters', resource: REPO }), 'Allow');
  });
});

describe('policy variables', () => {
  const perUser = (version: string): PolicyDocument =>
    policy({
      Version: version,
      Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:ecr:*:*:repository/${aws:username}/*' },
    });

  it('are substituted in Resource under 2012-10-17', () => {
    const p = perUser('2012-10-17');
    const mine = 'arn:aws:ecr:us-east-1:123456789012:repository/alice/app';
    assert.equal(decide([p], { resource: mine, context: { 'aws:username': 'alice' } }), 'Allow');
    assert.equal(
      decide([p], { resource: mine, context: { 'AWS:UserName': 'alice' } }),
      'Allow',
      'key lookup ignores case',
    );
    assert.equal(decide([p], { resource: mine, context: { 'aws:username': 'bob' } }), 'ImplicitDeny');
  });

  it('leave the resource unmatched when the key is absent or multi-valued', () => {
    const p = perUser('2012-10-17');
    const literal = 'arn:aws:ecr:us-east-1:123456789012:repository/${aws:username}/app';
    assert.equal(decide([p], { resource: literal, context: {} }), 'ImplicitDeny');
    assert.equal(decide([p], { resource: literal, context: { 'aws:username': ['a', 'b'] } }), 'ImplicitDeny');
  });

  it('are literal text under 2008-10-17 or without a Version', () => {
    const literal = 'arn:aws:ecr:us-east-1:123456789012:repository/${aws:username}/app';
    for (const p of [
      perUser('2008-10-17'),
      policy({ Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:ecr:*:*:repository/${aws:username}/*' } }),
    ]) {
      assert.equal(decide([p], { resource: literal, context: { 'aws:username': 'alice' } }), 'Allow');
      assert.equal(
        decide([p], {
          resource: 'arn:aws:ecr:us-east-1:123456789012:repository/alice/app',
          context: { 'aws:username': 'alice' },
        }),
        'ImplicitDeny',
      );
    }
  });

  it('take defaults, with doubled quotes and no second expansion', () => {
    const p = policy({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: '*',
        Resource: "arn:aws:ecr:*:*:repository/${aws:PrincipalTag/team , 'shared'}/*",
      },
    });
    assert.equal(decide([p], { resource: 'arn:aws:ecr:us-east-1:1:repository/shared/app' }), 'Allow');
    assert.equal(
      decide([p], {
        resource: 'arn:aws:ecr:us-east-1:1:repository/red/app',
        context: { 'aws:PrincipalTag/team': 'red' },
      }),
      'Allow',
    );
    assert.equal(
      decide([p], {
        resource: 'arn:aws:ecr:us-east-1:1:repository/shared/app',
        context: { 'aws:PrincipalTag/team': 'red' },
      }),
      'ImplicitDeny',
    );

    const quoted = policy({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'svc:name': "${svc:missing, 'it''s ${aws:username}'}" } },
      },
    });
    assert.equal(
      decide([quoted], { context: { 'svc:name': "it's ${aws:username}", 'aws:username': 'alice' } }),
      'Allow',
    );
  });

  it('${*} ${?} ${$} are literal characters; substituted values never act as wildcards', () => {
    const p = policy({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { StringLike: { 'svc:path': 'a${*}b${?}c${$}d*' } },
      },
    });
    assert.equal(decide([p], { context: { 'svc:path': 'a*b?c$dxyz' } }), 'Allow');
    assert.equal(decide([p], { context: { 'svc:path': 'aXbYc$dxyz' } }), 'ImplicitDeny');

    const byTag = policy({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { StringLike: { 'svc:owner': '${aws:PrincipalTag/owner}' } },
      },
    });
    assert.equal(
      decide([byTag], { context: { 'svc:owner': 'anyone', 'aws:PrincipalTag/owner': '*' } }),
      'ImplicitDeny',
    );
    assert.equal(decide([byTag], { context: { 'svc:owner': '*', 'aws:PrincipalTag/owner': '*' } }), 'Allow');
  });

  it('are substituted in condition values, not in actions', () => {
    // Built by hand: the validator refuses a variable in an action (its colon is one too many).
    const p: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['ecr:${aws:username}'], Resource: ['*'] },
        {
          Effect: 'Allow',
          Action: ['iam:GetUser'],
          Resource: ['*'],
          Condition: { StringEquals: { 'iam:ResourceTag/owner': ['${aws:userid}'] } },
        },
      ],
    };
    assert.equal(decide([p], { action: 'ecr:alice', context: { 'aws:username': 'alice' } }), 'ImplicitDeny');
    assert.equal(decide([p], { action: 'ecr:${aws:username}' }), 'Allow');
    assert.equal(
      decide([p], { action: 'iam:GetUser', context: { 'iam:ResourceTag/owner': 'AIDAX', 'aws:userid': 'AIDAX' } }),
      'Allow',
    );
    assert.equal(decide([p], { action: 'iam:GetUser', context: { 'iam:ResourceTag/owner': 'AIDAX' } }), 'ImplicitDeny');
  });
});

describe('Principal and NotPrincipal', () => {
  const account = '123456789012';
  const session: PrincipalRef = {
    type: 'AWS',
    arn: `arn:aws:sts::${account}:assumed-role/deployer/gh-run-1`,
    accountId: account,
    roleArn: `arn:aws:iam::${account}:role/ci/deployer`,
  };
  const root: PrincipalRef = { type: 'AWS', arn: `arn:aws:iam::${account}:root` };
  const other: PrincipalRef = {
    type: 'AWS',
    arn: 'arn:aws:sts::999999999999:assumed-role/deployer/x',
    roleArn: 'arn:aws:iam::999999999999:role/deployer',
  };
  const github: PrincipalRef = {
    type: 'Federated',
    arn: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
  };
  const ecsTasks: PrincipalRef = { type: 'Service', arn: 'ecs-tasks.amazonaws.com' };

  const trust = (principal: unknown): PolicyDocument =>
    policy(
      { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' } },
      'trust',
    );
  const admits = (p: PolicyDocument, who: PrincipalRef): boolean =>
    evaluatePolicies([p], {
      action: 'sts:AssumeRole',
      resource: 'arn:aws:iam::123456789012:role/target',
      principal: who,
      context: {},
    }).decision === 'Allow';

  it('"*" and {"AWS":"*"} admit everyone', () => {
    for (const p of [trust('*'), trust({ AWS: '*' })]) {
      for (const who of [session, root, other, github, ecsTasks]) assert.equal(admits(p, who), true, who.arn);
    }
  });

  it('an account (id or root ARN) admits every principal of that account', () => {
    for (const p of [trust({ AWS: account }), trust({ AWS: `arn:aws:iam::${account}:root` })]) {
      assert.equal(admits(p, session), true);
      assert.equal(admits(p, root), true);
      assert.equal(admits(p, other), false);
      assert.equal(admits(p, github), false);
    }
    assert.equal(
      admits(trust({ AWS: account }), { type: 'AWS', arn: `arn:aws:sts::${account}:assumed-role/r/s` }),
      true,
      'account derived from the ARN',
    );
  });

  it('a role ARN admits its sessions; a session ARN only itself', () => {
    assert.equal(admits(trust({ AWS: `arn:aws:iam::${account}:role/ci/deployer` }), session), true);
    assert.equal(admits(trust({ AWS: `arn:aws:iam::${account}:role/ci/other` }), session), false);
    assert.equal(admits(trust({ AWS: session.arn }), session), true);
    assert.equal(admits(trust({ AWS: `arn:aws:sts::${account}:assumed-role/deployer/gh-run-2` }), session), false);
    assert.equal(admits(trust({ AWS: `arn:aws:iam::${account}:role/ci/deployer` }), root), false);
  });

  it('ARNs are case-sensitive', () => {
    assert.equal(admits(trust({ AWS: `arn:aws:iam::${account}:role/ci/Deployer` }), session), false);
  });

  it('Federated matches the provider exactly', () => {
    assert.equal(admits(trust({ Federated: github.arn }), github), true);
    assert.equal(admits(trust({ Federated: `arn:aws:iam::${account}:oidc-provider/gitlab.com` }), github), false);
    assert.equal(admits(trust({ Federated: github.arn }), session), false);
  });

  it('Service matches the service name, ignoring case', () => {
    assert.equal(admits(trust({ Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] }), ecsTasks), true);
    assert.equal(admits(trust({ Service: 'ECS-Tasks.amazonaws.com' }), ecsTasks), true);
    assert.equal(admits(trust({ Service: 'ec2.amazonaws.com' }), ecsTasks), false);
    assert.equal(
      admits(trust({ Service: 'ecs-tasks.amazonaws.com' }), { type: 'AWS', arn: 'ecs-tasks.amazonaws.com' }),
      false,
    );
  });

  it('NotPrincipal applies to everyone but the listed principals', () => {
    const p = policy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 'ecr:*' },
          {
            Effect: 'Deny',
            NotPrincipal: { AWS: [`arn:aws:iam::${account}:role/ci/deployer`, account] },
            Action: 'ecr:*',
          },
        ],
      },
      'resource',
    );
    const decideFor = (who: PrincipalRef): string =>
      evaluatePolicies([p], { action: 'ecr:PutImage', resource: REPO, principal: who, context: {} }).decision;
    assert.equal(decideFor(session), 'Allow');
    assert.equal(decideFor(root), 'Allow');
    assert.equal(decideFor(other), 'ExplicitDeny');
  });

  it('Principal is not checked when the request names no principal', () => {
    assert.equal(
      evaluatePolicies([trust({ AWS: account })], { action: 'sts:AssumeRole', resource: '*', context: {} }).decision,
      'Allow',
    );
  });

  it('trust policies match without a Resource whatever the request resource', () => {
    assert.equal(
      evaluatePolicies([trust({ AWS: account })], {
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::1:role/any',
        principal: root,
        context: {},
      }).decision,
      'Allow',
    );
  });
});

describe('hand-built documents', () => {
  it('a statement without Action never applies; an unknown operator fails closed', () => {
    const noAction: PolicyDocument = { Statement: [{ Effect: 'Allow', Resource: ['*'] }] };
    assert.equal(decide([noAction]), 'ImplicitDeny');
    const badOperator: PolicyDocument = {
      Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'], Condition: { StringSortOf: { 'a:b': ['x'] } } }],
    };
    assert.equal(decide([badOperator], { context: { 'a:b': 'x' } }), 'ImplicitDeny');
  });
});
