/**
 * Acceptance: Secrets Manager and Parameter Store calls made with role credentials are
 * authorized by IAM with AWS's actions and ARNs, and refused with AWS's code and message; a
 * secret's resource policy lets in a role its identity policies do not, and an explicit deny
 * in it keeps out a role they do. Driven with the SDK v3 and the AWS CLI v2.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCli } from '../support/aws-cli.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';

const ROLE = 'app-reader';

describe('IAM on Secrets Manager and Parameter Store', () => {
  let cloud: TestCloud;
  let session: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  let sessionArn: string;
  let allowedArn: string;
  let otherArn: string;

  before(async () => {
    cloud = await startTestCloud();
    const admin = sdkConfig(cloud);
    const sm = new SecretsManagerClient(admin);
    allowedArn = String(
      (await sm.send(new CreateSecretCommand({ Name: 'app/allowed', SecretString: 'allowed-value' }))).ARN,
    );
    otherArn = String((await sm.send(new CreateSecretCommand({ Name: 'app/other', SecretString: 'other-value' }))).ARN);
    const ssm = new SSMClient(admin);
    await ssm.send(
      new PutParameterCommand({ Name: '/app/config/url', Value: 'https://example.internal', Type: 'String' }),
    );
    await ssm.send(new PutParameterCommand({ Name: '/ops/token', Value: 'ops-only', Type: 'SecureString' }));

    const iam = new IAMClient(admin);
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${cloud.accountId}:root` }, Action: 'sts:AssumeRole' },
      ],
    };
    await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        // The usual grant for one secret: its ARN with a wildcard for the random suffix.
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: `arn:aws:secretsmanager:${cloud.region}:${cloud.accountId}:secret:app/allowed-??????`,
        },
        {
          Effect: 'Allow',
          Action: ['ssm:GetParameter', 'ssm:GetParameters'],
          Resource: `arn:aws:ssm:${cloud.region}:${cloud.accountId}:parameter/app/*`,
        },
      ],
    };
    await iam.send(
      new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'read-app', PolicyDocument: JSON.stringify(policy) }),
    );
    const assumed = await new STSClient(admin).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${cloud.accountId}:role/${ROLE}`, RoleSessionName: 'task' }),
    );
    const c = assumed.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    sessionArn = String(assumed.AssumedRoleUser?.Arn);
  });
  after(async () => cloud.stop());

  const denied = (promise: Promise<unknown>, message: string) =>
    assert.rejects(promise, (error: Error) => {
      assert.equal(error.name, 'AccessDeniedException');
      assert.equal(error.message, message);
      return true;
    });
  const noIdentityPolicy = (action: string, resource?: string) =>
    `User: ${sessionArn} is not authorized to perform: ${action}${resource ? ` on resource: ${resource}` : ''} because no identity-based policy allows the ${action} action`;

  it("lets the role read the secret it is granted and refuses the rest with AWS's messages", async () => {
    const sm = new SecretsManagerClient(sdkConfig(cloud, session));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'app/allowed' }))).SecretString, 'allowed-value');
    await denied(
      sm.send(new GetSecretValueCommand({ SecretId: 'app/other' })),
      noIdentityPolicy('secretsmanager:GetSecretValue', otherArn),
    );
    await denied(
      sm.send(new DescribeSecretCommand({ SecretId: 'app/allowed' })),
      noIdentityPolicy('secretsmanager:DescribeSecret', allowedArn),
    );
    // A secret that does not exist is named as the request named it: a denial reveals nothing.
    await denied(
      sm.send(new GetSecretValueCommand({ SecretId: 'app/missing' })),
      noIdentityPolicy('secretsmanager:GetSecretValue', 'app/missing'),
    );
    await denied(sm.send(new ListSecretsCommand({})), noIdentityPolicy('secretsmanager:ListSecrets'));
    const cli = await awsCli(cloud, ['secretsmanager', 'get-secret-value', '--secret-id', 'app/other'], session);
    assert.notEqual(cli.status, 0);
    assert.match(
      cli.stderr,
      /An error occurred \(AccessDeniedException\) when calling the GetSecretValue operation( \(reached max retries: 0\))?: User: arn:aws:sts::\d{12}:assumed-role\/app-reader\/task is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:/,
    );
  });

  it("lets a secret's resource policy grant the role what its identity policies do not, and deny what they do", async () => {
    const admin = new SecretsManagerClient(sdkConfig(cloud));
    const sm = new SecretsManagerClient(sdkConfig(cloud, session));
    const roleArn = `arn:aws:iam::${cloud.accountId}:role/${ROLE}`;
    const statement = (effect: 'Allow' | 'Deny') =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: effect, Principal: { AWS: roleArn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        ],
      });
    await admin.send(new PutResourcePolicyCommand({ SecretId: 'app/other', ResourcePolicy: statement('Allow') }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'app/other' }))).SecretString, 'other-value');
    await admin.send(new PutResourcePolicyCommand({ SecretId: 'app/allowed', ResourcePolicy: statement('Deny') }));
    await denied(
      sm.send(new GetSecretValueCommand({ SecretId: 'app/allowed' })),
      `User: ${sessionArn} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${allowedArn} with an explicit deny in a resource-based policy`,
    );
    const cli = await awsCli(
      cloud,
      ['secretsmanager', 'get-secret-value', '--secret-id', 'app/other', '--query', 'SecretString', '--output', 'text'],
      session,
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout.trim(), 'other-value');
  });

  it('lets the role read parameters under its path and refuses the rest, the path read and writes', async () => {
    const ssm = new SSMClient(sdkConfig(cloud, session));
    assert.equal(
      (await ssm.send(new GetParameterCommand({ Name: '/app/config/url' }))).Parameter?.Value,
      'https://example.internal',
    );
    const arn = (name: string) => `arn:aws:ssm:${cloud.region}:${cloud.accountId}:parameter/${name}`;
    await denied(
      ssm.send(new GetParameterCommand({ Name: '/ops/token', WithDecryption: true })),
      noIdentityPolicy('ssm:GetParameter', arn('ops/token')),
    );
    // GetParameters needs the action on every name: one outside the grant refuses the call.
    await denied(
      ssm.send(new GetParametersCommand({ Names: ['/app/config/url', '/ops/token'] })),
      noIdentityPolicy('ssm:GetParameters', arn('ops/token')),
    );
    await denied(
      ssm.send(new GetParametersByPathCommand({ Path: '/app' })),
      noIdentityPolicy('ssm:GetParametersByPath', arn('app')),
    );
    await denied(
      ssm.send(new PutParameterCommand({ Name: '/app/config/url', Value: 'x', Overwrite: true })),
      noIdentityPolicy('ssm:PutParameter', arn('app/config/url')),
    );
    const cli = await awsCli(cloud, ['ssm', 'get-parameter', '--name', '/ops/token'], session);
    assert.notEqual(cli.status, 0);
    assert.match(
      cli.stderr,
      /\(AccessDeniedException\).*is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:[a-z0-9-]+:\d{12}:parameter\/ops\/token because no identity-based policy allows the ssm:GetParameter action/,
    );
  });
});
