/**
 * Acceptance: the AWS CLI v2 and the AWS SDK v3 drive Secrets Manager against a started cloud:
 * create, read, versions and staging labels, binary secrets, tags, paging (the CLI's own
 * paginator and the SDK's), deletion with a recovery window and restore, every error shape in
 * the SDK's exception classes and the CLI's words. No value ever reaches the cloud's log.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  paginateListSecrets,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { streamLogger } from '../../src/core/logger.js';
import { awsCliError, awsCliJson } from '../support/aws-cli.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { rejectsWithException } from '../support/sdk-errors.js';

/** Values no response other than a read of them, and no log line, may contain. */
const PASSWORD = 'correct-horse-battery-staple-4f1c';
const ROTATED = 'tr0ub4dor-and-3-9a2e';

describe('Secrets Manager with the AWS SDK v3 and the AWS CLI v2', () => {
  let cloud: TestCloud;
  let sm: SecretsManagerClient;
  let log = '';
  const files = mkdtempSync(join(tmpdir(), 'dockyard-sm-cli-'));

  before(async () => {
    cloud = await startTestCloud({ logger: streamLogger((line) => (log += line)) });
    sm = new SecretsManagerClient(sdkConfig(cloud));
  });
  after(async () => {
    await cloud.stop();
    rmSync(files, { recursive: true, force: true });
  });

  const cli = (args: string[]) => awsCliJson(cloud, ['secretsmanager', ...args]);
  const cliFails = (args: string[]) => awsCliError(cloud, ['secretsmanager', ...args]);
  const rejects = rejectsWithException;

  it('creates with the CLI, reads with the SDK, rotates through versions and stages with both', async () => {
    const created = await cli([
      'create-secret',
      '--name',
      'prod/db/password',
      '--secret-string',
      PASSWORD,
      '--description',
      'db',
      '--tags',
      'Key=env,Value=prod',
    ]);
    assert.match(
      String(created.ARN),
      new RegExp(`^arn:aws:secretsmanager:${cloud.region}:${cloud.accountId}:secret:prod/db/password-[A-Za-z0-9]{6}$`),
    );
    const first = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db/password' }));
    assert.deepEqual(
      [first.SecretString, first.VersionStages, first.VersionId],
      [PASSWORD, ['AWSCURRENT'], created.VersionId],
    );
    assert.ok(first.CreatedDate instanceof Date);

    // Rotation as a rotation function does it: AWSPENDING, then promote.
    const pending = await sm.send(
      new PutSecretValueCommand({
        SecretId: String(created.ARN),
        SecretString: ROTATED,
        VersionStages: ['AWSPENDING'],
      }),
    );
    assert.deepEqual(pending.VersionStages, ['AWSPENDING']);
    await cli([
      'update-secret-version-stage',
      '--secret-id',
      'prod/db/password',
      '--version-stage',
      'AWSCURRENT',
      '--move-to-version-id',
      String(pending.VersionId),
      '--remove-from-version-id',
      String(created.VersionId),
    ]);
    const now = await cli(['get-secret-value', '--secret-id', String(created.ARN).slice(0, -7)]);
    assert.equal(now.SecretString, ROTATED);
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: 'prod/db/password', VersionStage: 'AWSPREVIOUS' }),
    );
    assert.equal(previous.SecretString, PASSWORD);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'prod/db/password' }));
    assert.deepEqual(described.VersionIdsToStages, {
      [String(created.VersionId)]: ['AWSPREVIOUS'],
      [String(pending.VersionId)]: ['AWSCURRENT', 'AWSPENDING'],
    });
    assert.deepEqual(described.Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.ok(described.LastAccessedDate instanceof Date);
    const versions = await cli(['list-secret-versions-ids', '--secret-id', 'prod/db/password']).catch(() => undefined);
    assert.equal(versions, undefined, 'the CLI has no such command: a typo must fail');
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'prod/db/password' }));
    assert.equal(listed.Versions?.length, 2);
  });

  it('keeps binary secrets as bytes (CLI fileb:// in, SDK Uint8Array out)', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    writeFileSync(join(files, 'key.bin'), bytes);
    await cli(['create-secret', '--name', 'tls/key', '--secret-binary', `fileb://${join(files, 'key.bin')}`]);
    const read = await sm.send(new GetSecretValueCommand({ SecretId: 'tls/key' }));
    assert.equal(read.SecretString, undefined);
    assert.deepEqual(Buffer.from(read.SecretBinary ?? new Uint8Array()), bytes);
    await sm.send(new PutSecretValueCommand({ SecretId: 'tls/key', SecretBinary: new Uint8Array([1, 2, 3]) }));
    const again = await cli(['get-secret-value', '--secret-id', 'tls/key']);
    assert.equal(again.SecretBinary, Buffer.from([1, 2, 3]).toString('base64'));
  });

  it("answers each error in the SDK's exception class and the CLI's words", async () => {
    await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'missing' })),
      ResourceNotFoundException,
      "Secrets Manager can't find the specified secret.",
    );
    await rejects(
      sm.send(new CreateSecretCommand({ Name: 'prod/db/password', SecretString: 'x' })),
      ResourceExistsException,
      'The operation failed because the secret prod/db/password already exists.',
    );
    await rejects(
      sm.send(new DeleteSecretCommand({ SecretId: 'prod/db/password', RecoveryWindowInDays: 3 })),
      InvalidParameterException,
      'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
    );
    await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'prod/db/password', VersionStage: 'NOPE' })),
      ResourceNotFoundException,
      "Secrets Manager can't find the specified secret value for staging label: NOPE",
    );
    await rejects(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'prod/db/password',
          VersionStage: 'AWSCURRENT',
          RemoveFromVersionId: 'x'.repeat(32),
        }),
      ),
      ResourceNotFoundException,
      /VersionId/,
    );
    // A validation error the SDK does not model still arrives with its code.
    await assert.rejects(
      sm.send(new CreateSecretCommand({ Name: 'bad name!' })),
      (error: Error) => error.name === 'ValidationException' && /Invalid name/.test(error.message),
    );
    assert.match(
      await cliFails(['get-secret-value', '--secret-id', 'missing']),
      /An error occurred \(ResourceNotFoundException\) when calling the GetSecretValue operation( \(reached max retries: 0\))?: Secrets Manager can't find the specified secret\./,
    );
    assert.match(
      await cliFails([
        'delete-secret',
        '--secret-id',
        'x',
        '--recovery-window-in-days',
        '7',
        '--force-delete-without-recovery',
      ]),
      /\(InvalidParameterException\).*You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays\./,
    );
    const tooLong = await cliFails(['create-secret', '--name', 'big', '--secret-string', PASSWORD.repeat(2000)]);
    assert.match(
      tooLong,
      /\(ValidationException\).*Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536/,
    );
    assert.ok(!tooLong.includes(PASSWORD), 'a validation error echoes no secret value');
  });

  it('schedules a deletion, refuses reads meanwhile, restores; forces a deletion', async () => {
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'prod/db/password', RecoveryWindowInDays: 7 }));
    assert.ok(
      deleted.DeletionDate instanceof Date && deleted.DeletionDate.getTime() - Date.now() > 6.9 * 24 * 3600 * 1000,
    );
    await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'prod/db/password' })),
      InvalidRequestException,
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
    assert.match(
      await cliFails(['get-secret-value', '--secret-id', 'prod/db/password']),
      /\(InvalidRequestException\).*marked for deletion/,
    );
    const listed = await cli(['list-secrets', '--include-planned-deletion']);
    assert.ok(
      (listed.SecretList as { Name: string; DeletedDate?: string }[]).some(
        (s) => s.Name === 'prod/db/password' && s.DeletedDate,
      ),
    );
    await sm.send(new RestoreSecretCommand({ SecretId: 'prod/db/password' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db/password' }))).SecretString, ROTATED);
    await cli(['delete-secret', '--secret-id', 'tls/key', '--force-delete-without-recovery']);
    await rejects(
      sm.send(new DescribeSecretCommand({ SecretId: 'tls/key' })),
      ResourceNotFoundException,
      "Secrets Manager can't find the specified secret.",
    );
  });

  it("pages ListSecrets with the SDK paginator and the CLI's, filtered and sorted", async () => {
    for (let i = 0; i < 5; i++)
      await sm.send(
        new CreateSecretCommand({
          Name: `batch/s${i}`,
          SecretString: 'v',
          Tags: [{ Key: 'batch', Value: i % 2 === 0 ? 'even' : 'odd' }],
        }),
      );
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListSecrets(
      { client: sm, pageSize: 2 },
      { Filters: [{ Key: 'name', Values: ['batch/'] }], SortBy: 'name', SortOrder: 'desc' },
    )) {
      pages++;
      names.push(...(page.SecretList ?? []).map((s) => String(s.Name)));
    }
    assert.equal(pages, 3);
    assert.deepEqual(names, ['batch/s4', 'batch/s3', 'batch/s2', 'batch/s1', 'batch/s0']);
    // AWS CLI 2.9 knows SortOrder, not SortBy: by creation date.
    const viaCli = await cli([
      'list-secrets',
      '--page-size',
      '1',
      '--filters',
      'Key=tag-value,Values=odd',
      '--sort-order',
      'desc',
    ]);
    assert.deepEqual(
      (viaCli.SecretList as { Name: string }[]).map((s) => s.Name),
      ['batch/s3', 'batch/s1'],
    );
    await sm.send(new TagResourceCommand({ SecretId: 'batch/s0', Tags: [{ Key: 'batch', Value: 'odd' }] }));
    await sm.send(new UpdateSecretCommand({ SecretId: 'batch/s0', Description: 'retagged' }));
    const negated = await cli(['list-secrets', '--filters', 'Key=name,Values=batch/', 'Key=tag-value,Values=!odd']);
    assert.deepEqual(
      (negated.SecretList as { Name: string }[]).map((s) => s.Name),
      ['batch/s2', 'batch/s4'],
    );
  });

  it("wrote no secret value to the cloud's log", () => {
    for (const value of [PASSWORD, ROTATED]) assert.ok(!log.includes(value), 'a secret value reached the log');
  });
});
