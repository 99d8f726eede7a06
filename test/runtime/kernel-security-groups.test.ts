/**
 * Security groups enforced by the kernel (src/runtime/task-firewall.ts), driven as a user
 * would: a task in a group with no ingress rule refuses the host (at its private and its public
 * address), another task of its cloud and a task of another cloud; AuthorizeSecurityGroupIngress
 * through the AWS CLI with a source group opens it to that group's tasks only, and with a CIDR
 * (the host's address on the task network) to the host only. No port is published on the host.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { cloudLabelFor, LABEL } from '../../src/runtime/runtime.js';
import { HOST_PUBLIC_SOURCE, TASK_NETWORK_LABEL } from '../../src/runtime/task-firewall.js';
import { Ec2Store } from '../../src/services/ec2/store.js';
import { awsCliJson } from '../support/aws-cli.js';
import { claimTaskAddressRange } from '../support/ports.js';
import { waitFor } from '../support/wait-for.js';
import {
  addressOf,
  CONTAINER_PORT,
  httpGet,
  prepare,
  registerWeb,
  runTask,
  startRuntimeCloud,
  startRuntimeSuite,
  stopRuntimeSuite,
  untilStatus,
  type Fixture,
} from './support.js';

/** Connects from inside a task's container with perl built-ins: `open` or `refused`. */
async function reach(engine: DockerApiEngine, containerId: string, ip: string): Promise<string> {
  const script = `socket(S,2,1,6) or die; my $a = pack('S n a4 x8', 2, ${CONTAINER_PORT}, pack('C4', split(/\\./, '${ip}'))); print(connect(S, $a) ? 'open' : 'refused');`;
  const result = await engine.exec(containerId, ['/bin/perl', '-e', script]);
  return result.output.trim();
}

describe('runtime: security groups in the kernel', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  const engine = new DockerApiEngine();
  const engineB = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-sgnet-a-'));
  const dataDirB = mkdtempSync(join(tmpdir(), 'dockyard-sgnet-b-'));
  let cloud: Cloud;
  let cloudB: Cloud | undefined;
  let f: Fixture;

  before(async () => ({ cloud, f } = await startRuntimeSuite(engine, dataDir)));
  after(async () => {
    if (cloudB) {
      await cloudB.stop();
      for (const c of await engineB.listContainers({ labels: { [LABEL.cloud]: cloudLabelFor(dataDirB) } }))
        await engineB.removeContainer(c.id, { force: true });
      await engineB.close();
      rmSync(dataDirB, { recursive: true, force: true });
    }
    await stopRuntimeSuite({ engine, dataDir, cloud, f });
  });

  it('refuses every source without a rule; a source-group rule and a CIDR rule open exactly theirs', async () => {
    const admin = { url: cloud.url, region: cloud.region, admin: cloud.state.admin };
    const aws = async (...args: string[]): Promise<Record<string, unknown>> => awsCliJson(admin, args);
    const ec2 = new Ec2Store(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
    const vpcId = ec2.subnet(f.subnet)?.vpcId ?? '';
    const created = await aws(
      'ec2',
      'create-security-group',
      '--group-name',
      'locked',
      '--description',
      'x',
      '--vpc-id',
      vpcId,
    );
    const locked = String(created.GroupId);

    const definition = await registerWeb(cloud, f.ecs, 'guarded', 'exec');
    const guarded = await runTask({ ...f, group: locked }, definition);
    const peer = await runTask(f, definition);
    const target = await untilStatus(f.ecs, guarded, 'RUNNING');
    const neighbour = await untilStatus(f.ecs, peer, 'RUNNING');
    const privateIp = addressOf(target) ?? '';
    const eniId = target.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value ?? '';
    const publicIp = ec2.getNetworkInterface(eniId)?.publicIp ?? '';
    assert.notEqual(privateIp, publicIp, 'the private address is the task network one');
    assert.equal(ec2.getNetworkInterface(eniId)?.privateIp, privateIp, 'the ENI has the address the task uses');
    const network = (await engine.listNetworks(TASK_NETWORK_LABEL)).find(
      (n) => n.labels[TASK_NETWORK_LABEL] === cloudLabelFor(dataDir),
    );
    assert.ok(network, "the cloud's task network");
    /** AuthorizeSecurityGroupIngress on `locked`, TCP CONTAINER_PORT from one peer. */
    const authorize = (...peer: string[]) =>
      aws(
        'ec2',
        'authorize-security-group-ingress',
        '--group-id',
        locked,
        '--protocol',
        'tcp',
        '--port',
        String(CONTAINER_PORT),
        ...peer,
      );
    const neighbourId = neighbour.containers?.[0]?.runtimeId ?? '';
    const details = await engine.inspectContainer(target.containers?.[0]?.runtimeId ?? '');
    assert.deepEqual(details.ports, [], 'no port published on the host');
    // The neighbour's own app answers it from the host (its group admits 0.0.0.0/0): the path works.
    assert.equal(
      await waitFor('the neighbour app', () => httpGet(addressOf(neighbour) ?? '', CONTAINER_PORT)),
      'hello',
    );

    // Another cloud's task.
    // The process's claimed range is 127.0.K.x; the second cloud's is 127.1.K.x (no cloud here uses it).
    const range = claimTaskAddressRange();
    const taskAddressRange = {
      first: range.first.replace(/^127\.0\./, '127.1.'),
      last: range.last.replace(/^127\.0\./, '127.1.'),
    };
    cloudB = await startRuntimeCloud(engineB, dataDirB, { taskAddressRange });
    const fB = await prepare(cloudB, engineB);
    const stranger = await untilStatus(
      fB.ecs,
      await runTask(fB, await registerWeb(cloudB, fB.ecs, 'web', 'exec')),
      'RUNNING',
    );
    const strangerId = stranger.containers?.[0]?.runtimeId ?? '';

    // No rule: refused from the host on both addresses, from a task of its cloud and of the other.
    assert.equal(await httpGet(privateIp, CONTAINER_PORT), undefined);
    assert.equal(await httpGet(publicIp, CONTAINER_PORT), undefined);
    assert.equal(await reach(engine, neighbourId, privateIp), 'refused');
    assert.equal(await reach(engineB, strangerId, privateIp), 'refused');

    // A rule by source group: the default group's tasks, nobody else.
    await authorize('--source-group', f.group);
    await waitFor('the neighbour is admitted', async () =>
      (await reach(engine, neighbourId, privateIp)) === 'open' ? true : undefined,
    );
    assert.equal(await httpGet(privateIp, CONTAINER_PORT), undefined);
    assert.equal(await httpGet(publicIp, CONTAINER_PORT), undefined);
    assert.equal(await reach(engineB, strangerId, privateIp), 'refused');

    // A rule by CIDR: the host's address on the task network opens the private address to it;
    // its public one is reached from the host's public source, which another rule opens.
    await authorize('--cidr', `${network.gateway}/32`);
    assert.equal(await waitFor('the host is admitted', () => httpGet(privateIp, CONTAINER_PORT)), 'hello');
    assert.equal(await httpGet(publicIp, CONTAINER_PORT), undefined);
    assert.equal(await reach(engineB, strangerId, privateIp), 'refused');
    await authorize('--cidr', `${HOST_PUBLIC_SOURCE}/32`);
    assert.equal(await waitFor('the public address opens', () => httpGet(publicIp, CONTAINER_PORT)), 'hello');
    assert.equal(await reach(engineB, strangerId, privateIp), 'refused');
  });
});
