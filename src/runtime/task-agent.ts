/**
 * The ECS agent's endpoints for a cloud's tasks, at 169.254.170.2 inside every task as on AWS:
 * - `GET /v2/credentials/<id>` (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI): temporary credentials
 *   of the task role, session `assumed-role/<role>/<task id>`, six hours long and replaced by a
 *   fresh session once less than an hour is left (the SDKs refresh before Expiration).
 * - `GET /v4/<id>` (ECS_CONTAINER_METADATA_URI_V4; v3 answers the same): the container
 *   document, `/task` the task's, `/stats` and `/task/stats` the engine's stats sample (Docker's
 *   shape as Podman's compatible API fills it: no per-interface network or blkio counters).
 *
 * Reaching it: an HTTP server of the runtime on each engine bridge gateway the tasks use (its
 * port kept in the data directory, so tasks adopted after a restart still reach it), and in
 * each task container's network namespace (nsenter, like the job network) DNAT rules:
 * 169.254.170.2:80 → that server, 169.254.170.2:443 → the cloud's own port on the gateway.
 * The AWS service host names resolve to 169.254.170.2 in the container's /etc/hosts, and the
 * cloud's CA is in the bundle the CA variables name, so SDK code with no endpoint configuration
 * reaches this cloud.
 *
 * Only the task obtains its credentials: the ids are HMACs of the task (and container) under a
 * key of this cloud, unguessable, and a request counts only from an address of one of that
 * task's containers. A task without a task role gets no credentials variable, as on AWS.
 *
 * The rules are installed before the container's process runs (Podman's `init` makes its
 * namespace first). Gap: on an engine that cannot (Docker) they follow the start, and a request
 * in the process's first moments may miss them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionCaller, TemporaryCredentials } from '../auth/credentials.js';
import type { Clock } from '../core/clock.js';
import { regionOfArn } from '../core/regions.js';
import type { Logger } from '../core/logger.js';
import type { ContainerEngine, ContainerDetails, ExtraHost } from '../engine/contract.js';
import { inNetworkNamespace } from '../host/network-namespace.js';
import type { ContainerDefinition, Task } from '../services/ecs/model.js';
import type { EcsStore } from '../services/ecs/store.js';
import type { Role } from '../services/iam/model.js';
import { awsServiceHostnames } from '../tls/aws-hostnames.js';
import { containerDocument, taskDocument, type ContainerFacts } from './task-agent-documents.js';
import { definitionOf } from './task-definitions.js';

/** The link-local address of the ECS agent's endpoints. */
export const AGENT_ADDRESS = '169.254.170.2';
/** Where the CA bundle (the host's CAs and the cloud's) is mounted in task containers. */
export const TASK_CA_BUNDLE = '/etc/dockyard/ca-bundle.crt';

/** The host's CA bundle (Debian's path). */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Task role sessions last this long (ms) ... */
const SESSION_MS = 6 * 3600_000;
/** ... and are replaced once less than this is left. */
const REFRESH_BEFORE_MS = 3600_000;

export interface TaskAgentDeps {
  /** The ECS state a task is kept in (its region's), undefined for a task no region holds. */
  storeOf(taskArn: string): EcsStore | undefined;
  engine: ContainerEngine;
  roles: { getRoleByArn(arn: string): Role | undefined };
  credentials: { issueSession(session: Omit<SessionCaller, 'accessKeyId'>, now: Date): TemporaryCredentials };
  clock: Clock;
  logger: Logger;
  accountId: string;
  /** The cloud's port, which also listens on the gateway (`listenOn`) for the AWS host names. */
  cloudPort: number;
  listenOn(address: string): Promise<void>;
  /** A JSON file keeping the endpoint's port and id key across restarts. */
  statePath: string;
  /** The cloud's CA certificate. */
  caCertPath: string;
  /** Where to write the CA bundle (the host's CAs and the cloud's) mounted read-only in task containers. */
  caBundlePath: string;
}

/** What a container gets from the agent before it is created. */
export interface AgentInjection {
  env: Record<string, string>;
  extraHosts: ExtraHost[];
  binds: { source: string; target: string; readOnly: boolean }[];
}

interface AgentState {
  port: number;
  key: string;
}

export class TaskAgent {
  private readonly state: AgentState;
  private readonly servers = new Map<string, Promise<Server>>();
  /** Addresses of each task's containers: requests count only from them. */
  private readonly sources = new Map<string, Set<string>>();
  private readonly sessions = new Map<string, TemporaryCredentials & { roleArn: string }>();
  private readonly hosts: ExtraHost[];
  private bundleWritten = false;

  constructor(private readonly deps: TaskAgentDeps) {
    this.state = loadState(deps.statePath);
    this.hosts = awsServiceHostnames(deps.accountId).map((host) => ({ host, ip: AGENT_ADDRESS }));
  }

  /** The task role's credentials id of the task (stable: an HMAC of its ARN). */
  credentialsId(taskArn: string): string {
    return this.mac(`credentials:${taskArn}`);
  }

  /** The metadata id of a container of the task. */
  metadataId(taskArn: string, containerName: string): string {
    return this.mac(`metadata:${taskArn}:${containerName}`);
  }

  /** The variables, host names and CA bundle a container of the task starts with. */
  inject(task: Task, taskRoleArn: string | undefined, container: ContainerDefinition): AgentInjection {
    const metadata = `http://${AGENT_ADDRESS}/v4/${this.metadataId(task.taskArn, container.name)}`;
    // The task's region, as its ARN names it.
    const region = regionOfArn(task.taskArn) ?? '';
    const env: Record<string, string> = {
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      ECS_CONTAINER_METADATA_URI_V4: metadata,
      ECS_CONTAINER_METADATA_URI: metadata.replace('/v4/', '/v3/'),
      AWS_CA_BUNDLE: TASK_CA_BUNDLE,
      NODE_EXTRA_CA_CERTS: TASK_CA_BUNDLE,
      SSL_CERT_FILE: TASK_CA_BUNDLE,
      REQUESTS_CA_BUNDLE: TASK_CA_BUNDLE,
    };
    this.writeBundle();
    if (taskRoleArn) env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = `/v2/credentials/${this.credentialsId(task.taskArn)}`;
    return {
      env,
      extraHosts: this.hosts,
      binds: [{ source: this.deps.caBundlePath, target: TASK_CA_BUNDLE, readOnly: true }],
    };
  }

  /**
   * Once the container runs: its address counts for the task, the endpoint listens on its
   * gateway, and (unless adopted: its namespace has them already) the rules are installed.
   */
  async attach(taskArn: string, details: ContainerDetails, options: { install: boolean }): Promise<void> {
    if (!details.ipAddress || !details.gateway) return;
    let set = this.sources.get(taskArn);
    if (!set) this.sources.set(taskArn, (set = new Set()));
    set.add(details.ipAddress);
    const gateway = details.gateway;
    const port = await this.listen(gateway);
    await this.deps.listenOn(gateway);
    if (!options.install || details.pid === undefined) return;
    const rules = [
      '*nat',
      ':DOCKYARD-AGENT - [0:0]',
      '-A OUTPUT -j DOCKYARD-AGENT',
      `-A DOCKYARD-AGENT -d ${AGENT_ADDRESS}/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination ${gateway}:${port}`,
      `-A DOCKYARD-AGENT -d ${AGENT_ADDRESS}/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination ${gateway}:${this.deps.cloudPort}`,
      'COMMIT',
      '',
    ].join('\n');
    await inNetworkNamespace(details.pid, 'exec iptables-restore --noflush', rules, "the task's agent endpoint");
  }

  /** The task is gone: its addresses and session are forgotten. */
  forget(taskArn: string): void {
    this.sources.delete(taskArn);
    this.sessions.delete(taskArn);
  }

  async close(): Promise<void> {
    const servers = await Promise.allSettled(this.servers.values());
    this.servers.clear();
    await Promise.all(
      servers.map((s) =>
        s.status === 'fulfilled'
          ? new Promise<void>((resolve) => {
              s.value.close(() => resolve());
              s.value.closeAllConnections();
            })
          : undefined,
      ),
    );
  }

  /** The bundle tasks trust: the host's CAs (Debian's bundle) and the cloud's, written once per process. */
  private writeBundle(): void {
    if (this.bundleWritten) return;
    const host = readIfPresent(HOST_CA_BUNDLE);
    writeFileSync(
      this.deps.caBundlePath,
      `${host}${host.endsWith('\n') || host === '' ? '' : '\n'}${readFileSync(this.deps.caCertPath, 'utf8')}`,
    );
    this.bundleWritten = true;
  }

  private mac(text: string): string {
    const hex = createHmac('sha256', this.state.key).update(text).digest('hex');
    // UUID-shaped, as the agent's ids are.
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  /** The endpoint's port on `gateway` (the kept one; another if it is taken). */
  private async listen(gateway: string): Promise<number> {
    let listening = this.servers.get(gateway);
    if (!listening) {
      listening = this.bind(gateway, this.state.port).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.state.port === 0) throw error;
        this.deps.logger.warn('the task agent port is taken: tasks adopted from before reach it no more', {
          port: this.state.port,
        });
        return this.bind(gateway, 0);
      });
      this.servers.set(gateway, listening);
      listening.catch(() => this.servers.delete(gateway));
    }
    const port = ((await listening).address() as AddressInfo).port;
    if (this.state.port !== port) {
      this.state.port = port;
      saveState(this.deps.statePath, this.state);
    }
    return port;
  }

  private bind(gateway: string, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.deps.logger.warn('task agent request failed', { error: String(error) });
        if (!res.headersSent) reply(res, 500, { code: 'InternalServerError', message: 'internal error' });
      });
    });
    return new Promise<Server>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, gateway, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const source = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method !== 'GET') return reply(res, 405, { code: 'MethodNotAllowed', message: 'only GET' });
    const credentials = /^\/v2\/credentials\/([0-9a-f-]{36})$/.exec(path);
    if (credentials) return this.credentials(res, source, credentials[1] ?? '');
    const metadata = /^\/v[34]\/([0-9a-f-]{36})(\/task)?(\/stats)?$/.exec(path);
    if (metadata)
      return this.metadata(res, source, metadata[1] ?? '', metadata[2] !== undefined, metadata[3] !== undefined);
    reply(res, 404, { code: 'NotFound', message: `no such endpoint: ${path.slice(0, 200)}` });
  }

  /** The task the id names whose containers include `source`, and the store that holds it. */
  private taskFor(
    source: string,
    matches: (task: Task) => boolean,
  ): { task: Task; store: EcsStore } | { task: undefined; store: undefined } {
    for (const [taskArn, addresses] of this.sources) {
      if (!addresses.has(source)) continue;
      const store = this.deps.storeOf(taskArn);
      const task = store?.tasks.get(taskArn);
      if (store && task && task.lastStatus !== 'STOPPED' && matches(task)) return { task, store };
    }
    return { task: undefined, store: undefined };
  }

  private credentials(res: ServerResponse, source: string, id: string): void {
    const { task, store } = this.taskFor(source, (t) => this.credentialsId(t.taskArn) === id);
    const definition = task ? definitionOf(store, task) : undefined;
    const roleArn = task ? (task.overrides.taskRoleArn ?? definition?.document.taskRoleArn) : undefined;
    const role = roleArn ? this.deps.roles.getRoleByArn(roleArn) : undefined;
    if (!task || !role)
      return reply(res, 400, { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' });
    const now = this.deps.clock.now();
    let session = this.sessions.get(task.taskArn);
    if (!session || session.roleArn !== role.arn || session.expiration.getTime() - now.getTime() < REFRESH_BEFORE_MS) {
      const sessionName = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
      const issued = this.deps.credentials.issueSession(
        {
          kind: 'assumed-role',
          accountId: this.deps.accountId,
          arn: `arn:aws:sts::${this.deps.accountId}:assumed-role/${role.roleName}/${sessionName}`,
          userId: `${role.roleId}:${sessionName}`,
          roleName: role.roleName,
          roleArn: role.arn,
          roleId: role.roleId,
          sessionName,
          tags: {},
          expiresAt: new Date(now.getTime() + SESSION_MS),
        },
        now,
      );
      session = { ...issued, roleArn: role.arn };
      this.sessions.set(task.taskArn, session);
    }
    reply(res, 200, {
      RoleArn: role.arn,
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      Token: session.sessionToken,
      Expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  private async metadata(res: ServerResponse, source: string, id: string, wholeTask: boolean, stats: boolean) {
    let name: string | undefined;
    const { task, store } = this.taskFor(source, (t) => {
      name = t.containers.find((c) => this.metadataId(t.taskArn, c.name) === id)?.name;
      return name !== undefined;
    });
    if (!task || name === undefined)
      return reply(res, 400, {
        code: 'InvalidIdInRequest',
        message: 'V4 metadata handler: unable to get task arn from request',
      });
    const definition = definitionOf(store, task);
    const containers = wholeTask ? task.containers : task.containers.filter((c) => c.name === name);
    if (stats) {
      const samples: Record<string, unknown> = {};
      for (const c of containers)
        if (c.runtimeId) samples[c.runtimeId] = await this.deps.engine.containerStats(c.runtimeId).catch(() => null);
      return reply(res, 200, wholeTask ? samples : (Object.values(samples)[0] ?? null));
    }
    const facts: ContainerFacts[] = [];
    for (const c of containers)
      facts.push({
        name: c.name,
        details: c.runtimeId ? await this.deps.engine.inspectContainer(c.runtimeId).catch(() => undefined) : undefined,
      });
    const first = facts[0] ?? { name, details: undefined };
    reply(res, 200, wholeTask ? taskDocument(task, definition, facts) : containerDocument(task, definition, first));
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function loadState(path: string): AgentState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<AgentState>;
    if (typeof parsed.port === 'number' && typeof parsed.key === 'string')
      return { port: parsed.port, key: parsed.key };
  } catch {
    // First start (or an unreadable file): a new key; tasks of before cannot exist without it.
  }
  const state = { port: 0, key: randomBytes(32).toString('hex') };
  saveState(path, state);
  return state;
}

function saveState(path: string, state: AgentState): void {
  writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
}
