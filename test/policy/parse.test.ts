/**
 * parsePolicy: AWS's accepted shapes are normalised, and every refusal carries the message
 * AWS puts in MalformedPolicyDocument.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy, PolicyValidationError } from '../../src/policy/index.js';
import type { PolicyKind } from '../../src/policy/index.js';

function rejects(document: unknown, kind: PolicyKind, message: string, managed = false): void {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  assert.throws(
    () => parsePolicy(text, kind, { managed }),
    (error: unknown) => error instanceof PolicyValidationError && error.message === message,
    `expected "${message}"`,
  );
}

const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };
const trustStatement = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };

describe('parsePolicy normalisation', () => {
  it('turns single values into arrays and a lone Statement into an array', () => {
    const document = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Id: 'p',
        Statement: { Sid: 'A', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      }),
      'identity',
    );
    assert.deepEqual(document, {
      Version: '2012-10-17',
      Id: 'p',
      Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] }],
    });
  });

  it('keeps NotAction and NotResource', () => {
    const document = parsePolicy(
      JSON.stringify({
        Statement: [{ Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], NotResource: 'arn:aws:s3:::b/*' }],
      }),
      'identity',
    );
    assert.deepEqual(document.Statement[0], {
      Effect: 'Deny',
      NotAction: ['iam:*', 'sts:*'],
      NotResource: ['arn:aws:s3:::b/*'],
    });
    assert.equal(document.Version, undefined);
  });

  it('normalises condition values to strings and operator names to AWS spelling', () => {
    const document = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            ...allowAll,
            Condition: {
              Bool: { 'aws:SecureTransport': true },
              NumericLessThan: { 's3:max-keys': 10 },
              'forallvalues:stringlikeifexists': { 'aws:TagKeys': ['a*', 'b'] },
              stringEquals: { 'aws:PrincipalTag/team': 'x' },
              StringEquals: { 'aws:PrincipalTag/env': ['prod', 1.5] },
            },
          },
        ],
      }),
      'identity',
    );
    assert.deepEqual(document.Statement[0]?.Condition, {
      Bool: { 'aws:SecureTransport': ['true'] },
      NumericLessThan: { 's3:max-keys': ['10'] },
      'ForAllValues:StringLikeIfExists': { 'aws:TagKeys': ['a*', 'b'] },
      StringEquals: { 'aws:PrincipalTag/team': ['x'], 'aws:PrincipalTag/env': ['prod', '1.5'] },
    });
  });

  it('keeps "Principal": "*" as the * marker and principal lists as arrays', () => {
    const star = parsePolicy(
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] }),
      'trust',
    );
    assert.equal(star.Statement[0]?.Principal, '*');
    const listed = parsePolicy(
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: ['123456789012', 'arn:aws:iam::123456789012:role/ci/deployer'],
              Service: 'ecs-tasks.amazonaws.com',
            },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
      'trust',
    );
    assert.deepEqual(listed.Statement[0]?.Principal, {
      AWS: ['123456789012', 'arn:aws:iam::123456789012:role/ci/deployer'],
      Service: ['ecs-tasks.amazonaws.com'],
    });
  });

  it('accepts the seed trust policy', () => {
    const seed =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:your-username/ecsapp:ref:refs/heads/main"},"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}';
    const document = parsePolicy(seed, 'trust');
    assert.deepEqual(document.Statement[0]?.Principal, {
      Federated: ['arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'],
    });
    assert.deepEqual(document.Statement[0]?.Action, ['sts:AssumeRoleWithWebIdentity']);
  });

  it('accepts repeated empty Sids, as Terraform writes them', () => {
    const document = parsePolicy(
      JSON.stringify({
        Statement: [
          { Sid: '', ...allowAll },
          { Sid: '', ...allowAll },
        ],
      }),
      'identity',
    );
    assert.equal(document.Statement.length, 2);
  });

  it('accepts resource policies without Resource (ECR repository policies)', () => {
    const document = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'pull',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::123456789012:root' },
            Action: ['ecr:BatchGetImage'],
          },
        ],
      }),
      'resource',
    );
    assert.equal(document.Statement[0]?.Resource, undefined);
  });

  it('accepts the principal shapes AWS accepts', () => {
    const principals = {
      AWS: [
        '*',
        '123456789012',
        'arn:aws:iam::123456789012:root',
        'arn:aws:iam::123456789012:user/division/alice',
        'arn:aws:iam::123456789012:role/service-role/deployer',
        'arn:aws:sts::123456789012:assumed-role/deployer/session-1',
        'AROA1234567890EXAMPLE',
      ],
      Federated: ['accounts.google.com', 'arn:aws:iam::123456789012:saml-provider/okta'],
      Service: ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com.cn'],
      CanonicalUser: ['79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'],
    };
    parsePolicy(
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: principals, Action: 'sts:AssumeRole' }] }),
      'trust',
    );
  });
});

describe('parsePolicy refusals', () => {
  it('invalid JSON: worded per validator', () => {
    rejects('{"Statement": [', 'identity', 'Syntax errors in policy.');
    rejects('{"Statement": [', 'trust', 'This policy contains invalid Json');
    rejects('[]', 'identity', 'Syntax errors in policy.');
  });

  it('missing Statement', () => {
    rejects({ Version: '2012-10-17' }, 'identity', 'Syntax errors in policy.');
    rejects({ Version: '2012-10-17' }, 'trust', 'Missing required field Statement');
    rejects({ Version: '2012-10-17', Statement: [] }, 'trust', 'Missing required field Statement');
  });

  it('Effect other than Allow or Deny, or missing', () => {
    rejects({ Statement: [{ ...allowAll, Effect: 'allow' }] }, 'identity', 'Syntax errors in policy.');
    rejects({ Statement: [{ Action: '*', Resource: '*' }] }, 'identity', 'Syntax errors in policy.');
    rejects({ Statement: [{ Principal: '*', Action: 'sts:AssumeRole' }] }, 'trust', 'Missing required field Effect');
  });

  it('unknown fields', () => {
    rejects({ Statement: [allowAll], Extra: 1 }, 'identity', 'Syntax errors in policy.');
    rejects({ Statement: [{ ...allowAll, Conditions: {} }] }, 'identity', 'Syntax errors in policy.');
    rejects({ Statement: [{ ...trustStatement, Actions: 'x:y' }] }, 'trust', 'Unknown field Actions');
    rejects({ Statement: [trustStatement], Condition: {} }, 'trust', 'Unknown field Condition');
  });

  it('Action and NotAction: exactly one, non-empty', () => {
    rejects({ Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'identity', 'Policy statement must contain actions.');
    rejects({ Statement: [{ ...allowAll, NotAction: 'iam:*' }] }, 'identity', 'Policy statement must contain actions.');
    rejects({ Statement: [{ ...allowAll, Action: [] }] }, 'identity', 'Policy statement must contain actions.');
    rejects({ Statement: [{ Effect: 'Allow', Principal: '*' }] }, 'trust', 'Policy statement must contain actions.');
    rejects({ Statement: [{ ...allowAll, Action: [1] }] }, 'identity', 'Syntax errors in policy.');
  });

  it('action format service:action', () => {
    rejects(
      { Statement: [{ ...allowAll, Action: 'PutImage' }] },
      'identity',
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    );
    rejects(
      { Statement: [{ ...allowAll, Action: ':PutImage' }] },
      'identity',
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    );
    rejects(
      { Statement: [{ ...allowAll, Action: 'ecr:Put:Image' }] },
      'identity',
      'Actions/Condition can contain only one colon.',
    );
  });

  it('identity and session policies: no principal, resources required', () => {
    for (const kind of ['identity', 'session'] as const) {
      rejects(
        { Statement: [{ ...allowAll, Principal: '*' }] },
        kind,
        'Policy document should not specify a principal.',
      );
      rejects(
        { Statement: [{ ...allowAll, NotPrincipal: { AWS: '123456789012' } }] },
        kind,
        'Policy document should not specify a principal.',
      );
      rejects({ Statement: [{ Effect: 'Allow', Action: '*' }] }, kind, 'Policy statement must contain resources.');
      rejects({ Statement: [{ ...allowAll, Resource: [] }] }, kind, 'Policy statement must contain resources.');
    }
    rejects({ Statement: [{ ...allowAll, NotResource: '*' }] }, 'identity', 'Syntax errors in policy.');
  });

  it('resource format', () => {
    rejects(
      { Statement: [{ ...allowAll, Resource: 'my-bucket' }] },
      'identity',
      'Resource my-bucket must be in ARN format or "*".',
    );
    rejects({ Statement: [{ ...allowAll, Resource: '' }] }, 'identity', 'Resource  must be in ARN format or "*".');
  });

  it('trust policies: Principal required, Resource prohibited', () => {
    rejects(
      { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] },
      'trust',
      'Missing required field Principal',
    );
    rejects({ Statement: [{ ...trustStatement, Resource: '*' }] }, 'trust', 'Has prohibited field Resource');
    rejects({ Statement: [{ ...trustStatement, NotResource: '*' }] }, 'trust', 'Has prohibited field NotResource');
    rejects(
      { Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }] },
      'trust',
      'Has prohibited field NotPrincipal',
    );
  });

  it('resource policies: a principal required', () => {
    rejects({ Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] }, 'resource', 'Missing required field Principal');
  });

  it('Version', () => {
    rejects({ Version: '2012-10-18', Statement: [allowAll] }, 'identity', 'The policy failed legacy parsing');
    rejects({ Version: 2012, Statement: [allowAll] }, 'identity', 'The policy failed legacy parsing');
    rejects({ Statement: [allowAll] }, 'identity', 'Policy document must be version 2012-10-17 or greater.', true);
    rejects(
      { Version: '2008-10-17', Statement: [allowAll] },
      'identity',
      'Policy document must be version 2012-10-17 or greater.',
      true,
    );
    parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [allowAll] }), 'identity');
  });

  it('Sids: unique within a policy; alphanumeric in managed policies', () => {
    rejects(
      {
        Statement: [
          { Sid: 'A', ...allowAll },
          { Sid: 'A', ...allowAll },
        ],
      },
      'identity',
      'Statement IDs (SID) in a single policy must be unique.',
    );
    rejects(
      { Version: '2012-10-17', Statement: [{ Sid: 'with-dash', ...allowAll }] },
      'identity',
      'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
      true,
    );
    parsePolicy(JSON.stringify({ Statement: [{ Sid: 'inline sids may have spaces', ...allowAll }] }), 'identity');
    rejects({ Statement: [{ Sid: 5, ...allowAll }] }, 'identity', 'Syntax errors in policy.');
  });

  it('conditions: operator, block and key shapes', () => {
    rejects(
      { Statement: [{ ...allowAll, Condition: { StringEqual: { 'aws:username': 'a' } } }] },
      'identity',
      'Syntax errors in policy.',
    );
    rejects(
      { Statement: [{ ...allowAll, Condition: { 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'a' } } }] },
      'identity',
      'Syntax errors in policy.',
    );
    rejects(
      { Statement: [{ ...allowAll, Condition: { NullIfExists: { 'aws:TagKeys': 'true' } } }] },
      'identity',
      'Syntax errors in policy.',
    );
    // A condition with its operator forgotten: the key takes the operator's place.
    rejects(
      { Statement: [{ ...allowAll, Condition: { 'servicecatalog:accountLevel': 'self' } }] },
      'identity',
      'Syntax errors in policy.',
    );
    rejects({ Statement: [{ ...allowAll, Condition: [] }] }, 'identity', 'Syntax errors in policy.');
    rejects(
      { Statement: [{ ...allowAll, Condition: { StringEquals: { username: 'a' } } }] },
      'identity',
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    );
    rejects(
      { Statement: [{ ...allowAll, Condition: { StringEquals: { 'aws:username': null } } }] },
      'identity',
      'Syntax errors in policy.',
    );
    rejects(
      { Statement: [{ ...allowAll, Condition: { StringEquals: { 'aws:username': [{}] } } }] },
      'identity',
      'Syntax errors in policy.',
    );
  });

  it('principals: shapes and values', () => {
    const with_ = (principal: unknown): unknown => ({
      Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
    });
    rejects(with_('arn:aws:iam::123456789012:root'), 'trust', 'Syntax errors in policy.');
    rejects(with_({}), 'trust', 'Syntax errors in policy.');
    rejects(with_({ Users: 'x' }), 'trust', 'Syntax errors in policy.');
    rejects(with_({ AWS: [] }), 'trust', 'Syntax errors in policy.');
    rejects(
      with_({ AWS: 'arn:aws:iam::123456789012:role/*' }),
      'trust',
      'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/*"',
    );
    rejects(
      with_({ AWS: 'arn:aws:iam::123456789012:group/admins' }),
      'trust',
      'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:group/admins"',
    );
    rejects(with_({ AWS: '12345' }), 'trust', 'Invalid principal in policy: "AWS":"12345"');
    rejects(
      with_({ Federated: 'arn:aws:iam::123456789012:role/x' }),
      'trust',
      'Invalid principal in policy: "Federated":"arn:aws:iam::123456789012:role/x"',
    );
    rejects(with_({ Service: 'not a service' }), 'trust', 'Invalid principal in policy: "Service":"not a service"');
  });
});
