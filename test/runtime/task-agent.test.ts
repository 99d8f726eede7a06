/**
 * The agent's endpoints inside real task containers, at 169.254.170.2: a task with a task role
 * reads its credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) and its metadata documents
 * (ECS_CONTAINER_METADATA_URI_V4, /task, /stats); the credentials are the role's session named
 * after the task (STS GetCallerIdentity); a task without a task role has no credentials
 * variable, and the first task's URI refuses it; the AWS host names resolve to the agent
 * address inside the task.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StopTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LogsStore } from '../../src/services/logs/store.js';
import { waitFor } from '../support/wait-for.js';
import {
  awslogsTo,
  clientConfig,
  registerWeb,
  runTask,
  startRuntimeSuite,
  stopRuntimeSuite,
  TRUST,
  untilStatus,
  type Fixture,
} from './support.js';

/**
 * Perl (built-ins only) GETting each `label=path` at 169.254.170.2:80 and printing
 * `label <status line> <body>`, retrying while the connection fails (the rules arrive just
 * after the start), then `done`, then sleeping.
 */
function fetcher(requests: string[]): string[] {
  const script = [
    '$|=1;',
    'sub get { my ($p)=@_; for (1..50) { my $r = eval { local $SIG{ALRM} = sub { die "timeout\\n" }; alarm 1;',
    ' socket(S,2,1,6) or die "socket\\n"; connect(S, pack("S n a4 x8", 2, 80, pack("C4",169,254,170,2))) or die "connect\\n";',
    ' syswrite(S, "GET $p HTTP/1.0\\r\\nHost: 169.254.170.2\\r\\n\\r\\n"); local $/; my $x = <S>; close S; alarm 0; $x };',
    ' return $r if defined $r; select(undef,undef,undef,0.2) } return "failed" }',
    'for my $q (@ARGV) { my ($l,$p) = split /=/, $q, 2; $p =~ s/\\$(\\w+)/$ENV{$1}/g; $p =~ s{^http://[^/]+}{}; my $r = get($p);',
    ' my ($head,$body) = split /\\r\\n\\r\\n/, $r, 2; my ($status) = split /\\r\\n/, $head; print "$l $status $body\\n" }',
    'print "hosts ", (grep { /sts\\.us-east-1\\.amazonaws\\.com/ } do { open(H, "/etc/hosts"); <H> }), "";',
    'print "env ", (defined $ENV{AWS_CONTAINER_CREDENTIALS_RELATIVE_URI} ? "credentials" : "none"), " $ENV{AWS_REGION} $ENV{NODE_EXTRA_CA_CERTS}\\n";',
    'print "uri $ENV{AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}\\n"; print "done\\n"; sleep 300;',
  ].join(' ');
  return ['-e', script, ...requests];
}

describe('task agent endpoints', { timeout: 300_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-agent-'));
  let cloud: Cloud;
  let f: Fixture;

  before(async () => {
    ({ cloud, f } = await startRuntimeSuite(engine, dataDir));
    await new IAMClient(clientConfig(cloud)).send(
      new CreateRoleCommand({ RoleName: 'app-task', AssumeRolePolicyDocument: TRUST }),
    );
  });

  after(() => stopRuntimeSuite({ engine, dataDir, cloud, f }));

  function logged(group: string, requests: string[]): Partial<ContainerDefinition> {
    return {
      entryPoint: ['/bin/perl'],
      command: fetcher(requests),
      logConfiguration: awslogsTo(cloud.region, group),
    };
  }

  /** The task's log lines once it printed `done`, by their first word. */
  async function output(group: string, taskArn: string): Promise<Map<string, string>> {
    const logs = new LogsStore(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
    const stream = `ecs/web/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
    const lines = await waitFor(
      'the task printed done',
      () => {
        const events = logs.streamExists(group, stream)
          ? logs.events(group, { streams: [stream], direction: 'forward', limit: 100 })
          : [];
        return Promise.resolve(events.some((e) => e.message === 'done') ? events.map((e) => e.message) : undefined);
      },
      { timeoutMs: 60_000 },
    );
    return new Map(lines.map((l) => [l.split(' ')[0] ?? '', l.slice(l.indexOf(' ') + 1)]));
  }

  it('serves the task role credentials and metadata, to that task only', async () => {
    const arnRole = `arn:aws:iam::${cloud.accountId}:role/app-task`;
    const definition = await registerWeb(
      cloud,
      f.ecs,
      'agent-app',
      'exec',
      logged('/ecs/agent', [
        'creds=$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
        'task=$ECS_CONTAINER_METADATA_URI_V4/task',
        'container=$ECS_CONTAINER_METADATA_URI_V4',
        'stats=$ECS_CONTAINER_METADATA_URI_V4/stats',
      ]),
      { taskRoleArn: arnRole },
    );
    const arn = await runTask(f, definition);
    await untilStatus(f.ecs, arn, 'RUNNING');
    const out = await output('/ecs/agent', arn);
    const taskId = arn.slice(arn.lastIndexOf('/') + 1);

    assert.match(out.get('creds') ?? '', /^HTTP\/1.1 200 OK /, JSON.stringify([...out]));
    const creds = JSON.parse((out.get('creds') ?? '').replace(/^HTTP\/1.1 200 OK /, '')) as Record<string, string>;
    assert.equal(creds.RoleArn, arnRole);
    assert.match(creds.AccessKeyId ?? '', /^ASIA/);
    const expiresIn = Date.parse(creds.Expiration ?? '') - Date.now();
    assert.ok(expiresIn > 5 * 3600_000 && expiresIn <= 6 * 3600_000, `Expiration ${creds.Expiration}`);
    const sts = new STSClient({
      endpoint: cloud.url,
      region: cloud.region,
      credentials: {
        accessKeyId: creds.AccessKeyId ?? '',
        secretAccessKey: creds.SecretAccessKey ?? '',
        sessionToken: creds.Token ?? '',
      },
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${cloud.accountId}:assumed-role/app-task/${taskId}`);

    assert.match(out.get('task') ?? '', /^HTTP\/1.1 200 OK /, JSON.stringify([...out]));
    const taskDoc = JSON.parse((out.get('task') ?? '').replace(/^HTTP\/1.1 200 OK /, '')) as Record<string, unknown>;
    assert.equal(taskDoc.TaskARN, arn);
    assert.equal(taskDoc.Family, 'agent-app');
    assert.equal((taskDoc.Containers as { Name: string }[])[0]?.Name, 'web');
    const containerDoc = JSON.parse((out.get('container') ?? '').replace(/^HTTP\/1.1 200 OK /, '')) as Record<
      string,
      unknown
    >;
    assert.equal(containerDoc.Name, 'web');
    assert.equal((containerDoc.Labels as Record<string, string>)['com.amazonaws.ecs.task-arn'], arn);
    assert.match(out.get('stats') ?? '', /^HTTP\/1.1 200 OK \{.*"memory_stats"/);
    assert.match(out.get('hosts') ?? '', /^169\.254\.170\.2\s+sts\.us-east-1\.amazonaws\.com/);
    assert.equal(out.get('env'), `credentials ${cloud.region} /etc/dockyard/ca-bundle.crt`);

    // Another task (no task role) has no credentials variable, and the first task's URI refuses it.
    const other = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'agent-other', 'exec', {
        ...logged('/ecs/agent-other', [`stolen=${out.get('uri') ?? ''}`]),
      }),
    );
    await untilStatus(f.ecs, other, 'RUNNING');
    const otherOut = await output('/ecs/agent-other', other);
    assert.match(otherOut.get('stolen') ?? '', /^HTTP\/1.1 400 Bad Request \{"code":"InvalidIdInRequest"/);
    assert.equal(otherOut.get('env'), `none ${cloud.region} /etc/dockyard/ca-bundle.crt`);
    for (const task of [arn, other]) await f.ecs.send(new StopTaskCommand({ cluster: 'apps', task }));
  });
});
