/**
 * configure-aws-credentials v1, v2, v5 and v6 (built-in) against a real cloud, each where it
 * differs from v4 (configure-aws-credentials.test.ts): v1/v2's defaults (masked account, 6-hour
 * sessions, no environment aliases, aws-account-id only) and messages; v2's role chaining and
 * proxy announcement; v5's strict booleans, allowed-account-ids (not checked with OIDC, as v5),
 * force-skip-oidc and use-existing-credentials; v6's session-name checks, allowed-account-ids on
 * the final account, sts-endpoint, session tags (custom-tags, the extra run tags), aws-profile and
 * its retry lines. Sessions are read back from the cloud's credential store: the duration and
 * tags STS recorded are what each major sent.
 */
import assert from 'node:assert/strict';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { idTokenEnv, setUpIam, type IamFixture } from './aws-setup.js';
import { TestJob, type StepResult } from './support.js';

const major = (version: number) => `aws-actions/configure-aws-credentials/v${version}`;

describe('configure-aws-credentials majors (built-in)', () => {
  let cloud: TestCloud;
  let iam: IamFixture;
  let longRoleArn = '';
  const jobs: TestJob[] = [];
  const newJob = (env: Record<string, string> = {}, github: ConstructorParameters<typeof TestJob>[0] = {}) => {
    const job = new TestJob({ ...github, env: { AWS_ENDPOINT_URL: cloud.url, ...env } });
    jobs.push(job);
    return job;
  };
  /** The session STS issued for the exported key: its lifetime in seconds and its tags. */
  const session = (step: StepResult) => {
    const stored = cloud.cloud.state.credentials.lookup(step.exported.AWS_ACCESS_KEY_ID ?? '');
    assert.ok(stored?.expiresAt, 'a session was exported');
    const caller = stored.caller as { tags?: Record<string, string> };
    return { seconds: Math.round((stored.expiresAt.getTime() - Date.now()) / 1000), tags: caller.tags ?? {} };
  };
  const keys = () => ({
    'aws-access-key-id': iam.user.accessKeyId,
    'aws-secret-access-key': iam.user.secretAccessKey,
    'aws-region': cloud.region,
  });

  before(async () => {
    cloud = await startTestCloud();
    iam = await setUpIam(cloud);
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: [iam.user.arn, iam.oidcRoleArn] },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    };
    const role = await new IAMClient(sdkConfig(cloud)).send(
      new CreateRoleCommand({
        RoleName: 'LongRole',
        MaxSessionDuration: 21600,
        AssumeRolePolicyDocument: JSON.stringify(trust),
      }),
    );
    longRoleArn = role.Role?.Arn ?? '';
  });
  after(async () => {
    for (const job of jobs) job.dispose();
    await cloud.stop();
  });

  describe('v1', () => {
    it('assumes with OIDC silently, outputs only aws-account-id, masked by default, for one hour', async () => {
      const step = await newJob(idTokenEnv(cloud)).run(major(1), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region },
      });
      assert.equal(step.exitCode, 0, step.stdout + step.stderr);
      assert.deepEqual(Object.keys(step.outputs), ['aws-account-id']);
      assert.ok(step.masks.includes(cloud.accountId), 'v1 masks the account unless told not to');
      assert.doesNotMatch(step.stdout, /Assuming role with OIDC|Authenticated as/, 'v1 says nothing');
      assert.ok(Math.abs(session(step).seconds - 3600) < 60);
    });

    it('asks for 6-hour sessions with keys, tags the session as v1 did, and unmasks on any value but true', async () => {
      const step = await newJob({}, { github: { actor: 'dependabot[bot]' } }).run(major(1), 'aws', {
        inputs: { ...keys(), 'role-to-assume': longRoleArn, 'mask-aws-account-id': 'no' },
      });
      assert.equal(step.exitCode, 0, step.stdout + step.stderr);
      const { seconds, tags } = session(step);
      assert.ok(Math.abs(seconds - 21600) < 60, `6 hours, got ${seconds} s`);
      assert.deepEqual(tags, {
        GitHub: 'Actions',
        Repository: 'your-username/ecsapp',
        Workflow: 'Deploy to ECS',
        Action: 'aws',
        Actor: 'dependabot_bot_',
        Commit: 'f'.repeat(40),
        Branch: 'refs/heads/main',
      });
      assert.ok(!step.masks.includes(cloud.accountId));
      // The same role in v4 gets v4's one hour.
      const v4 = await newJob().run(major(4), 'aws', { inputs: { ...keys(), 'role-to-assume': longRoleArn } });
      assert.ok(Math.abs(session(v4).seconds - 3600) < 60);
    });

    it('validates environment credentials before a token file, with the AWS SDK v2 message, and reads no environment aliases', async () => {
      const tokenFile = await newJob().run(major(1), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'web-identity-token-file': 'token' },
      });
      assert.deepEqual(tokenFile.errors, [
        'Credentials could not be loaded, please check your action inputs: Missing credentials in config, if using AWS_CONFIG_FILE, set AWS_SDK_LOAD_CONFIG=1',
      ]);
      const v4 = await newJob().run(major(4), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'web-identity-token-file': 'token' },
      });
      assert.match(
        v4.errors[0] ?? '',
        /^Web identity token file does not exist: .*\/workspace\/token$/,
        'v4 goes to the token file',
      );
      const aliases = await newJob({ AWS_REGION: cloud.region }).run(major(1), 'aws', {
        inputs: { ...keys(), 'aws-region': '' },
      });
      assert.deepEqual(aliases.errors, ['Input required and not supplied: aws-region']);
    });
  });

  describe('v2', () => {
    it('chains roles for one hour, announces the proxy it was given, and keeps 6 hours for keys', async () => {
      const job = newJob(idTokenEnv(cloud));
      assert.equal(
        (await job.run(major(4), 'oidc', { inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region } }))
          .exitCode,
        0,
      );
      const chained = await job.run(major(2), 'chain', {
        inputs: {
          'role-to-assume': iam.deployRoleArn,
          'aws-region': cloud.region,
          'role-chaining': 'true',
          'http-proxy': 'http://proxy.example.com:3128',
        },
      });
      assert.equal(chained.exitCode, 0, chained.stdout + chained.stderr);
      assert.match(chained.stdout, /Setting proxy from actions input: http:\/\/proxy\.example\.com:3128/);
      assert.ok(Math.abs(session(chained).seconds - 3600) < 60);
      assert.deepEqual(Object.keys(chained.outputs), ['aws-account-id']);
      const keyed = await newJob().run(major(2), 'aws', { inputs: { ...keys(), 'role-to-assume': longRoleArn } });
      assert.ok(Math.abs(session(keyed).seconds - 21600) < 60);
    });
  });

  describe('v5', () => {
    it('reads booleans strictly, where v4 took anything but true as false', async () => {
      const step = await newJob(idTokenEnv(cloud)).run(major(5), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'mask-aws-account-id': 'yes' },
      });
      assert.equal(step.exitCode, 1);
      assert.deepEqual(step.errors, [
        'Input does not meet YAML 1.2 "Core Schema" specification: mask-aws-account-id\nSupport boolean input list: `true | True | TRUE | false | False | FALSE`',
      ]);
      const v4 = await newJob(idTokenEnv(cloud)).run(major(4), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'mask-aws-account-id': 'yes' },
      });
      assert.equal(v4.exitCode, 0, v4.stdout + v4.stderr);
      const capital = await newJob(idTokenEnv(cloud)).run(major(5), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'mask-aws-account-id': 'True' },
      });
      assert.equal(capital.exitCode, 0, capital.stdout + capital.stderr);
      assert.ok(capital.masks.includes(cloud.accountId));
    });

    it('checks allowed-account-ids where it validates credentials (keys), not after an OIDC AssumeRole', async () => {
      const refused = await newJob().run(major(5), 'aws', {
        inputs: { ...keys(), 'allowed-account-ids': '111111111111, 222222222222' },
      });
      assert.deepEqual(refused.errors, [
        `The account ID of the provided credentials (${cloud.accountId}) does not match any of the expected account IDs: 111111111111, 222222222222`,
      ]);
      const allowed = await newJob().run(major(5), 'aws', {
        inputs: { ...keys(), 'allowed-account-ids': `111111111111,${cloud.accountId}` },
      });
      assert.equal(allowed.exitCode, 0, allowed.stdout + allowed.stderr);
      // Reproduced: v5 validates nothing after an OIDC AssumeRole on GitHub, so the list is not checked there.
      const oidc = await newJob(idTokenEnv(cloud)).run(major(5), 'aws', {
        inputs: {
          'role-to-assume': iam.oidcRoleArn,
          'aws-region': cloud.region,
          'allowed-account-ids': '111111111111',
        },
      });
      assert.equal(oidc.exitCode, 0, oidc.stdout + oidc.stderr);
    });

    it("refuses force-skip-oidc without other credentials, and takes use-existing-credentials: 'false' as set", async () => {
      const skip = await newJob(idTokenEnv(cloud)).run(major(5), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'force-skip-oidc': 'true' },
      });
      assert.deepEqual(skip.errors, [
        "If 'force-skip-oidc' is true and 'role-to-assume' is set, 'aws-access-key-id' or 'web-identity-token-file' must be set",
      ]);
      const job = newJob(idTokenEnv(cloud));
      assert.equal(
        (
          await job.run(major(5), 'first', {
            inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region },
          })
        ).exitCode,
        0,
      );
      const existing = await job.run(major(5), 'again', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'use-existing-credentials': 'false' },
      });
      assert.equal(existing.exitCode, 0, existing.stdout + existing.stderr);
      assert.match(existing.stdout, /::notice::Pre-existing credentials are valid\. No need to generate new ones\./);
      const v4 = await job.run(major(4), 'v4', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'use-existing-credentials': 'false' },
      });
      assert.doesNotMatch(v4.stdout, /Pre-existing credentials/);
    });
  });

  describe('v6', () => {
    it('checks the role session name before any call, and allowed-account-ids on the account it ends in', async () => {
      const short = await newJob(idTokenEnv(cloud)).run(major(6), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'role-session-name': 'a' },
      });
      assert.deepEqual(short.errors, ["Role session name must be between 2 and 64 characters, got 1: 'a'"]);
      const bad = await newJob(idTokenEnv(cloud)).run(major(6), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'role-session-name': 'deploy me' },
      });
      assert.deepEqual(bad.errors, [
        "Role session name is not valid: 'deploy me'. Must satisfy regular expression pattern: [\\w+=,.@-]*",
      ]);
      const oidc = await newJob(idTokenEnv(cloud)).run(major(6), 'aws', {
        inputs: {
          'role-to-assume': iam.oidcRoleArn,
          'aws-region': cloud.region,
          'allowed-account-ids': '111111111111',
        },
      });
      assert.deepEqual(oidc.errors, [
        `The account ID of the provided credentials (${cloud.accountId}) does not match any of the expected account IDs: 111111111111`,
      ]);
    });

    it('reaches STS at sts-endpoint (v6.2), with the retries said as info lines', async () => {
      const job = newJob({ ...idTokenEnv(cloud), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
      const step = await job.run(major(6), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'sts-endpoint': cloud.url },
      });
      assert.equal(step.exitCode, 0, step.stdout + step.stderr);
      assert.equal(step.outputs['aws-account-id'], cloud.accountId);
      const refused = await newJob(idTokenEnv(cloud, 'refs/heads/feature')).run(major(6), 'aws', {
        inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region, 'retry-max-attempts': '2' },
      });
      assert.match(
        refused.stdout,
        /Retry AssumeRole: attempt 1 of 2 failed: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity\. Retrying after \d+ms\./,
      );
      assert.match(refused.stdout, /Retry AssumeRole: reached max retries \(2\); giving up\./);
    });

    it('tags sessions with the run, the extra v6 tags and custom-tags, refusing a protected key', async () => {
      const job = newJob({ GITHUB_JOB: 'deploy', GITHUB_RUN_ID: '42' });
      const step = await job.run(major(6), 'aws', {
        inputs: { ...keys(), 'role-to-assume': iam.deployRoleArn, 'custom-tags': '{"Team": "platform", "Cost": 7}' },
      });
      assert.equal(step.exitCode, 0, step.stdout + step.stderr);
      assert.deepEqual(session(step).tags, {
        GitHub: 'Actions',
        Repository: 'your-username/ecsapp',
        Workflow: 'Deploy to ECS',
        Action: 'aws',
        Actor: 'your-username',
        Commit: 'f'.repeat(40),
        Branch: 'refs/heads/main',
        EventName: 'push',
        RunId: '42',
        Job: 'deploy',
        Team: 'platform',
        Cost: '7',
      });
      const conflict = await newJob().run(major(6), 'aws', {
        inputs: {
          ...keys(),
          'role-to-assume': iam.deployRoleArn,
          'custom-tags': '{"Repository": "x"}',
          'disable-retry': 'true',
        },
      });
      assert.deepEqual(conflict.errors, [
        "custom-tags: key 'Repository' conflicts with a protected session tag set by this action and cannot be overridden",
      ]);
    });

    it('writes an aws-profile instead of exporting the credentials, and keeps an existing one unless told to overwrite', async () => {
      const job = newJob();
      const step = await job.run(major(6), 'aws', { inputs: { ...keys(), 'aws-profile': 'ci' } });
      assert.equal(step.exitCode, 0, step.stdout + step.stderr);
      assert.match(step.stdout, /✓ Successfully configured AWS profile: ci/);
      assert.equal(
        step.exported.AWS_ACCESS_KEY_ID,
        undefined,
        'nothing exported: output-env-credentials defaults to false with a profile',
      );
      const credentials = readFileSync(job.env.AWS_SHARED_CREDENTIALS_FILE ?? '', 'utf8');
      assert.equal(
        credentials,
        `[ci]\naws_access_key_id = ${iam.user.accessKeyId}\naws_secret_access_key = ${iam.user.secretAccessKey}\n`,
      );
      assert.equal(readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8'), `[profile ci]\nregion = ${cloud.region}\n`);
      const again = await job.run(major(6), 'again', { inputs: { ...keys(), 'aws-profile': 'ci' } });
      assert.deepEqual(again.errors, [
        `Failed to write AWS profile 'ci': Profile with name "ci" already exists. Please use the overwrite-aws-profile input if you want to overwrite existing profiles.`,
      ]);
      const exported = await job.run(major(6), 'exported', {
        inputs: { ...keys(), 'aws-profile': 'ci', 'overwrite-aws-profile': 'true', 'output-env-credentials': 'true' },
      });
      assert.equal(exported.exitCode, 0, exported.stdout + exported.stderr);
      assert.equal(exported.exported.AWS_PROFILE, 'ci');
      const post = await job.post(major(6), 'exported', exported, {
        inputs: { 'aws-profile': 'ci', 'output-env-credentials': 'true' },
      });
      assert.equal(post.exported.AWS_PROFILE, '');
    });
  });
});
