/**
 * The pure parts of job containers: the host ↔ job path mapping, the job namespace's firewall
 * rules (checked by iptables-restore's own parser), and the AWS host names a job resolves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILDX_BUNDLE } from '../../src/actions/docker/buildx-runner.js';
import { jobMounts, PathMapping } from '../../src/runner/container/job-mounts.js';
import { jobRules, networkOf } from '../../src/runner/container/job-network.js';
import { readJobContainer, readServices, ServiceSpecError } from '../../src/runner/container/job-services.js';
import { AWS_REGIONS, awsServiceHostnames, isEcrRegistryHost } from '../../src/tls/aws-hostnames.js';
import { run } from '../support/run.js';

describe('job containers: units', () => {
  it("maps host paths to the job's and back, the longest mount first", () => {
    const paths = new PathMapping([
      { host: '/data/work/7-build', job: '/home/runner/work' },
      { host: '/data/actions', job: '/home/runner/work/_actions' },
    ]);
    assert.equal(paths.toJob('/data/work/7-build/app/app'), '/home/runner/work/app/app');
    assert.equal(paths.toJob('/data/work/7-build'), '/home/runner/work');
    assert.equal(paths.toJob('/data/actions/actions/checkout/v4'), '/home/runner/work/_actions/actions/checkout/v4');
    assert.equal(
      paths.toJob('/data/work/7-builder/x'),
      '/data/work/7-builder/x',
      'a prefix is matched by whole components',
    );
    assert.equal(paths.toHost('/home/runner/work/_actions/a'), '/data/actions/a');
    assert.equal(paths.toHost('/home/runner/work/app/../_temp'), '/data/work/7-build/_temp');
    assert.equal(paths.toHost('/tmp'), undefined, "the container's own paths are not on the host");
  });

  it("mounts only the job's directory writable; actions' code, the CA and the guard's socket as files of their own", () => {
    const { mounts, paths } = jobMounts({
      jobRoot: '/d/work/1-a',
      fileCommands: '/d/work/1-a.files',
      actionCache: '/d/actions',
      builtinActions: '/pkg/builtin-actions',
      packageRoot: '/pkg',
      dockerSocket: '/d/work/1-a.docker/docker.sock',
      caCert: '/d/tls/ca.crt',
    });
    assert.deepEqual(
      mounts.filter((m) => !m.readOnly).map((m) => `${m.hostPath}:${m.containerPath}`),
      [
        '/d/work/1-a:/home/runner/work',
        '/d/work/1-a.files:/home/runner/work/_temp/_runner_file_commands',
        '/d/work/1-a.docker/docker.sock:/var/run/docker.sock',
      ],
    );
    assert.equal(paths.toJob('/d/work/1-a.files/env_1'), '/home/runner/work/_temp/_runner_file_commands/env_1');
    assert.ok(
      mounts.every(
        (m) => !m.hostPath.endsWith('/d') && !m.hostPath.endsWith('admin.json') && !m.hostPath.includes('podman'),
      ),
      JSON.stringify(mounts),
    );
    // The docker actions find buildx's bundle beside dist/src: without it setup-buildx-action says
    // "Docker buildx is required" in every job container.
    assert.ok(BUILDX_BUNDLE.endsWith('/dist/buildx/docker-buildx.cjs'), BUILDX_BUNDLE);
    assert.deepEqual(
      mounts.find((m) => m.containerPath === '/opt/dockyard/dist/buildx'),
      { hostPath: '/pkg/dist/buildx', containerPath: '/opt/dockyard/dist/buildx', readOnly: true },
    );
    assert.deepEqual(
      mounts.find((m) => m.hostPath === '/d/tls/ca.crt'),
      { hostPath: '/d/tls/ca.crt', containerPath: '/usr/local/share/ca-certificates/dockyard-ca.crt', readOnly: true },
    );
  });

  it("the job namespace's rules: the cloud at localhost:PORT and the gateway's 443, the host and the bridges refused", async () => {
    const rules = jobRules({
      port: 4566,
      gateway: '10.89.0.1',
      subnet: '10.89.0.0/24',
      containerIp: '10.89.0.7',
      hostAddresses: ['192.168.1.10', '10.88.0.1'],
      bridgeSubnets: ['10.88.0.0/16'],
      tasks: {
        nat: ['-A DOCKYARD-TASKS -d 127.3.0.2/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.89.0.1:40001'],
        filter: ['-A DOCKYARD-TASKS-OK -d 10.89.0.1/32 -p tcp -m tcp --dport 40001 -j ACCEPT'],
      },
    });
    assert.match(
      rules,
      /-A OUTPUT -d 127\.0\.0\.1\/32 -p tcp -m tcp --dport 4566 -j DNAT --to-destination 10\.89\.0\.1:4566/,
    );
    assert.match(
      rules,
      /-A OUTPUT -d 10\.89\.0\.1\/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination 10\.89\.0\.1:4566/,
    );
    const filter = rules.slice(rules.indexOf('*filter'));
    const accepted = Math.max(
      filter.indexOf('--dport 4566 -j ACCEPT'),
      filter.indexOf('-A OUTPUT -j DOCKYARD-TASKS-OK'),
    );
    for (const refused of ['192.168.1.10/32', '10.88.0.1/32', '10.88.0.0/16', '10.89.0.0/24']) {
      const at = filter.indexOf(`-A OUTPUT -d ${refused} -j REJECT`);
      assert.ok(at > accepted, `${refused} refused after the cloud's port is accepted`);
    }
    // iptables-restore's own parser accepts them (--test: nothing is applied).
    const checked = await run('iptables-restore', ['--test'], { input: rules });
    assert.equal(checked.status, 0, checked.stderr);
    assert.equal(networkOf('10.88.0.1/16'), '10.88.0.0/16');
    assert.equal(networkOf('192.168.1.10/24'), '192.168.1.0/24');
  });

  it("AWS host names: global STS and IAM, each service in every region, the account's registry", () => {
    const hosts = awsServiceHostnames('123456789012');
    for (const host of [
      'sts.amazonaws.com',
      'iam.amazonaws.com',
      'sts.us-east-1.amazonaws.com',
      'api.ecr.eu-west-1.amazonaws.com',
      'ecs.ap-southeast-2.amazonaws.com',
      'logs.us-west-2.amazonaws.com',
      'secretsmanager.eu-west-1.amazonaws.com',
      'ssm.me-west-1.amazonaws.com',
      'ssm.us-east-1.amazonaws.com',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    ]) {
      assert.ok(hosts.includes(host), host);
    }
    assert.equal(hosts.length, 2 + AWS_REGIONS.length * 9);
    assert.ok(isEcrRegistryHost('123456789012.dkr.ecr.eu-central-1.amazonaws.com', '123456789012'));
    assert.ok(
      !isEcrRegistryHost('999999999999.dkr.ecr.eu-central-1.amazonaws.com', '123456789012'),
      'another account is not this cloud',
    );
    assert.ok(!isEcrRegistryHost('123456789012.dkr.ecr.moon-1.amazonaws.com', '123456789012'));
    assert.ok(!isEcrRegistryHost('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', '123456789012'));
  });

  it('reads services: and container: as GitHub documents them, refusing what dockyard does not honour', () => {
    const [pg] = readServices({
      postgres: {
        image: 'postgres:16',
        env: { POSTGRES_PASSWORD: 'x', N: 5 },
        ports: ['5433:5432', 6379],
        options: '--health-cmd "pg_isready -U postgres" --health-interval=2s --health-timeout 5s --health-retries 5',
      },
    });
    assert.deepEqual(pg, {
      key: 'postgres',
      image: 'postgres:16',
      env: { POSTGRES_PASSWORD: 'x', N: '5' },
      ports: [
        { host: 5433, container: 5432 },
        { host: 6379, container: 6379 },
      ],
      health: { command: 'pg_isready -U postgres', intervalMs: 2000, timeoutMs: 5000, retries: 5, startPeriodMs: 0 },
    });
    assert.deepEqual(readServices({ redis: 'redis:7' })[0]?.image, 'redis:7');
    assert.throws(
      () => readServices({ db: { image: 'x', options: '--privileged' } }),
      /only the --health-\* options, not '--privileged'/,
    );
    assert.throws(() => readServices({ db: { image: 'x', volumes: ['/:/host'] } }), ServiceSpecError);
    assert.throws(() => readServices({ db: { image: 'x', ports: ['53/udp'] } }), /not a TCP port mapping/);
    assert.throws(() => readServices({ 'bad name!': { image: 'x' } }), /host name label/);
    assert.deepEqual(readJobContainer({ image: 'node:20', env: { A: '1' } }), { image: 'node:20', env: { A: '1' } });
    assert.deepEqual(readJobContainer('node:20'), { image: 'node:20', env: {} });
    assert.throws(
      () => readJobContainer({ image: 'node:20', options: '--cap-add SYS_ADMIN' }),
      /container\.options is not supported/,
    );
  });
});
