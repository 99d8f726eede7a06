/**
 * Unit tests of the guard's pure parts: which endpoint a request is, what a container, network,
 * volume or build may ask, how image names and credentials are mapped.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BindRoots } from '../../src/docker-guard/bind-paths.js';
import { reviewBuild } from '../../src/docker-guard/build-policy.js';
import { checkExecCreate, reviewContainerCreate, type ReviewContext } from '../../src/docker-guard/container-policy.js';
import { mapImageName, mapRegistryAuth, mapRegistryConfig, referenceKey } from '../../src/docker-guard/image-names.js';
import { parseObject, type JsonObject } from '../../src/docker-guard/json-input.js';
import { reviewNetworkCreate, reviewVolumeCreate } from '../../src/docker-guard/network-volume-policy.js';
import { GuardRefusal } from '../../src/docker-guard/refusal.js';
import { detectRoute } from '../../src/docker-guard/routes.js';

/** Asserts a refusal with `status` whose message matches `pattern`. */
function refused(fn: () => unknown, pattern: RegExp, status = 403): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GuardRefusal, `expected a refusal, got ${String(e)}`);
    assert.equal(e.status, status);
    assert.match(e.message, /^dockyard: /);
    assert.match(e.message, pattern);
    return true;
  });
}

const ecr = (host: string) => (host === '000000000000.dkr.ecr.us-east-1.amazonaws.com' ? 'localhost:45675' : undefined);

describe('routes', () => {
  it('detects operations with or without a version prefix, naming the target and its template', () => {
    assert.deepEqual(detectRoute('GET', '/v1.41/containers/json'), { operation: 'ContainerList', version: '/v1.41' });
    assert.deepEqual(detectRoute('GET', '/_ping'), { operation: 'SystemPing', version: '' });
    assert.deepEqual(detectRoute('POST', '/v1.44/containers/web/start'), {
      operation: 'ContainerStart',
      target: 'web',
      template: '/containers/{}/start',
      version: '/v1.44',
    });
    assert.deepEqual(detectRoute('POST', '/v1.41/images/localhost:5000/team/app/push'), {
      operation: 'ImagePush',
      target: 'localhost:5000/team/app',
      template: '/images/{}/push',
      version: '/v1.41',
    });
    assert.deepEqual(detectRoute('DELETE', '/v1.41/images/sha256:abc'), {
      operation: 'ImageDelete',
      target: 'sha256:abc',
      template: '/images/{}',
      version: '/v1.41',
    });
    assert.equal(detectRoute('POST', '/v1.41/exec/abc/start').operation, 'ExecStart');
    assert.equal(detectRoute('HEAD', '/v1.41/containers/x/archive').operation, 'ContainerArchiveInfo');
    assert.equal(detectRoute('GET', '/containers/x%2Fy/json').target, 'x/y');
  });

  it('refuses endpoints off the list, naming them', () => {
    refused(
      () => detectRoute('GET', '/v1.41/libpod/containers/json'),
      /GET \/libpod\/containers\/json is not allowed: Podman's own API/,
    );
    refused(() => detectRoute('POST', '/v1.41/swarm/init'), /swarm mode/);
    refused(() => detectRoute('GET', '/v1.41/secrets'), /swarm mode/);
    refused(() => detectRoute('POST', '/v1.41/plugins/pull'), /plugins/);
    refused(() => detectRoute('POST', '/session'), /BuildKit/);
    refused(() => detectRoute('POST', '/v1.41/images/prune'), /pruning images/);
    refused(() => detectRoute('PUT', '/v1.41/containers/x/start'), /PUT \/containers\/x\/start is not allowed/);
    refused(() => detectRoute('GET', '/v1.41/nonsense'), /GET \/nonsense is not allowed/);
    refused(() => detectRoute('GET', '/containers/%E0%A4%A/json'), /percent-encoding/, 400);
  });
});

describe('container create review', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-guard-policy-'));
  const roots = new BindRoots(
    [{ hostPath: dir, jobPath: '/github/workspace' }],
    ['/run/podman/podman.sock'],
    join(dir, 'docker.sock'),
  );
  const ctx: ReviewContext = { roots, labels: { 'dockyard.job': 'j1', 'dockyard.cloud': 'c1' }, registries: ecr };
  after(() => rmSync(dir, { recursive: true, force: true }));
  const review = (body: JsonObject) => reviewContainerCreate(body, ctx);
  const host = (hostConfig: JsonObject) => () => review({ Image: 'x', HostConfig: hostConfig });

  it('adds the job labels, maps the image and the bind sources, and collects references', () => {
    const r = review({
      Image: '000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1',
      Labels: { mine: 'yes' },
      HostConfig: {
        Binds: [`/github/workspace/src:/src:ro`, 'cache:/cache'],
        Mounts: [
          { Type: 'bind', Source: '/github/workspace', Target: '/w' },
          { Type: 'volume', Source: 'data', Target: '/d' },
          { Type: 'tmpfs', Target: '/t' },
        ],
        VolumesFrom: ['sidecar:ro'],
        NetworkMode: 'mynet',
        PidMode: 'container:db',
        SecurityOpt: ['no-new-privileges'],
        Sysctls: { 'net.ipv4.ip_forward': '1' },
        Init: true,
      },
      NetworkingConfig: { EndpointsConfig: { mynet: {}, bridge: {} } },
    });
    assert.equal(r.body.Image, 'localhost:45675/app:1');
    assert.deepEqual(r.body.Labels, { mine: 'yes', 'dockyard.job': 'j1', 'dockyard.cloud': 'c1' });
    const hc = r.body.HostConfig as JsonObject;
    assert.deepEqual(hc.Binds, [`${dir}/src:/src:ro`, 'cache:/cache']);
    assert.equal((hc.Mounts as JsonObject[])[0]?.Source, dir);
    assert.deepEqual(r.hostBinds, [`${dir}/src`, dir]);
    assert.deepEqual(
      r.containers.map((c) => c.ref),
      ['db', 'sidecar'],
    );
    assert.deepEqual(
      r.networks.map((n) => n.ref),
      ['mynet', 'mynet'],
    );
    assert.deepEqual(
      r.volumes.map((v) => v.ref),
      ['cache', 'data'],
    );
  });

  it('refuses each way out of the container, saying what and why', () => {
    refused(host({ Privileged: true }), /privileged containers \(--privileged\) are not allowed in workflow jobs/);
    refused(host({ PidMode: 'host' }), /host's process namespace \(--pid=host\)/);
    refused(host({ IpcMode: 'host' }), /--ipc=host/);
    refused(host({ UTSMode: 'host' }), /--uts=host/);
    refused(host({ UsernsMode: 'host' }), /--userns=host/);
    refused(host({ UsernsMode: 'ns:/proc/1/ns/user' }), /--userns=ns:\/proc\/1\/ns\/user is not allowed/);
    refused(host({ CgroupnsMode: 'host' }), /--cgroupns=host/);
    refused(host({ NetworkMode: 'host' }), /--network=host/);
    refused(host({ NetworkMode: 'ns:/proc/1/ns/net' }), /--network=ns:\/proc\/1\/ns\/net is not allowed/);
    refused(host({ NetworkMode: 'slirp4netns' }), /--network=slirp4netns/);
    refused(host({ Devices: [{ PathOnHost: '/dev/sda' }] }), /host devices/);
    refused(host({ DeviceRequests: [{ Count: -1 }] }), /host devices/);
    refused(host({ DeviceCgroupRules: ['c 1:3 rwm'] }), /host devices/);
    refused(host({ CapAdd: ['SYS_ADMIN'] }), /--cap-add SYS_ADMIN/);
    refused(host({ Capabilities: ['CAP_SYS_ADMIN'] }), /capability set/);
    refused(host({ SecurityOpt: ['seccomp=unconfined'] }), /--security-opt seccomp=unconfined/);
    refused(host({ SecurityOpt: ['apparmor=unconfined'] }), /apparmor=unconfined/);
    refused(host({ SecurityOpt: ['label=disable'] }), /label=disable/);
    refused(host({ MaskedPaths: [] }), /systempaths=unconfined/);
    refused(host({ Sysctls: { 'kernel.core_pattern': '|/x' } }), /--sysctl kernel.core_pattern/);
    refused(host({ CgroupParent: '/' }), /--cgroup-parent/);
    refused(host({ Runtime: 'crun' }), /--runtime crun/);
    refused(host({ VolumeDriver: 'x' }), /--volume-driver/);
    refused(host({ LogConfig: { Type: 'k8s-file', Config: { path: '/etc/passwd' } } }), /--log-opt path/);
    refused(host({ LogConfig: { Type: 'syslog' } }), /--log-driver syslog/);
    refused(host({ Annotations: { 'run.oci.keep_original_groups': '1' } }), /annotations/);
    refused(
      host({ Binds: ['/:/host'] }),
      /bind mount \/: only paths inside the job's directories \(\/github\/workspace\)/,
    );
    refused(host({ Binds: ['/run/podman/podman.sock:/s'] }), /the container engine's socket cannot be mounted/);
    refused(host({ Binds: ['/github/workspace/../../etc:/e'] }), /bind mount \/github\/workspace\/..\/..\/etc:/);
    refused(host({ Mounts: [{ Type: 'bind', Source: '/etc', Target: '/e' }] }), /bind mount \/etc/);
    refused(
      host({
        Mounts: [
          {
            Type: 'volume',
            Source: 'v',
            Target: '/v',
            VolumeOptions: { DriverConfig: { Options: { device: '/', o: 'bind' } } },
          },
        ],
      }),
      /volume driver options/,
    );
    refused(host({ Mounts: [{ Type: 'npipe', Source: 'x', Target: '/x' }] }), /--mount type=npipe/);
    refused(() => review({ Image: 'x', Labels: { 'dockyard.task': 'arn' } }), /label dockyard.task/);
  });

  it('reads field names as the engine does, whatever their case', () => {
    refused(() => review({ Image: 'x', hostconfig: { privileged: true } }), /privileged containers/);
    refused(
      () => review({ Image: 'x', HostConfig: { ſecurityOpt: ['seccomp=unconfined'] } }),
      /--security-opt seccomp=unconfined/,
    );
    refused(() => review({ Image: 'x', HostConfig: { binds: ['/:/host'] } }), /bind mount \/:/);
    refused(
      () => review({ Image: 'x', HostConfig: { Mounts: [{ type: 'bind', source: '/etc', target: '/e' }] } }),
      /bind mount \/etc/,
    );
    refused(
      () => review({ Image: 'x', HostConfig: { Privileged: false, privileged: true } }),
      /Privileged and privileged name the same field/,
      400,
    );
    refused(() => checkExecCreate({ PRIVILEGED: true }), /privileged exec sessions/);
    refused(() => reviewVolumeCreate({ Name: 'v', driveropts: { device: '/' } }, {}), /volume driver options/);
    const body: JsonObject = { Image: 'x', labels: { a: 'b' } };
    assert.deepEqual(review(body).body.Labels, { a: 'b', 'dockyard.job': 'j1', 'dockyard.cloud': 'c1' });
    assert.equal(body.labels, undefined, 'one spelling is sent on');
  });

  it('refuses malformed bodies as bad requests naming the field', () => {
    refused(host({ Binds: 'not-a-list' }), /HostConfig.Binds must be an array/, 400);
    refused(host({ PidMode: 1 }), /HostConfig.PidMode must be a string/, 400);
    refused(() => review({ Image: 'x', Labels: { a: 1 } }), /Config.Labels.a must be a string/, 400);
    refused(() => parseObject(Buffer.from('{"Image": '), 'container create'), /not valid JSON/, 400);
    refused(() => parseObject(Buffer.from('[1]'), 'container create'), /must be a JSON object/, 400);
  });

  it('refuses privileged exec sessions', () => {
    refused(() => checkExecCreate({ Cmd: ['sh'], Privileged: true }), /privileged exec sessions/);
    checkExecCreate({ Cmd: ['sh'] });
  });
});

describe('network and volume review', () => {
  const labels = { 'dockyard.job': 'j1' };
  it('labels bridge networks and local volumes', () => {
    const network: JsonObject = { Name: 'n', Driver: 'bridge', Options: { 'com.docker.network.driver.mtu': '1400' } };
    reviewNetworkCreate(network, labels);
    assert.deepEqual(network.Labels, labels);
    const volume: JsonObject = { Name: 'v', Labels: { a: 'b' } };
    reviewVolumeCreate(volume, labels);
    assert.deepEqual(volume.Labels, { a: 'b', 'dockyard.job': 'j1' });
  });

  it('refuses what would attach to the host', () => {
    refused(() => reviewNetworkCreate({ Name: 'n', Driver: 'macvlan' }, labels), /network driver macvlan/);
    refused(
      () => reviewNetworkCreate({ Name: 'n', Options: { 'com.docker.network.bridge.name': 'cni-podman0' } }, labels),
      /network option com.docker.network.bridge.name/,
    );
    refused(() => reviewNetworkCreate({ Name: 'n', IPAM: { Driver: 'dhcp' } }, labels), /IPAM driver dhcp/);
    refused(
      () => reviewVolumeCreate({ Name: 'v', DriverOpts: { type: 'none', o: 'bind', device: '/' } }, labels),
      /volume driver options \(--opt\)/,
    );
    refused(() => reviewVolumeCreate({ Name: 'v', Driver: 'nfs' }, labels), /volume driver nfs/);
  });
});

describe('build review', () => {
  const search = (q: string) => new URLSearchParams(q);
  it("takes the docker CLI's parameters, mapping tags and cache sources", () => {
    const r = reviewBuild(
      search(
        'buildargs=%7B%7D&cachefrom=%5B%22000000000000.dkr.ecr.us-east-1.amazonaws.com%2Fapp%3Acache%22%5D&cgroupparent=&cpuperiod=0&dockerfile=Dockerfile&labels=%7B%7D&networkmode=default&rm=1&shmsize=0&t=000000000000.dkr.ecr.us-east-1.amazonaws.com%2Fapp%3A1&t=app%3Alatest&target=&ulimits=null&version=1',
      ),
      ecr,
    );
    assert.deepEqual(r.search.getAll('t'), ['localhost:45675/app:1', 'app:latest']);
    assert.equal(r.search.get('cachefrom'), '["localhost:45675/app:cache"]');
    assert.deepEqual(r.tags, ['000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1', 'app:latest']);
    assert.deepEqual(r.hostReadPaths.slice(0, 3), ['Dockerfile', '.dockerignore', '.containerignore']);
  });

  it("refuses the host network, BuildKit, Podman's extra parameters and Dockerfiles outside the context", () => {
    refused(() => reviewBuild(search('networkmode=host'), undefined), /host's network \(--network=host\)/);
    refused(() => reviewBuild(search('version=2'), undefined), /BuildKit/);
    refused(() => reviewBuild(search('remote=https://example.com/ctx.tar'), undefined), /from a URL/);
    for (const extra of [
      'addcaps=["SYS_ADMIN"]',
      'devices=["/dev/sda"]',
      'secrets=["id=a,src=/data/admin.json"]',
      'nsoptions=[{"Name":"network","Host":true}]',
      'rusagelogfile=/etc/x',
      'additionalbuildcontexts={}',
      'seccomp=unconfined',
      'securityopt=["label=disable"]',
    ]) {
      refused(
        () => reviewBuild(search(extra), undefined),
        new RegExp(`build parameter ${extra.split('=')[0]} is not allowed`),
      );
    }
    refused(
      () => reviewBuild(search('dockerfile=../../data/admin.json'), undefined),
      /must be inside the build context/,
    );
    refused(() => reviewBuild(search('dockerfile=/etc/shadow'), undefined), /must be inside the build context/);
    refused(() => reviewBuild(search('dockerfile=["/etc/shadow"]'), undefined), /a list of Dockerfiles/);
  });
});

describe('image names', () => {
  it('maps the registry host of references, and nothing else', () => {
    assert.equal(mapImageName('000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1', ecr), 'localhost:45675/app:1');
    assert.equal(
      mapImageName('000000000000.dkr.ecr.us-east-1.amazonaws.com/team/app@sha256:ab', ecr),
      'localhost:45675/team/app@sha256:ab',
    );
    assert.equal(
      mapImageName('111111111111.dkr.ecr.us-east-1.amazonaws.com/app:1', ecr),
      '111111111111.dkr.ecr.us-east-1.amazonaws.com/app:1',
    );
    assert.equal(mapImageName('python:3.11-slim', ecr), 'python:3.11-slim');
    assert.equal(mapImageName('library/python', ecr), 'library/python');
    assert.equal(referenceKey('app'), 'app:latest');
    assert.equal(referenceKey('localhost:5000/app'), 'localhost:5000/app:latest');
    assert.equal(referenceKey('app@sha256:ab'), 'app@sha256:ab');
  });

  it('maps the registry in credential headers', () => {
    const auth = Buffer.from(
      JSON.stringify({ username: 'AWS', password: 'p', serveraddress: '000000000000.dkr.ecr.us-east-1.amazonaws.com' }),
    ).toString('base64url');
    const decoded = JSON.parse(Buffer.from(mapRegistryAuth(auth, ecr), 'base64').toString()) as JsonObject;
    assert.deepEqual(decoded, { username: 'AWS', password: 'p', serveraddress: 'localhost:45675' });
    const config = Buffer.from(
      JSON.stringify({ 'https://000000000000.dkr.ecr.us-east-1.amazonaws.com': { username: 'AWS', password: 'p' } }),
    ).toString('base64');
    const mapped = JSON.parse(Buffer.from(mapRegistryConfig(config, ecr), 'base64').toString()) as JsonObject;
    assert.deepEqual(Object.keys(mapped), ['https://localhost:45675']);
    refused(() => mapRegistryAuth('%%%not-base64', ecr), /X-Registry-Auth header is not base64-encoded JSON/, 400);
  });

  it('maps a registry to a path below another host: names take the path, credentials the host', () => {
    const regional = (host: string) => (host.includes('.dkr.ecr.') ? `localhost:45675/${host}` : undefined);
    assert.equal(
      mapImageName('000000000000.dkr.ecr.eu-west-1.amazonaws.com/team/app:1', regional),
      'localhost:45675/000000000000.dkr.ecr.eu-west-1.amazonaws.com/team/app:1',
    );
    const auth = Buffer.from(
      JSON.stringify({ username: 'AWS', password: 'p', serveraddress: '000000000000.dkr.ecr.eu-west-1.amazonaws.com' }),
    ).toString('base64url');
    const decoded = JSON.parse(Buffer.from(mapRegistryAuth(auth, regional), 'base64').toString()) as JsonObject;
    assert.equal(decoded.serveraddress, 'localhost:45675');
    const config = Buffer.from(
      JSON.stringify({ 'https://000000000000.dkr.ecr.eu-west-1.amazonaws.com': { username: 'AWS', password: 'p' } }),
    ).toString('base64');
    const mapped = JSON.parse(Buffer.from(mapRegistryConfig(config, regional), 'base64').toString()) as JsonObject;
    assert.deepEqual(Object.keys(mapped), ['https://localhost:45675']);
  });
});
