/**
 * IAM users and their access keys through real clients (the AWS CLI v2 and the SDK v3): the
 * user and key operations and their errors; a least-privilege user's key signs what its
 * policies allow and is refused the rest with AWS's message; GetCallerIdentity names the user;
 * an inactive or deleted key is refused as an unknown one, in each protocol's words; AssumeRole
 * from a user; an ECR login and a push (skopeo) as the user; last use recorded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCli } from '../support/aws-cli.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { writeRandomLayout } from '../support/oci-layout.js';
import { run } from '../support/run.js';

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** The AWS CLI's line for a service error (it names the retries it made). */
const cliError = (code: string, operation: string, message: string): RegExp =>
  new RegExp(
    `An error occurred \\(${code}\\) when calling the ${operation} operation(?: \\(reached max retries: \\d+\\))?: ${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`,
  );

const allow = (statements: { Action: string | string[]; Resource: string }[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) });

describe('IAM users and access keys, through the AWS CLI and the SDK', () => {
  let cloud: TestCloud;
  let iam: IAMClient;

  before(async () => {
    cloud = await startTestCloud();
    iam = new IAMClient(sdkConfig(cloud));
  });
  after(async () => cloud?.stop());

  const cli = (args: string[], keys?: Keys) => awsCli(cloud, args, keys ?? cloud.admin);
  const cliOk = async <T>(args: string[], keys?: Keys): Promise<T> => {
    const result = await cli(args, keys);
    assert.equal(result.status, 0, `aws ${args.join(' ')}: ${result.stderr}`);
    return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
  };
  const newKey = async (userName: string): Promise<Keys> => {
    const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return {
      accessKeyId: created.AccessKey?.AccessKeyId ?? '',
      secretAccessKey: created.AccessKey?.SecretAccessKey ?? '',
    };
  };

  it('the AWS CLI manages users and keys and prints AWS’s errors', async () => {
    const user = await cliOk<{ User: { UserName: string; UserId: string; Arn: string; Path: string } }>([
      'iam',
      'create-user',
      '--user-name',
      'cli-user',
      '--path',
      '/ci/',
    ]);
    assert.match(user.User.UserId, /^AIDA/);
    assert.equal(user.User.Arn, `arn:aws:iam::${cloud.accountId}:user/ci/cli-user`);
    const again = await cli(['iam', 'create-user', '--user-name', 'CLI-USER']);
    assert.equal(again.status, 254);
    assert.match(
      again.stderr,
      cliError('EntityAlreadyExists', 'CreateUser', 'User with name CLI-USER already exists.'),
    );
    const listed = await cliOk<{ Users: { UserName: string }[] }>(['iam', 'list-users', '--path-prefix', '/ci/']);
    assert.deepEqual(
      listed.Users.map((u) => u.UserName),
      ['cli-user'],
    );

    const first = await cliOk<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string } }>([
      'iam',
      'create-access-key',
      '--user-name',
      'cli-user',
    ]);
    assert.match(first.AccessKey.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.AccessKey.SecretAccessKey.length, 40);
    assert.equal(first.AccessKey.Status, 'Active');
    await cliOk(['iam', 'create-access-key', '--user-name', 'cli-user']);
    const third = await cli(['iam', 'create-access-key', '--user-name', 'cli-user']);
    assert.match(
      third.stderr,
      cliError('LimitExceeded', 'CreateAccessKey', 'Cannot exceed quota for AccessKeysPerUser: 2'),
    );
    const keys = await cliOk<{ AccessKeyMetadata: { AccessKeyId: string; Status: string }[] }>([
      'iam',
      'list-access-keys',
      '--user-name',
      'cli-user',
    ]);
    assert.equal(keys.AccessKeyMetadata.length, 2);
    assert.ok(keys.AccessKeyMetadata.every((k) => !('SecretAccessKey' in k)));
    await cliOk([
      'iam',
      'update-access-key',
      '--user-name',
      'cli-user',
      '--access-key-id',
      first.AccessKey.AccessKeyId,
      '--status',
      'Inactive',
    ]);
    const after = await cliOk<{ AccessKeyMetadata: { AccessKeyId: string; Status: string }[] }>([
      'iam',
      'list-access-keys',
      '--user-name',
      'cli-user',
    ]);
    assert.equal(
      after.AccessKeyMetadata.find((k) => k.AccessKeyId === first.AccessKey.AccessKeyId)?.Status,
      'Inactive',
    );

    const conflict = await cli(['iam', 'delete-user', '--user-name', 'cli-user']);
    assert.match(
      conflict.stderr,
      cliError('DeleteConflict', 'DeleteUser', 'Cannot delete entity, must delete access keys first.'),
    );
    for (const key of keys.AccessKeyMetadata)
      await cliOk(['iam', 'delete-access-key', '--user-name', 'cli-user', '--access-key-id', key.AccessKeyId]);
    const gone = await cli([
      'iam',
      'delete-access-key',
      '--user-name',
      'cli-user',
      '--access-key-id',
      first.AccessKey.AccessKeyId,
    ]);
    assert.match(
      gone.stderr,
      cliError(
        'NoSuchEntity',
        'DeleteAccessKey',
        `The Access Key with id ${first.AccessKey.AccessKeyId} cannot be found.`,
      ),
    );
    await cliOk(['iam', 'delete-user', '--user-name', 'cli-user']);
    const missing = await cli(['iam', 'get-user', '--user-name', 'cli-user']);
    assert.match(missing.stderr, cliError('NoSuchEntity', 'GetUser', 'The user with name cli-user cannot be found.'));
  });

  it('the SDK v3 sees the same operations and named exceptions', async () => {
    const created = await iam.send(
      new CreateUserCommand({ UserName: 'sdk-user', Tags: [{ Key: 'team', Value: 'web' }] }),
    );
    assert.equal(created.User?.UserName, 'sdk-user');
    assert.ok(created.User?.CreateDate instanceof Date);
    await assert.rejects(iam.send(new CreateUserCommand({ UserName: 'sdk-user' })), {
      name: 'EntityAlreadyExistsException',
      message: 'User with name sdk-user already exists.',
    });
    const got = await iam.send(new GetUserCommand({ UserName: 'sdk-user' }));
    assert.deepEqual(got.User?.Tags, [{ Key: 'team', Value: 'web' }]);
    const key = await newKey('sdk-user');
    await newKey('sdk-user');
    await assert.rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'sdk-user' })), {
      name: 'LimitExceededException',
    });
    await assert.rejects(iam.send(new DeleteUserCommand({ UserName: 'sdk-user' })), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete access keys first.',
    });
    await assert.rejects(
      iam.send(
        new UpdateAccessKeyCommand({ UserName: 'sdk-user', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' }),
      ),
      {
        name: 'NoSuchEntityException',
        message: 'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.',
      },
    );
    const page = await iam.send(new ListUsersCommand({ MaxItems: 1 }));
    assert.equal(page.Users?.length, 1);
    const listedKeys = await iam.send(new ListAccessKeysCommand({ UserName: 'sdk-user' }));
    assert.ok(listedKeys.AccessKeyMetadata?.some((k) => k.AccessKeyId === key.accessKeyId));
  });

  it("a least-privilege user's key: what its policy allows works, the rest is AccessDenied in AWS's words", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'lister', Path: '/apps/' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'lister',
        PolicyName: 'list',
        PolicyDocument: allow([{ Action: 'ecs:ListClusters', Resource: '*' }]),
      }),
    );
    const keys = await newKey('lister');
    const arn = `arn:aws:iam::${cloud.accountId}:user/apps/lister`;

    const identity = await cliOk<{ UserId: string; Account: string; Arn: string }>(
      ['sts', 'get-caller-identity'],
      keys,
    );
    assert.equal(identity.Arn, arn);
    assert.equal(identity.Account, cloud.accountId);
    assert.match(identity.UserId, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(identity.UserId, (await iam.send(new GetUserCommand({ UserName: 'lister' }))).User?.UserId);

    assert.ok((await new ECSClient(sdkConfig(cloud, keys)).send(new ListClustersCommand({}))).clusterArns);
    const denied = await cli(['ecs', 'create-cluster', '--cluster-name', 'nope'], keys);
    assert.notEqual(denied.status, 0);
    assert.match(
      denied.stderr,
      cliError(
        'AccessDeniedException',
        'CreateCluster',
        `User: ${arn} is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:${cloud.accountId}:cluster/nope because no identity-based policy allows the ecs:CreateCluster action`,
      ),
    );
    const iamDenied = await cli(['iam', 'list-users'], keys);
    assert.match(
      iamDenied.stderr,
      cliError(
        'AccessDenied',
        'ListUsers',
        `User: ${arn} is not authorized to perform: iam:ListUsers on resource: * because no identity-based policy allows the iam:ListUsers action`,
      ),
    );

    // GetUser without a name is about the caller, and needs iam:GetUser on itself like any call.
    const self = await cli(['iam', 'get-user'], keys);
    assert.match(self.stderr, new RegExp(`not authorized to perform: iam:GetUser on resource: ${arn}`));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'lister',
        PolicyName: 'self',
        PolicyDocument: allow([{ Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/apps/${aws:username}' }]),
      }),
    );
    assert.equal((await cliOk<{ User: { Arn: string } }>(['iam', 'get-user'], keys)).User.Arn, arn);

    // A group's policy applies to its members.
    await iam.send(new CreateGroupCommand({ GroupName: 'cluster-admins' }));
    await iam.send(
      new AttachGroupPolicyCommand({
        GroupName: 'cluster-admins',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess',
      }),
    );
    await iam.send(new AddUserToGroupCommand({ GroupName: 'cluster-admins', UserName: 'lister' }));
    await cliOk(['ecs', 'create-cluster', '--cluster-name', 'grouped'], keys);
  });

  it("a user's permissions boundary caps what its policies grant", async () => {
    const boundary = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'list-only',
        PolicyDocument: allow([{ Action: 'ecs:ListClusters', Resource: '*' }]),
      }),
    );
    await iam.send(new CreateUserCommand({ UserName: 'bounded', PermissionsBoundary: boundary.Policy?.Arn }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'bounded',
        PolicyName: 'ecs',
        PolicyDocument: allow([{ Action: 'ecs:*', Resource: '*' }]),
      }),
    );
    const keys = await newKey('bounded');
    await new ECSClient(sdkConfig(cloud, keys)).send(new ListClustersCommand({}));
    await assert.rejects(
      new ECSClient(sdkConfig(cloud, keys)).send(new CreateClusterCommand({ clusterName: 'capped' })),
      {
        name: 'AccessDeniedException',
        message: `User: arn:aws:iam::${cloud.accountId}:user/bounded is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:${cloud.accountId}:cluster/capped because no permissions boundary allows the ecs:CreateCluster action`,
      },
    );
  });

  it('an inactive key is refused as an unknown one (each protocol in its words), works again once active; a deleted key is refused', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'rotated' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'rotated',
        PolicyName: 'list',
        PolicyDocument: allow([{ Action: 'ecs:ListClusters', Resource: '*' }]),
      }),
    );
    const keys = await newKey('rotated');
    await iam.send(
      new UpdateAccessKeyCommand({ UserName: 'rotated', AccessKeyId: keys.accessKeyId, Status: 'Inactive' }),
    );
    const sts = await cli(['sts', 'get-caller-identity'], keys);
    assert.match(
      sts.stderr,
      cliError('InvalidClientTokenId', 'GetCallerIdentity', 'The security token included in the request is invalid.'),
    );
    await assert.rejects(new ECSClient(sdkConfig(cloud, keys)).send(new ListClustersCommand({})), {
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    const ec2 = await cli(['ec2', 'describe-vpcs'], keys);
    assert.match(
      ec2.stderr,
      cliError('AuthFailure', 'DescribeVpcs', 'AWS was not able to validate the provided access credentials'),
    );

    await iam.send(
      new UpdateAccessKeyCommand({ UserName: 'rotated', AccessKeyId: keys.accessKeyId, Status: 'Active' }),
    );
    await new ECSClient(sdkConfig(cloud, keys)).send(new ListClustersCommand({}));

    await iam.send(new DeleteAccessKeyCommand({ UserName: 'rotated', AccessKeyId: keys.accessKeyId }));
    const deleted = await cli(['sts', 'get-caller-identity'], keys);
    assert.match(
      deleted.stderr,
      cliError('InvalidClientTokenId', 'GetCallerIdentity', 'The security token included in the request is invalid.'),
    );
  });

  it('a renamed user keeps its keys, which now sign as the new ARN', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'before' }));
    const keys = await newKey('before');
    await iam.send(new UpdateUserCommand({ UserName: 'before', NewUserName: 'after', NewPath: '/moved/' }));
    const identity = await new STSClient(sdkConfig(cloud, keys)).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, `arn:aws:iam::${cloud.accountId}:user/moved/after`);
  });

  it('AssumeRole from a user, admitted by a trust policy naming the user or the account', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'assumer' }));
    const userArn = `arn:aws:iam::${cloud.accountId}:user/assumer`;
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'assumer',
        PolicyName: 'assume',
        PolicyDocument: allow([{ Action: 'sts:AssumeRole', Resource: '*' }]),
      }),
    );
    const trust = (principal: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
      });
    const byUser = await iam.send(
      new CreateRoleCommand({ RoleName: 'for-the-user', AssumeRolePolicyDocument: trust(userArn) }),
    );
    const byAccount = await iam.send(
      new CreateRoleCommand({
        RoleName: 'for-the-account',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${cloud.accountId}:root`),
      }),
    );
    const other = await iam.send(
      new CreateRoleCommand({
        RoleName: 'for-someone-else',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${cloud.accountId}:role/for-the-user`),
      }),
    );
    const keys = await newKey('assumer');
    const sts = new STSClient(sdkConfig(cloud, keys));
    for (const role of [byUser, byAccount]) {
      const session = await sts.send(
        new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'from-a-user' }),
      );
      assert.equal(
        session.AssumedRoleUser?.Arn,
        `arn:aws:sts::${cloud.accountId}:assumed-role/${role.Role?.RoleName}/from-a-user`,
      );
    }
    await assert.rejects(sts.send(new AssumeRoleCommand({ RoleArn: other.Role?.Arn, RoleSessionName: 'elsewhere' })), {
      name: 'AccessDenied',
      message: `User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${other.Role?.Arn}`,
    });
    // A trust policy may name only users that exist, as IAM checks when it stores one.
    await assert.rejects(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'ghostly',
          AssumeRolePolicyDocument: trust(`arn:aws:iam::${cloud.accountId}:user/ghost`),
        }),
      ),
      {
        name: 'MalformedPolicyDocumentException',
        message: `Invalid principal in policy: "AWS":"arn:aws:iam::${cloud.accountId}:user/ghost"`,
      },
    );
  });

  it('ECR login and push as the user, within its policy; last use says when, where and which service', async () => {
    const ecr = new ECRClient(sdkConfig(cloud));
    for (const name of ['pushable', 'forbidden']) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    await iam.send(new CreateUserCommand({ UserName: 'pusher' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'pusher',
        PolicyName: 'push',
        PolicyDocument: allow([
          { Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Action: [
              'ecr:BatchCheckLayerAvailability',
              'ecr:InitiateLayerUpload',
              'ecr:UploadLayerPart',
              'ecr:CompleteLayerUpload',
              'ecr:PutImage',
              'ecr:BatchGetImage',
              'ecr:GetDownloadUrlForLayer',
            ],
            Resource: `arn:aws:ecr:us-east-1:${cloud.accountId}:repository/pushable`,
          },
        ]),
      }),
    );
    const keys = await newKey('pusher');
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keys.accessKeyId }));
    assert.deepEqual(before.AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });

    const password = await cli(['ecr', 'get-login-password'], keys);
    assert.equal(password.status, 0, password.stderr);
    const host = new URL(cloud.url).host.replace('127.0.0.1', 'localhost');
    const work = mkdtempSync(join(tmpdir(), 'dockyard-iam-users-'));
    try {
      await writeRandomLayout(join(work, 'layout'), 'v1', 2048);
      const push = (repository: string) =>
        run('skopeo', [
          'copy',
          '--dest-tls-verify=false',
          '--dest-creds',
          `AWS:${password.stdout.trim()}`,
          `oci:${join(work, 'layout')}:v1`,
          `docker://${host}/${repository}:1`,
        ]);
      const pushed = await push('pushable');
      assert.equal(pushed.status, 0, pushed.stderr);
      const refused = await push('forbidden');
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /denied|unauthorized|403/i);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keys.accessKeyId }));
    assert.equal(used.UserName, 'pusher');
    assert.equal(used.AccessKeyLastUsed?.ServiceName, 'ecr');
    assert.equal(used.AccessKeyLastUsed?.Region, 'us-east-1');
    assert.ok(used.AccessKeyLastUsed?.LastUsedDate instanceof Date);
  });

  it("a registry password belongs to the user's unique id: a user deleted and created again under the same name does not inherit it", async () => {
    await new ECRClient(sdkConfig(cloud)).send(new CreateRepositoryCommand({ repositoryName: 'kept' }));
    const policy = allow([
      { Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Action: 'ecr:ListImages', Resource: `arn:aws:ecr:us-east-1:${cloud.accountId}:repository/kept` },
    ]);
    const create = async (): Promise<string> => {
      await iam.send(new CreateUserCommand({ UserName: 'again' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'again', PolicyName: 'list', PolicyDocument: policy }));
      const login = await cli(['ecr', 'get-login-password'], await newKey('again'));
      assert.equal(login.status, 0, login.stderr);
      return login.stdout.trim();
    };
    const list = (password: string) =>
      fetch(`${cloud.url}/v2/kept/tags/list`, {
        headers: { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` },
      });
    const old = await create();
    assert.equal((await list(old)).status, 200);
    for (const key of (await iam.send(new ListAccessKeysCommand({ UserName: 'again' }))).AccessKeyMetadata ?? []) {
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'again', AccessKeyId: key.AccessKeyId }));
    }
    await cli(['iam', 'delete-user-policy', '--user-name', 'again', '--policy-name', 'list']);
    await iam.send(new DeleteUserCommand({ UserName: 'again' }));
    const fresh = await create();
    const refused = await list(old);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /DENIED/);
    assert.equal((await list(fresh)).status, 200);
  });
});
