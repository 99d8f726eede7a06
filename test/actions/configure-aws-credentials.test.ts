/**
 * dockyard's configure-aws-credentials against a real cloud: the OIDC path (outputs, exported
 * variables, masks, post clean-up), the trust-policy and missing-permission failures with the
 * real action's messages, access keys, role chaining with and without session tags, and the
 * input checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { idTokenEnv, setUpIam, type IamFixture } from './aws-setup.js';
import { ACTIONS, TestJob } from './support.js';

const ACTION = ACTIONS.configureAwsCredentials;

describe('configure-aws-credentials (built-in)', () => {
  let cloud: TestCloud;
  let iam: IamFixture;
  const jobs: TestJob[] = [];
  const newJob = (env: Record<string, string> = {}) => {
    const job = new TestJob({ env: { AWS_ENDPOINT_URL: cloud.url, ...env } });
    jobs.push(job);
    return job;
  };

  before(async () => {
    cloud = await startTestCloud();
    iam = await setUpIam(cloud);
  });
  after(async () => {
    for (const job of jobs) job.dispose();
    await cloud.stop();
  });

  it('assumes the role with the job token, exports masked credentials, outputs the identity, and the post step clears them', async () => {
    const job = newJob(idTokenEnv(cloud));
    const step = await job.run(ACTION, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region },
    });
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    assert.equal(step.outputs['aws-account-id'], cloud.accountId);
    assert.equal(
      step.outputs['authenticated-arn'],
      `arn:aws:sts::${cloud.accountId}:assumed-role/GitHub_Actions_Role/GitHubActions`,
    );
    assert.equal(step.exported.AWS_REGION, cloud.region);
    assert.equal(step.exported.AWS_DEFAULT_REGION, cloud.region);
    const { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token } = step.exported;
    assert.match(keyId ?? '', /^ASIA/);
    assert.ok(secret && token);
    // The ID token is masked by getIDToken, the three credentials by the action.
    for (const value of [keyId, secret, token]) assert.ok(step.masks.includes(value ?? ''), `masked ${value}`);
    assert.match(step.stdout, /Assuming role with OIDC/);
    assert.equal(
      step.outputs['aws-secret-access-key'],
      undefined,
      'credentials are outputs only with output-credentials',
    );

    const post = await job.post(ACTION, 'aws', step);
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]) {
      assert.equal(post.exported[name], '', name);
    }
  });

  it('outputs the credentials with output-credentials and masks the account with mask-aws-account-id', async () => {
    const job = newJob(idTokenEnv(cloud));
    const step = await job.run(ACTION, 'aws', {
      inputs: {
        'role-to-assume': iam.oidcRoleArn,
        'aws-region': cloud.region,
        'output-credentials': 'true',
        'mask-aws-account-id': 'true',
        'role-session-name': 'deploy-1',
        'role-duration-seconds': '900',
      },
    });
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    assert.equal(step.outputs['aws-access-key-id'], step.exported.AWS_ACCESS_KEY_ID);
    assert.equal(step.outputs['aws-session-token'], step.exported.AWS_SESSION_TOKEN);
    // Quoted, as v4 writes it: core.setOutput JSON-encodes the Date.
    const lifetime = Date.parse(JSON.parse(step.outputs['aws-expiration'] ?? '""') as string) - Date.now();
    assert.ok(lifetime > 800_000 && lifetime <= 900_000, `900 s session, got ${lifetime} ms`);
    assert.equal(
      step.outputs['authenticated-arn'],
      `arn:aws:sts::${cloud.accountId}:assumed-role/GitHub_Actions_Role/deploy-1`,
    );
    assert.ok(step.masks.includes(cloud.accountId));
  });

  it('fails with the STS message when the trust policy does not allow the ref', async () => {
    const job = newJob(idTokenEnv(cloud, 'refs/heads/feature'));
    const step = await job.run(ACTION, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'disable-retry': 'true' },
    });
    assert.equal(step.exitCode, 1);
    assert.deepEqual(step.errors, [
      'Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity',
    ]);
    assert.equal(step.exported.AWS_ACCESS_KEY_ID, undefined);
  });

  it('retries a failing AssumeRoleWithWebIdentity retry-max-attempts times', async () => {
    const job = newJob(idTokenEnv(cloud, 'refs/heads/feature'));
    const step = await job.run(ACTION, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'retry-max-attempts': '3' },
    });
    assert.equal(step.exitCode, 1);
    assert.equal(step.stdout.split('Assuming role with OIDC').length - 1, 3);
  });

  it('without the id-token permission hints at it and fails to load credentials', async () => {
    const job = newJob();
    const step = await job.run(ACTION, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region },
    });
    assert.equal(step.exitCode, 1);
    assert.match(step.stdout, /Did you mean to set the `id-token` permission\?/);
    assert.deepEqual(step.errors, [
      'Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers',
    ]);
  });

  it('uses access keys as they are, then assumes a role named without its ARN', async () => {
    const keys = {
      'aws-access-key-id': iam.user.accessKeyId,
      'aws-secret-access-key': iam.user.secretAccessKey,
      'aws-region': cloud.region,
    };
    const plain = await newJob().run(ACTION, 'aws', { inputs: keys });
    assert.equal(plain.exitCode, 0, plain.stdout + plain.stderr);
    assert.match(plain.stdout, /Proceeding with IAM user credentials/);
    assert.equal(plain.exported.AWS_ACCESS_KEY_ID, iam.user.accessKeyId);
    assert.equal(plain.outputs['authenticated-arn'], iam.user.arn);
    assert.ok(plain.masks.includes(iam.user.secretAccessKey));

    const assumed = await newJob().run(ACTION, 'aws', { inputs: { ...keys, 'role-to-assume': 'DeployRole' } });
    assert.equal(assumed.exitCode, 0, assumed.stdout + assumed.stderr);
    assert.match(assumed.stdout, /Assuming role with user credentials/);
    assert.equal(
      assumed.outputs['authenticated-arn'],
      `arn:aws:sts::${cloud.accountId}:assumed-role/DeployRole/GitHubActions`,
    );
    assert.match(assumed.exported.AWS_ACCESS_KEY_ID ?? '', /^ASIA/);
  });

  it('requires the secret with an access key id', async () => {
    const step = await newJob().run(ACTION, 'aws', {
      inputs: { 'aws-access-key-id': iam.user.accessKeyId, 'aws-region': cloud.region },
    });
    assert.equal(step.exitCode, 1);
    assert.deepEqual(step.errors, ["'aws-secret-access-key' must be provided if 'aws-access-key-id' is provided"]);
  });

  it('chains roles with the environment credentials, sending session tags unless told not to', async () => {
    const job = newJob(idTokenEnv(cloud));
    const first = await job.run(ACTION, 'oidc', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region },
    });
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);

    const chained = await job.run(ACTION, 'chain', {
      inputs: { 'role-to-assume': iam.deployRoleArn, 'aws-region': cloud.region, 'role-chaining': 'true' },
    });
    assert.equal(chained.exitCode, 0, chained.stdout + chained.stderr);
    assert.equal(
      chained.outputs['authenticated-arn'],
      `arn:aws:sts::${cloud.accountId}:assumed-role/DeployRole/GitHubActions`,
    );
    assert.notEqual(chained.exported.AWS_ACCESS_KEY_ID, first.exported.AWS_ACCESS_KEY_ID);

    // Back to the OIDC role's session, whose chaining target does not allow sts:TagSession.
    const again = newJob(idTokenEnv(cloud));
    assert.equal(
      (await again.run(ACTION, 'oidc', { inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region } }))
        .exitCode,
      0,
    );
    const tagged = await again.run(ACTION, 'chain', {
      inputs: {
        'role-to-assume': iam.untaggedRoleArn,
        'aws-region': cloud.region,
        'role-chaining': 'true',
        'disable-retry': 'true',
      },
    });
    assert.equal(tagged.exitCode, 1);
    assert.match(
      tagged.errors[0] ?? '',
      /^Could not assume role with user credentials: User: arn:aws:sts::\d{12}:assumed-role\/GitHub_Actions_Role\/GitHubActions is not authorized to perform: sts:TagSession/,
    );
    const untagged = await again.run(ACTION, 'chain', {
      inputs: {
        'role-to-assume': iam.untaggedRoleArn,
        'aws-region': cloud.region,
        'role-chaining': 'true',
        'role-skip-session-tagging': 'true',
      },
    });
    assert.equal(untagged.exitCode, 0, untagged.stdout + untagged.stderr);
    assert.equal(
      untagged.outputs['authenticated-arn'],
      `arn:aws:sts::${cloud.accountId}:assumed-role/UntaggedRole/GitHubActions`,
    );
  });

  it('reads inputs from their environment aliases', async () => {
    const job = newJob({
      ...idTokenEnv(cloud),
      ROLE_TO_ASSUME: iam.oidcRoleArn,
      AWS_REGION: cloud.region,
      ROLE_SESSION_NAME: 'from-env',
    });
    const step = await job.run(ACTION, 'aws');
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    assert.equal(
      step.outputs['authenticated-arn'],
      `arn:aws:sts::${cloud.accountId}:assumed-role/GitHub_Actions_Role/from-env`,
    );
  });

  it('checks the region and the GitHub variables', async () => {
    const badRegion = await newJob(idTokenEnv(cloud)).run(ACTION, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': 'US_EAST_1' },
    });
    assert.equal(badRegion.exitCode, 1);
    assert.deepEqual(badRegion.errors, ['Region is not valid: US_EAST_1']);

    const noRegion = await newJob(idTokenEnv(cloud)).run(ACTION, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn },
    });
    assert.deepEqual(noRegion.errors, ['Input required and not supplied: aws-region']);

    const outsideActions = await newJob({ ...idTokenEnv(cloud), GITHUB_WORKFLOW: '' }).run(ACTION, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'disable-retry': 'true' },
    });
    assert.equal(outsideActions.exitCode, 1);
    assert.deepEqual(outsideActions.errors, [
      'Missing required environment variables. Are you running in GitHub Actions?',
    ]);
  });
});
