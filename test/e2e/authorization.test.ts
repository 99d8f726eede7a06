/**
 * Acceptance: calls made with role credentials are authorized against the role's identity
 * policies with AWS's action names and resource ARNs; denials carry AWS's code and message.
 * Unsigned, badly signed, unknown-key, skewed and expired-session requests are refused with
 * AWS's codes in each protocol's shape.
 */
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { ECSClient, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { awsCli } from '../support/aws-cli.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { jsonTarget, QUERY_TYPE, send, signRequest, type Credentials } from '../support/sign.js';
import { prepareSeedRole } from '../support/sts-fixture.js';

describe('authorization of role sessions', () => {
  let cloud: TestCloud;
  let clock: ManualClock;
  let session: Credentials & { sessionToken: string };
  let sessionArn: string;

  before(async () => {
    clock = new ManualClock(Date.now());
    cloud = await startTestCloud({ clock });
    const roleArn = await prepareSeedRole(cloud, 'DescribeOnly');
    await new IAMClient(sdkConfig(cloud)).send(
      new PutRolePolicyCommand({
        RoleName: 'DescribeOnly',
        PolicyName: 'describe-clusters',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeClusters', Resource: '*' }],
        }),
      }),
    );
    const token = await cloud.cloud.state.issuer.issue({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    const assumed = await new STSClient(sdkConfig(cloud)).send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'ci', WebIdentityToken: token }),
    );
    const c = assumed.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    sessionArn = assumed.AssumedRoleUser?.Arn as string;
  });
  after(async () => cloud.stop());

  it('refuses ecr:CreateRepository to a role allowed only ecs:DescribeClusters, with AWS message', async () => {
    const ecr = new ECRClient(sdkConfig(cloud, session));
    await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'my-app' })), (error: Error) => {
      assert.equal(error.name, 'AccessDeniedException');
      assert.equal(
        error.message,
        `User: ${sessionArn} is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:${cloud.region}:${cloud.accountId}:repository/my-app because no identity-based policy allows the ecr:CreateRepository action`,
      );
      return true;
    });
  });

  it('lets the same role call ecs:DescribeClusters', async () => {
    const ecs = new ECSClient(sdkConfig(cloud, session));
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ['my-app-cluster'] }));
    assert.deepEqual(
      described.failures?.map((f) => f.reason),
      ['MISSING'],
    );
  });

  it('refuses IAM calls to the role with AccessDenied in the Query shape (AWS CLI)', async () => {
    const result = await awsCli(cloud, ['iam', 'list-roles'], session);
    assert.notEqual(result.status, 0);
    assert.match(
      result.stderr,
      /An error occurred \(AccessDenied\) when calling the ListRoles operation( \(reached max retries: 0\))?: User: arn:aws:sts::\d{12}:assumed-role\/DescribeOnly\/ci is not authorized to perform: iam:ListRoles/,
    );
  });

  it('refuses an expired session with ExpiredToken / ExpiredTokenException', async () => {
    clock.advance(3601_000);
    try {
      const query = await send(
        cloud,
        await signRequest(
          cloud,
          'sts',
          'Action=GetCallerIdentity&Version=2011-06-15',
          QUERY_TYPE,
          session,
          clock.now(),
        ),
      );
      assert.equal(query.status, 403);
      assert.match(query.body, /<Code>ExpiredToken<\/Code>/);
      const json = await send(
        cloud,
        await signRequest(
          cloud,
          'ecs',
          '{}',
          jsonTarget('AmazonEC2ContainerServiceV20141113.ListClusters'),
          session,
          clock.now(),
        ),
      );
      assert.equal((JSON.parse(json.body) as { __type: string }).__type, 'ExpiredTokenException');
    } finally {
      clock.advance(-3601_000);
    }
  });
});

describe('authentication failures', () => {
  let cloud: TestCloud;
  before(async () => (cloud = await startTestCloud()));
  after(async () => cloud.stop());

  const stsBody = 'Action=GetCallerIdentity&Version=2011-06-15';
  const ecsListClusters = jsonTarget('AmazonEC2ContainerServiceV20141113.ListClusters');

  it('refuses unsigned requests: MissingAuthenticationToken', async () => {
    const query = await send(cloud, { headers: QUERY_TYPE, body: stsBody });
    assert.equal(query.status, 403);
    assert.match(query.body, /<Code>MissingAuthenticationToken<\/Code>/);
    const json = await send(cloud, { headers: ecsListClusters, body: '{}' });
    assert.equal(json.status, 403);
    assert.equal((JSON.parse(json.body) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    assert.match(json.headers.get('x-amzn-errortype') ?? '', /^MissingAuthenticationTokenException/);
  });

  it('refuses garbled Authorization headers: IncompleteSignature', async () => {
    const query = await send(cloud, {
      headers: { ...QUERY_TYPE, authorization: 'AWS4-HMAC-SHA256 Credential=garbage' },
      body: stsBody,
    });
    assert.match(query.body, /<Code>IncompleteSignature<\/Code>/);
  });

  it('refuses unknown keys: InvalidClientTokenId (Query) and UnrecognizedClientException (JSON)', async () => {
    const stranger = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) };
    const query = await send(cloud, await signRequest(cloud, 'sts', stsBody, QUERY_TYPE, stranger));
    assert.equal(query.status, 403);
    assert.match(
      query.body,
      /<Code>InvalidClientTokenId<\/Code><Message>The security token included in the request is invalid.<\/Message>/,
    );
    const json = await send(cloud, await signRequest(cloud, 'ecs', '{}', ecsListClusters, stranger));
    assert.equal((JSON.parse(json.body) as { __type: string }).__type, 'UnrecognizedClientException');
  });

  it('refuses a wrong signature: SignatureDoesNotMatch', async () => {
    const wrongSecret = { accessKeyId: cloud.admin.accessKeyId, secretAccessKey: 'y'.repeat(40) };
    const query = await send(cloud, await signRequest(cloud, 'sts', stsBody, QUERY_TYPE, wrongSecret));
    assert.equal(query.status, 403);
    assert.match(query.body, /<Code>SignatureDoesNotMatch<\/Code>/);
    const tampered = await signRequest(cloud, 'iam', 'Action=ListRoles&Version=2010-05-08', QUERY_TYPE, cloud.admin);
    const result = await send(cloud, { ...tampered, body: 'Action=ListRoles&Version=2010-05-08&MaxItems=1' });
    assert.match(result.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('refuses a request time more than 15 minutes off', async () => {
    const past = new Date(Date.now() - 16 * 60_000);
    const query = await send(cloud, await signRequest(cloud, 'sts', stsBody, QUERY_TYPE, cloud.admin, past));
    assert.match(query.body, /<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: /);
    const future = new Date(Date.now() + 16 * 60_000);
    const json = await send(cloud, await signRequest(cloud, 'ecs', '{}', ecsListClusters, cloud.admin, future));
    assert.equal((JSON.parse(json.body) as { __type: string }).__type, 'InvalidSignatureException');
    const fine = await send(
      cloud,
      await signRequest(cloud, 'sts', stsBody, QUERY_TYPE, cloud.admin, new Date(Date.now() - 14 * 60_000)),
    );
    assert.equal(fine.status, 200, fine.body);
  });

  it('answers unknown operations with each protocol’s error', async () => {
    const query = await send(
      cloud,
      await signRequest(cloud, 'iam', 'Action=CreateUserX&Version=2010-05-08', QUERY_TYPE, cloud.admin),
    );
    assert.equal(query.status, 400);
    assert.match(query.body, /<Code>InvalidAction<\/Code>/);
    const json = await send(
      cloud,
      await signRequest(cloud, 'ecs', '{}', jsonTarget('AmazonEC2ContainerServiceV20141113.Nope'), cloud.admin),
    );
    assert.equal((JSON.parse(json.body) as { __type: string }).__type, 'UnknownOperationException');
  });

  it('puts a request id on every response', async () => {
    const query = await send(cloud, await signRequest(cloud, 'sts', stsBody, QUERY_TYPE, cloud.admin));
    assert.match(query.body, /<RequestId>[0-9a-f-]{36}<\/RequestId>/);
    assert.match(query.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    const json = await send(cloud, { headers: ecsListClusters, body: '{}' });
    assert.match(json.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  });
});
