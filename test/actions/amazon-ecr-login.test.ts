/**
 * dockyard's amazon-ecr-login against a real cloud and a real docker client (talking to Podman):
 * after configure-aws-credentials, it logs docker in to the cloud's registry, outputs the
 * registry and the masked credentials, and the post step logs out again. Failures keep the
 * real action's wording.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { idTokenEnv, setUpIam, type IamFixture } from './aws-setup.js';
import { ACTIONS, DOCKER_HOST, dockerAuths, TestJob } from './support.js';

/** The cloud's registry as the engine knows it (localhost:PORT), and the outputs' name suffix; set in `before`. */
let REGISTRY = '';
let SUFFIX = '';

describe('amazon-ecr-login (built-in)', () => {
  let cloud: TestCloud;
  let iam: IamFixture;
  const jobs: TestJob[] = [];

  /** A job that has run configure-aws-credentials with OIDC. */
  async function authenticatedJob(env: Record<string, string> = {}): Promise<TestJob> {
    const job = new TestJob({ env: { AWS_ENDPOINT_URL: cloud.url, DOCKER_HOST, ...idTokenEnv(cloud), ...env } });
    jobs.push(job);
    const creds = await job.run(ACTIONS.configureAwsCredentials, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region },
    });
    assert.equal(creds.exitCode, 0, creds.stdout + creds.stderr);
    return job;
  }

  before(async () => {
    cloud = await startTestCloud({ engine: true });
    REGISTRY = `localhost:${cloud.port}`;
    SUFFIX = `localhost_${cloud.port}`;
    iam = await setUpIam(cloud);
  });
  after(async () => {
    for (const job of jobs) job.dispose();
    await cloud.stop();
  });

  it('logs docker in to the registry, outputs the credentials masked, and logs out in post', async () => {
    const job = await authenticatedJob();
    const login = await job.run(ACTIONS.ecrLogin, 'login-ecr');
    assert.equal(login.exitCode, 0, login.stdout + login.stderr);
    assert.equal(login.outputs.registry, REGISTRY);
    assert.equal(login.outputs[`docker_username_${SUFFIX}`], 'AWS');
    const password = login.outputs[`docker_password_${SUFFIX}`] ?? '';
    assert.ok(password.length > 20);
    assert.ok(login.masks.includes(password));
    assert.equal(login.state.registries, REGISTRY);
    assert.match(login.stdout, new RegExp(`Logging into registry ${REGISTRY}`));
    const printed = login.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    assert.ok(!printed.some((line) => line.includes(password)), 'the password is printed only to mask it');
    assert.deepEqual(dockerAuths(job), [REGISTRY]);

    const logout = await job.post(ACTIONS.ecrLogin, 'login-ecr', login);
    assert.equal(logout.exitCode, 0, logout.stdout + logout.stderr);
    assert.match(logout.stdout, new RegExp(`Logging out of registry ${REGISTRY}`));
    assert.deepEqual(dockerAuths(job), []);
  });

  it('v1 leaves the password unmasked by default and warns; skip-logout saves no state', async () => {
    const job = await authenticatedJob();
    const login = await job.run(ACTIONS.ecrLoginV1, 'login-ecr', {
      inputs: { 'skip-logout': 'true', registries: cloud.accountId },
    });
    assert.equal(login.exitCode, 0, login.stdout + login.stderr);
    const password = login.outputs[`docker_password_${SUFFIX}`] ?? '';
    assert.ok(password && !login.masks.includes(password));
    assert.match(login.warnings[0] ?? '', /^Your docker password is not masked\..*v2 release/);
    assert.deepEqual(login.state, {});
  });

  it('reports a failed docker login with the real wording (here: no docker in the job, act#119)', async () => {
    const job = await authenticatedJob();
    const login = await job.run(ACTIONS.ecrLogin, 'login-ecr', { env: { PATH: '/nonexistent' } });
    assert.equal(login.exitCode, 1);
    assert.match(login.errors[0] ?? '', new RegExp(`^Could not login to registry ${REGISTRY}: .*ENOENT`));
    assert.deepEqual(login.state, {});
  });

  it('fails without credentials; with several registries it logs in to each and outputs no registry', async () => {
    const bare = new TestJob({ env: { AWS_ENDPOINT_URL: cloud.url, DOCKER_HOST, AWS_REGION: cloud.region } });
    jobs.push(bare);
    const anonymous = await bare.run(ACTIONS.ecrLogin, 'login-ecr');
    assert.equal(anonymous.exitCode, 1);
    assert.equal(anonymous.errors[0], 'Could not load credentials from any providers');

    const job = await authenticatedJob();
    const two = await job.run(ACTIONS.ecrLogin, 'login-ecr', {
      inputs: { registries: `${cloud.accountId},999999999999` },
    });
    assert.equal(two.exitCode, 0, two.stdout + two.stderr);
    assert.equal(two.outputs.registry, undefined);
    assert.equal(two.state.registries, `${REGISTRY},${REGISTRY}`);
  });

  it('rejects registry types it does not have', async () => {
    const job = await authenticatedJob();
    const unknown = await job.run(ACTIONS.ecrLogin, 'login-ecr', { inputs: { 'registry-type': 'secret' } });
    assert.deepEqual(unknown.errors, ["Invalid input for 'registry-type', possible options are [private, public]"]);
    const pub = await job.run(ACTIONS.ecrLogin, 'login-ecr', { inputs: { 'registry-type': 'public' } });
    assert.equal(pub.exitCode, 1);
    assert.match(pub.errors[0] ?? '', /not supported/);
  });
});
