/**
 * The deploy actions against a cloud that runs tasks as containers (Podman): render → deploy
 * with wait-for-service-stability succeeds once the new revision is running alone, and v2 fails
 * when the deployment circuit breaker rolled a crashing revision back (v1 does not look).
 */
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { cloudLabelFor, LABEL } from '../../src/runtime/runtime.js';

import { prepare, registerWeb, startRuntimeCloud, type Fixture } from '../runtime/support.js';
import { ACTIONS, TestJob } from './support.js';
import { waitFor } from '../support/wait-for.js';

describe('amazon-ecs-deploy-task-definition (built-in, with the runtime)', () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-action-deploy-'));
  let cloud: Cloud;
  let f: Fixture;
  const jobs: TestJob[] = [];
  const newJob = () => {
    const { accessKeyId, secretAccessKey } = cloud.state.admin;
    const job = new TestJob({
      env: {
        AWS_ENDPOINT_URL: cloud.url,
        AWS_REGION: cloud.region,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
      },
    });
    jobs.push(job);
    return job;
  };
  async function createService(name: string, taskDefinition: string): Promise<void> {
    await f.ecs.send(
      new CreateServiceCommand({
        cluster: 'apps',
        serviceName: name,
        taskDefinition,
        desiredCount: 1,
        launchType: 'FARGATE',
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          minimumHealthyPercent: 100,
          maximumPercent: 200,
        },
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [f.subnet], securityGroups: [f.group], assignPublicIp: 'ENABLED' },
        },
      }),
    );
  }

  before(async () => {
    await engine.ping(AbortSignal.timeout(5000));
    cloud = await startRuntimeCloud(engine, dataDir, { timings: { noHealthCheckGraceMs: 1500 } });
    f = await prepare(cloud, engine);
  });
  after(async () => {
    for (const job of jobs) job.dispose();
    await cloud.stop();
    for (const c of await engine.listContainers({ labels: { [LABEL.cloud]: cloudLabelFor(dataDir) } }))
      await engine.removeContainer(c.id, { force: true });
    await engine.removeImage(f.localImage).catch(() => undefined);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders a new revision from the family and waits until the service runs it alone', async () => {
    const v1 = await registerWeb(cloud, f.ecs, 'web', 'exec');
    await createService('web', v1);
    const job = newJob();
    const rendered = await job.run(ACTIONS.renderTaskDefinition, 'render', {
      inputs: {
        'task-definition-family': 'web',
        'container-name': 'web',
        image: `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com/tiny:1`,
        'environment-variables': 'VERSION=2',
      },
    });
    assert.equal(rendered.exitCode, 0, rendered.stdout + rendered.stderr);
    const started = Date.now();
    const deployed = await job.run(ACTIONS.deployTaskDefinition, 'deploy', {
      inputs: {
        'task-definition': rendered.outputs['task-definition'] ?? '',
        cluster: 'apps',
        service: 'web',
        'wait-for-service-stability': 'true',
        'wait-for-minutes': '2',
      },
    });
    assert.equal(deployed.exitCode, 0, deployed.stdout + deployed.stderr);
    // The cloud may still say IN_PROGRESS at the first stable poll (AWS marks COMPLETED a little later too).
    assert.match(deployed.stdout, /Deployment ecs-svc\/\d+ verified: rolloutState=(IN_PROGRESS|COMPLETED)/);
    assert.ok(Date.now() - started < 60_000, 'polling every 2 s, not 15');
    const service = (await f.ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: ['web'] })))
      .services?.[0];
    assert.equal(service?.taskDefinition, deployed.outputs['task-definition-arn']);
    assert.equal(service?.deployments?.length, 1);
    assert.equal(service?.runningCount, 1);
  });

  it('v2 fails when the circuit breaker rolled the new revision back; v1 reports success', async () => {
    const good = await registerWeb(cloud, f.ecs, 'breaker', 'exec');
    await createService('breaker', good);
    // A rollback returns to the last COMPLETED deployment: without one, a failed deployment just stays FAILED.
    await waitFor(
      'breaker steady',
      async () => {
        const s = (await f.ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: ['breaker'] })))
          .services?.[0];
        return s?.deployments?.length === 1 && s.runningCount === 1 && s.deployments[0]?.rolloutState === 'COMPLETED'
          ? true
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const described = await f.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: good }));
    const crashing = JSON.parse(JSON.stringify(described.taskDefinition)) as {
      containerDefinitions: Record<string, unknown>[];
    };
    Object.assign(crashing.containerDefinitions[0] ?? {}, { entryPoint: ['/bin/sh'], command: ['-c', 'exit 1'] });

    const job = newJob();
    writeFileSync(join(job.workspace, 'crashing.json'), JSON.stringify(crashing));
    const inputs = {
      'task-definition': 'crashing.json',
      cluster: 'apps',
      service: 'breaker',
      'wait-for-service-stability': 'true',
      'wait-for-minutes': '3',
    };
    const v2 = await job.run(ACTIONS.deployTaskDefinition, 'deploy', { inputs });
    assert.equal(v2.exitCode, 1, v2.stdout + v2.stderr);
    // The describe-only fields copied from DescribeTaskDefinition were dropped with warnings.
    assert.ok(v2.warnings.some((warning) => warning.startsWith("Ignoring property 'taskDefinitionArn'")));
    const after = (await f.ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: ['breaker'] })))
      .services?.[0];
    const seen = JSON.stringify({
      runningCount: after?.runningCount,
      desiredCount: after?.desiredCount,
      deployments: after?.deployments?.map((d) => [d.id, d.status, d.rolloutState, d.runningCount, d.taskDefinition]),
      events: after?.events?.slice(0, 5).map((e) => e.message),
    });
    assert.match(
      v2.errors[0] ?? '',
      /^Deployment ecs-svc\/\d+ (not found after stabilization\. The deployment was likely rolled back by the deployment circuit breaker\.|FAILED: .+)$/,
      seen,
    );

    const v1 = await job.run(ACTIONS.deployTaskDefinitionV1, 'deploy', { inputs });
    assert.equal(v1.exitCode, 0, v1.stdout + v1.stderr);
  });
});
