/**
 * Robustness: 1,000 random signed requests to each of Secrets Manager and Parameter Store
 * (every operation, members of the wrong type, huge and odd strings, nested junk) get AWS
 * errors in the JSON shape, never a 5xx, and no internal error is logged. Replay a failing run
 * with DOCKYARD_FUZZ_SEED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { streamLogger } from '../../src/core/logger.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { random } from '../support/random.js';
import { jsonTarget, send, signRequest } from '../support/sign.js';

const SERVICES = [
  {
    signingName: 'secretsmanager',
    prefix: 'secretsmanager',
    operations: [
      'CreateSecret',
      'DescribeSecret',
      'UpdateSecret',
      'DeleteSecret',
      'RestoreSecret',
      'ListSecrets',
      'GetSecretValue',
      'PutSecretValue',
      'ListSecretVersionIds',
      'UpdateSecretVersionStage',
      'TagResource',
      'UntagResource',
      'GetResourcePolicy',
      'PutResourcePolicy',
      'DeleteResourcePolicy',
      'ValidateResourcePolicy',
      'GetRandomPassword',
      'RotateSecret',
    ],
    members: [
      'Name',
      'SecretId',
      'SecretString',
      'SecretBinary',
      'ClientRequestToken',
      'VersionId',
      'VersionStage',
      'VersionStages',
      'RecoveryWindowInDays',
      'ForceDeleteWithoutRecovery',
      'Filters',
      'MaxResults',
      'NextToken',
      'SortBy',
      'SortOrder',
      'Tags',
      'TagKeys',
      'ResourcePolicy',
      'RemoveFromVersionId',
      'MoveToVersionId',
      'PasswordLength',
      'ExcludeCharacters',
      'KmsKeyId',
    ],
    names: ['fuzz/a', 'fuzz/b'],
  },
  {
    signingName: 'ssm',
    prefix: 'AmazonSSM',
    operations: [
      'PutParameter',
      'GetParameter',
      'GetParameters',
      'GetParametersByPath',
      'GetParameterHistory',
      'DescribeParameters',
      'DeleteParameter',
      'DeleteParameters',
      'LabelParameterVersion',
      'UnlabelParameterVersion',
      'AddTagsToResource',
      'RemoveTagsFromResource',
      'ListTagsForResource',
      'SendCommand',
    ],
    members: [
      'Name',
      'Names',
      'Value',
      'Type',
      'Overwrite',
      'AllowedPattern',
      'Tier',
      'DataType',
      'KeyId',
      'Path',
      'Recursive',
      'ParameterFilters',
      'Filters',
      'WithDecryption',
      'MaxResults',
      'NextToken',
      'Labels',
      'ParameterVersion',
      'ResourceType',
      'ResourceId',
      'Tags',
      'TagKeys',
    ],
    names: ['/fuzz/a', 'fuzz-b', '/fuzz/a:1', '/fuzz/a:label'],
  },
];

describe('Secrets Manager and Parameter Store under random input', () => {
  let cloud: TestCloud;
  let log = '';
  before(async () => (cloud = await startTestCloud({ logger: streamLogger((line) => (log += line)) })));
  after(async () => cloud.stop());

  it('answers 1,000 random requests per service with AWS errors and no 5xx', async () => {
    const seed = Number(process.env.DOCKYARD_FUZZ_SEED ?? Date.now() % 1e9);
    const rand = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    for (const service of SERVICES) {
      const scalar = (): unknown =>
        pick([
          () => pick(service.names),
          () => 'x'.repeat(Math.floor(rand() * 70000)),
          () => String.fromCharCode(...Array.from({ length: 16 }, () => Math.floor(rand() * 0xffff))),
          () =>
            pick([
              '',
              '-1',
              '0',
              '4097',
              '1e400',
              'AWSCURRENT',
              'String',
              'SecureString',
              '(a+)+$',
              '[',
              '!',
              'arn:aws:secretsmanager:us-east-1:000000000000:secret:fuzz/a',
              '/',
            ]),
          () => Math.floor(rand() * 1e6) - 5e5,
          () => pick([true, false, null]),
        ])();
      const value = (depth: number): unknown => {
        const r = rand();
        if (depth > 2 || r < 0.5) return scalar();
        if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
        return Object.fromEntries(
          Array.from({ length: Math.floor(rand() * 3) }, () => [
            pick(['Key', 'Value', 'Values', 'Option', 'Region', '__proto__']),
            value(depth + 1),
          ]),
        );
      };
      const statuses = new Map<number, number>();
      const fivexx: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const input = Object.fromEntries(
          Array.from({ length: Math.floor(rand() * 5) }, () => [pick(service.members), value(0)]),
        );
        const body = rand() < 0.05 ? String(scalar()) : JSON.stringify(input);
        const target = `${service.prefix}.${pick(service.operations)}`;
        const response = await send(
          cloud,
          await signRequest(cloud, service.signingName, body, jsonTarget(target), cloud.admin),
        );
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500)
          fivexx.push(`${response.status} ${target} ${body.slice(0, 200)} → ${response.body.slice(0, 200)}`);
        else if (response.status >= 400)
          assert.match(
            response.body,
            /^\{"__type":"[A-Za-z.]+","message":/,
            `${target}: ${response.body.slice(0, 200)}`,
          );
      }
      assert.deepEqual(fivexx, [], `seed ${seed}: ${service.signingName} answered 5xx`);
      assert.ok(
        (statuses.get(200) ?? 0) > 0,
        `seed ${seed}: ${service.signingName} never succeeded: ${JSON.stringify([...statuses])}`,
      );
    }
    assert.equal(log, '', `seed ${seed}: the cloud logged an internal error`);
  });
});
