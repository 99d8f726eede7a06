/**
 * Condition operators, one by one, then IfExists, absent keys, set qualifiers and the
 * AND/OR structure of a Condition element. Every probe goes through parse + evaluate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePolicies } from '../../src/policy/index.js';
import { conditioned, passes, request } from './helpers.js';

describe('string operators', () => {
  it('StringEquals is exact and case-sensitive; any policy value may match', () => {
    assert.equal(passes('StringEquals', 'aws:username', 'alice', { 'aws:username': 'alice' }), true);
    assert.equal(passes('StringEquals', 'aws:username', 'alice', { 'aws:username': 'Alice' }), false);
    assert.equal(passes('StringEquals', 'aws:username', ['bob', 'alice'], { 'aws:username': 'alice' }), true);
    assert.equal(passes('StringEquals', 'aws:username', 'al*', { 'aws:username': 'alice' }), false);
  });

  it('StringNotEquals wants none of the values', () => {
    assert.equal(passes('StringNotEquals', 'aws:username', ['bob', 'carol'], { 'aws:username': 'alice' }), true);
    assert.equal(passes('StringNotEquals', 'aws:username', ['bob', 'alice'], { 'aws:username': 'alice' }), false);
  });

  it('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase', () => {
    assert.equal(passes('StringEqualsIgnoreCase', 'aws:username', 'ALICE', { 'aws:username': 'alice' }), true);
    assert.equal(passes('StringEqualsIgnoreCase', 'aws:username', 'bob', { 'aws:username': 'alice' }), false);
    assert.equal(passes('StringNotEqualsIgnoreCase', 'aws:username', 'ALICE', { 'aws:username': 'alice' }), false);
    assert.equal(passes('StringNotEqualsIgnoreCase', 'aws:username', 'bob', { 'aws:username': 'alice' }), true);
  });

  it('StringLike: * and ?, case-sensitive, whole value', () => {
    const sub = 'token.actions.githubusercontent.com:sub';
    assert.equal(passes('StringLike', sub, 'repo:me/app:*', { [sub]: 'repo:me/app:ref:refs/heads/main' }), true);
    assert.equal(
      passes('StringLike', sub, 'repo:me/app:ref:refs/heads/mai?', { [sub]: 'repo:me/app:ref:refs/heads/main' }),
      true,
    );
    assert.equal(
      passes('StringLike', sub, 'repo:me/app:ref:refs/heads/ma?', { [sub]: 'repo:me/app:ref:refs/heads/main' }),
      false,
    );
    assert.equal(passes('StringLike', sub, 'repo:me/*', { [sub]: 'repo:ME/app' }), false);
    assert.equal(passes('StringLike', sub, 'me/app', { [sub]: 'repo:me/app' }), false);
    // Regex metacharacters in the pattern are literal.
    assert.equal(passes('StringLike', sub, 'a.c(d)+[e]', { [sub]: 'a.c(d)+[e]' }), true);
    assert.equal(passes('StringLike', sub, 'a.c', { [sub]: 'abc' }), false);
  });

  it('StringLike is multi-line safe', () => {
    assert.equal(passes('StringLike', 'aws:UserAgent', 'first*last', { 'aws:UserAgent': 'first\nmiddle\nlast' }), true);
    assert.equal(passes('StringLike', 'aws:UserAgent', 'first', { 'aws:UserAgent': 'first\n' }), false);
    assert.equal(passes('StringLike', 'aws:UserAgent', 'a?b', { 'aws:UserAgent': 'a\nb' }), true);
  });

  it('StringNotLike', () => {
    assert.equal(passes('StringNotLike', 'aws:username', ['adm*', 'root'], { 'aws:username': 'alice' }), true);
    assert.equal(passes('StringNotLike', 'aws:username', ['adm*', 'root'], { 'aws:username': 'admin' }), false);
  });
});

describe('numeric operators', () => {
  const key = 's3:max-keys';
  it('compare the request value with the policy value', () => {
    assert.equal(passes('NumericEquals', key, '10', { [key]: '10.0' }), true);
    assert.equal(passes('NumericEquals', key, 10, { [key]: '11' }), false);
    assert.equal(passes('NumericNotEquals', key, ['10', '20'], { [key]: '15' }), true);
    assert.equal(passes('NumericNotEquals', key, ['10', '20'], { [key]: '20' }), false);
    assert.equal(passes('NumericLessThan', key, '10', { [key]: '9' }), true);
    assert.equal(passes('NumericLessThan', key, '10', { [key]: '10' }), false);
    assert.equal(passes('NumericLessThanEquals', key, '10', { [key]: '10' }), true);
    assert.equal(passes('NumericLessThanEquals', key, '10', { [key]: '11' }), false);
    assert.equal(passes('NumericGreaterThan', key, '10', { [key]: '11' }), true);
    assert.equal(passes('NumericGreaterThan', key, '10', { [key]: '10' }), false);
    assert.equal(passes('NumericGreaterThanEquals', key, '10', { [key]: '10' }), true);
    assert.equal(passes('NumericGreaterThanEquals', key, '-1.5', { [key]: '-2' }), false);
  });

  it('values that are not numbers never match', () => {
    assert.equal(passes('NumericEquals', key, '10', { [key]: 'ten' }), false);
    assert.equal(passes('NumericEquals', key, '0x10', { [key]: '16' }), false);
    assert.equal(passes('NumericLessThan', key, '', { [key]: '1' }), false);
  });
});

describe('date operators', () => {
  const now = 'aws:CurrentTime';
  it('ISO 8601 on both sides', () => {
    assert.equal(passes('DateLessThan', now, '2030-01-01T00:00:00Z', { [now]: '2025-06-01T12:00:00Z' }), true);
    assert.equal(passes('DateLessThan', now, '2020-01-01T00:00:00Z', { [now]: '2025-06-01T12:00:00Z' }), false);
    assert.equal(passes('DateGreaterThan', now, '2020-01-01T00:00:00Z', { [now]: '2025-06-01T12:00:00Z' }), true);
    assert.equal(passes('DateEquals', now, '2025-06-01T12:00:00Z', { [now]: '2025-06-01T14:00:00+02:00' }), true);
    assert.equal(passes('DateNotEquals', now, '2025-06-01T12:00:00Z', { [now]: '2025-06-01T12:00:01Z' }), true);
    assert.equal(passes('DateNotEquals', now, '2025-06-01T12:00:00Z', { [now]: '2025-06-01T12:00:00Z' }), false);
    assert.equal(passes('DateLessThanEquals', now, '2025-06-01T12:00:00Z', { [now]: '2025-06-01T12:00:00Z' }), true);
    assert.equal(
      passes('DateGreaterThanEquals', now, '2025-06-01T12:00:00Z', { [now]: '2025-06-01T11:59:59Z' }),
      false,
    );
  });

  it('epoch seconds on either side', () => {
    // 2025-06-01T12:00:00Z is 1748779200.
    assert.equal(
      passes('DateEquals', 'aws:EpochTime', '2025-06-01T12:00:00Z', { 'aws:EpochTime': '1748779200' }),
      true,
    );
    assert.equal(passes('DateLessThan', now, '1748779201', { [now]: '2025-06-01T12:00:00Z' }), true);
    assert.equal(passes('DateGreaterThan', now, 1748779200, { [now]: '2025-06-01T12:00:00Z' }), false);
  });

  it('unparseable dates never match', () => {
    assert.equal(passes('DateEquals', now, 'yesterday', { [now]: '2025-06-01T12:00:00Z' }), false);
    assert.equal(passes('DateLessThan', now, '2030-01-01T00:00:00Z', { [now]: 'soon' }), false);
  });
});

describe('Bool, BinaryEquals, Null', () => {
  it('Bool compares true/false, either case, JSON booleans accepted', () => {
    assert.equal(passes('Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': 'true' }), true);
    assert.equal(passes('Bool', 'aws:SecureTransport', true, { 'aws:SecureTransport': 'TRUE' }), true);
    assert.equal(passes('Bool', 'aws:SecureTransport', false, { 'aws:SecureTransport': 'true' }), false);
  });

  it('BinaryEquals compares bytes of base64 values', () => {
    const bytes = Buffer.from([0, 1, 2, 250]).toString('base64');
    assert.equal(passes('BinaryEquals', 'svc:blob', bytes, { 'svc:blob': bytes }), true);
    assert.equal(
      passes('BinaryEquals', 'svc:blob', bytes, { 'svc:blob': Buffer.from([0, 1, 2]).toString('base64') }),
      false,
    );
    assert.equal(passes('BinaryEquals', 'svc:blob', 'QQ==', { 'svc:blob': 'not base64!' }), false);
  });

  it('Null "true" wants the key absent, "false" present', () => {
    assert.equal(passes('Null', 'aws:TokenIssueTime', 'true', {}), true);
    assert.equal(passes('Null', 'aws:TokenIssueTime', 'true', { 'aws:TokenIssueTime': '2025-01-01T00:00:00Z' }), false);
    assert.equal(passes('Null', 'aws:TokenIssueTime', false, { 'aws:TokenIssueTime': '2025-01-01T00:00:00Z' }), true);
    assert.equal(passes('Null', 'aws:TokenIssueTime', 'false', {}), false);
    assert.equal(passes('Null', 'aws:TagKeys', 'true', { 'aws:TagKeys': [] }), true, 'an empty list is absent');
  });
});

describe('IP address operators', () => {
  const ip = 'aws:SourceIp';
  it('IPv4 CIDR and plain addresses (/32)', () => {
    assert.equal(passes('IpAddress', ip, '203.0.113.0/24', { [ip]: '203.0.113.77' }), true);
    assert.equal(passes('IpAddress', ip, '203.0.113.0/24', { [ip]: '203.0.114.1' }), false);
    assert.equal(passes('IpAddress', ip, '203.0.113.5', { [ip]: '203.0.113.5' }), true);
    assert.equal(passes('IpAddress', ip, '203.0.113.5', { [ip]: '203.0.113.6' }), false);
    assert.equal(passes('IpAddress', ip, '0.0.0.0/0', { [ip]: '8.8.8.8' }), true);
    assert.equal(passes('IpAddress', ip, '10.0.0.0/8', { [ip]: '10.255.255.255' }), true);
    assert.equal(passes('IpAddress', ip, ['192.168.0.0/16', '10.0.0.0/8'], { [ip]: '10.1.2.3' }), true);
  });

  it('IPv6 CIDR and plain addresses (/128)', () => {
    assert.equal(passes('IpAddress', ip, '2001:db8::/32', { [ip]: '2001:db8:1234::1' }), true);
    assert.equal(passes('IpAddress', ip, '2001:db8::/32', { [ip]: '2001:db9::1' }), false);
    assert.equal(passes('IpAddress', ip, '2001:DB8:0:0:0:0:0:1', { [ip]: '2001:db8::1' }), true);
    assert.equal(passes('IpAddress', ip, '::1', { [ip]: '::1' }), true);
    assert.equal(passes('IpAddress', ip, '::/0', { [ip]: 'fe80::1' }), true);
    assert.equal(passes('IpAddress', ip, '2001:db8::/32', { [ip]: '203.0.113.1' }), false, 'families never mix');
  });

  it('IPv4-mapped IPv6 request addresses compare as IPv4', () => {
    assert.equal(passes('IpAddress', ip, '127.0.0.0/8', { [ip]: '::ffff:127.0.0.1' }), true);
    assert.equal(passes('IpAddress', ip, '127.0.0.0/8', { [ip]: '::ffff:10.0.0.1' }), false);
  });

  it('malformed addresses never match', () => {
    assert.equal(passes('IpAddress', ip, '203.0.113.0/33', { [ip]: '203.0.113.1' }), false);
    assert.equal(passes('IpAddress', ip, '203.0.113.0/24', { [ip]: '203.0.113.256' }), false);
    assert.equal(passes('IpAddress', ip, '1:2:3:4:5:6:7:8:9/64', { [ip]: '1:2:3:4::' }), false);
    assert.equal(passes('IpAddress', ip, '10.0.0.0/8', { [ip]: 'localhost' }), false);
  });

  it('NotIpAddress', () => {
    assert.equal(passes('NotIpAddress', ip, ['10.0.0.0/8', '192.168.0.0/16'], { [ip]: '8.8.8.8' }), true);
    assert.equal(passes('NotIpAddress', ip, ['10.0.0.0/8', '192.168.0.0/16'], { [ip]: '10.0.0.1' }), false);
  });
});

describe('ARN operators', () => {
  const key = 'aws:SourceArn';
  const arn = 'arn:aws:ecs:us-east-1:123456789012:service/cluster/web';
  it('ArnEquals and ArnLike: per-part wildcards, case-sensitive', () => {
    for (const operator of ['ArnEquals', 'ArnLike']) {
      assert.equal(passes(operator, key, arn, { [key]: arn }), true);
      assert.equal(passes(operator, key, 'arn:aws:ecs:*:123456789012:service/*', { [key]: arn }), true);
      assert.equal(passes(operator, key, 'arn:aws:ecs:us-east-?:*:*', { [key]: arn }), true);
      assert.equal(
        passes(operator, key, 'arn:aws:ECS:us-east-1:123456789012:service/cluster/web', { [key]: arn }),
        false,
      );
      assert.equal(passes(operator, key, 'arn:aws:ecs:us-west-2:123456789012:*', { [key]: arn }), false);
    }
  });

  it('a wildcard does not cross the colons between parts, except in the resource part', () => {
    assert.equal(passes('ArnLike', key, 'arn:aws:*:123456789012:service/cluster/web', { [key]: arn }), false);
    const logs = 'arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x';
    assert.equal(passes('ArnLike', key, 'arn:aws:logs:us-east-1:123456789012:log-group:app:*', { [key]: logs }), true);
  });

  it('a policy value with fewer than six parts has the rest read as *', () => {
    assert.equal(passes('ArnLike', key, '*', { [key]: arn }), true);
    assert.equal(passes('ArnLike', key, 'arn:aws:ecs', { [key]: arn }), true);
    assert.equal(passes('ArnLike', key, 'arn:aws:s3', { [key]: arn }), false);
  });

  it('a request value that is not an ARN never matches', () => {
    assert.equal(passes('ArnLike', key, '*', { [key]: 'not-an-arn' }), false);
    assert.equal(passes('ArnNotLike', key, 'arn:aws:ecs:*:*:*', { [key]: 'not-an-arn' }), true);
  });

  it('ArnNotEquals and ArnNotLike', () => {
    assert.equal(passes('ArnNotEquals', key, 'arn:aws:ecs:*:999999999999:*', { [key]: arn }), true);
    assert.equal(passes('ArnNotLike', key, 'arn:aws:ecs:*:123456789012:*', { [key]: arn }), false);
  });
});

describe('absent keys', () => {
  it('positive operators fail, negated operators match (AWS: "the condition is true")', () => {
    assert.equal(passes('StringEquals', 'aws:PrincipalTag/team', 'x', {}), false);
    assert.equal(passes('StringLike', 'aws:PrincipalTag/team', '*', {}), false);
    assert.equal(passes('NumericLessThan', 's3:max-keys', '10', {}), false);
    assert.equal(passes('IpAddress', 'aws:SourceIp', '0.0.0.0/0', {}), false);
    assert.equal(passes('StringNotEquals', 'aws:PrincipalTag/team', 'x', {}), true);
    assert.equal(passes('StringNotLike', 'aws:PrincipalTag/team', 'x*', {}), true);
    assert.equal(passes('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', {}), true);
    assert.equal(passes('ArnNotLike', 'aws:SourceArn', 'arn:*:*:*:*:*', {}), true);
    assert.equal(passes('NumericNotEquals', 's3:max-keys', '1', {}), true);
    assert.equal(passes('DateNotEquals', 'aws:CurrentTime', '2025-01-01T00:00:00Z', {}), true);
  });

  it('IfExists: an absent key matches, a present one is tested', () => {
    assert.equal(passes('StringEqualsIfExists', 'aws:PrincipalTag/team', 'x', {}), true);
    assert.equal(passes('StringEqualsIfExists', 'aws:PrincipalTag/team', 'x', { 'aws:PrincipalTag/team': 'x' }), true);
    assert.equal(passes('StringEqualsIfExists', 'aws:PrincipalTag/team', 'x', { 'aws:PrincipalTag/team': 'y' }), false);
    assert.equal(
      passes('StringNotEqualsIfExists', 'aws:PrincipalTag/team', 'x', { 'aws:PrincipalTag/team': 'x' }),
      false,
    );
    assert.equal(passes('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false', {}), true);
    assert.equal(passes('IpAddressIfExists', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '11.0.0.1' }), false);
  });

  it('condition key names are case-insensitive, values are not', () => {
    assert.equal(passes('StringEquals', 'AWS:PrincipalTag/Team', 'x', { 'aws:principaltag/team': 'x' }), true);
    assert.equal(passes('StringEquals', 'aws:principaltag/team', 'x', { 'AWS:PrincipalTag/TEAM': 'X' }), false);
  });
});

describe('set qualifiers', () => {
  const tags = 'aws:TagKeys';
  it('ForAnyValue: some request value matches some policy value', () => {
    assert.equal(passes('ForAnyValue:StringEquals', tags, ['team', 'env'], { [tags]: ['owner', 'env'] }), true);
    assert.equal(passes('ForAnyValue:StringEquals', tags, ['team', 'env'], { [tags]: ['owner', 'cost'] }), false);
    assert.equal(passes('ForAnyValue:StringLike', tags, 'cost-*', { [tags]: ['owner', 'cost-center'] }), true);
  });

  it('ForAnyValue: absent or empty key fails', () => {
    assert.equal(passes('ForAnyValue:StringEquals', tags, 'team', {}), false);
    assert.equal(passes('ForAnyValue:StringEquals', tags, 'team', { [tags]: [] }), false);
    assert.equal(passes('ForAnyValue:StringEqualsIfExists', tags, 'team', {}), true);
  });

  it('ForAllValues: every request value matches some policy value', () => {
    assert.equal(passes('ForAllValues:StringEquals', tags, ['team', 'env'], { [tags]: ['env'] }), true);
    assert.equal(passes('ForAllValues:StringEquals', tags, ['team', 'env'], { [tags]: ['team', 'env'] }), true);
    assert.equal(passes('ForAllValues:StringEquals', tags, ['team', 'env'], { [tags]: ['team', 'secret'] }), false);
    assert.equal(passes('ForAllValues:StringLike', tags, ['t*', 'e*'], { [tags]: ['team', 'env'] }), true);
  });

  it('ForAllValues: absent or empty key matches', () => {
    assert.equal(passes('ForAllValues:StringEquals', tags, 'team', {}), true);
    assert.equal(passes('ForAllValues:StringEquals', tags, 'team', { [tags]: [] }), true);
  });

  it('qualified negated operators test each request value against all policy values', () => {
    // ForAllValues:StringNotEquals: no request value is one of the policy values.
    assert.equal(passes('ForAllValues:StringNotEquals', tags, ['secret', 'admin'], { [tags]: ['team', 'env'] }), true);
    assert.equal(
      passes('ForAllValues:StringNotEquals', tags, ['secret', 'admin'], { [tags]: ['team', 'admin'] }),
      false,
    );
    // ForAnyValue:StringNotEquals: at least one request value is not among the policy values.
    assert.equal(passes('ForAnyValue:StringNotEquals', tags, ['team'], { [tags]: ['team', 'env'] }), true);
    assert.equal(passes('ForAnyValue:StringNotEquals', tags, ['team', 'env'], { [tags]: ['team', 'env'] }), false);
    assert.equal(passes('ForAnyValue:StringNotEquals', tags, ['team'], {}), false);
  });

  it('a bare operator on a multi-valued key: any value for positive, none for negated', () => {
    assert.equal(passes('StringEquals', tags, 'env', { [tags]: ['team', 'env'] }), true);
    assert.equal(passes('StringEquals', tags, 'cost', { [tags]: ['team', 'env'] }), false);
    assert.equal(passes('StringNotEquals', tags, 'env', { [tags]: ['team', 'env'] }), false);
    assert.equal(passes('StringNotEquals', tags, 'cost', { [tags]: ['team', 'env'] }), true);
  });
});

describe('Condition element structure', () => {
  it('ANDs operators and keys, ORs the values of one key', () => {
    const document = conditioned({
      StringEquals: { 'aws:PrincipalTag/team': ['red', 'blue'], 'aws:RequestedRegion': 'us-east-1' },
      Bool: { 'aws:SecureTransport': 'true' },
    });
    const decide = (context: Record<string, string>): string =>
      evaluatePolicies([document], request({ context })).decision;
    const full = { 'aws:PrincipalTag/team': 'blue', 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'true' };
    assert.equal(decide(full), 'Allow');
    assert.equal(decide({ ...full, 'aws:PrincipalTag/team': 'green' }), 'ImplicitDeny');
    assert.equal(decide({ ...full, 'aws:RequestedRegion': 'eu-west-1' }), 'ImplicitDeny');
    assert.equal(decide({ ...full, 'aws:SecureTransport': 'false' }), 'ImplicitDeny');
  });
});
