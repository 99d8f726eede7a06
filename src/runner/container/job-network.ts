/**
 * A job container's network: one engine bridge network per cloud (`dockyard-jobs-<cloud
 * label>`), the cloud listening on that network's gateway address as well as on its own, and
 * in each job's network namespace a few rules (iptables, entered from the host with nsenter)
 * that make the job see the cloud where its environment says it is:
 * - `127.0.0.1:PORT` (AWS_ENDPOINT_URL, GITHUB_SERVER_URL's localhost, the registry
 *   `localhost:PORT`, the ID-token URL) is the cloud: DNAT to the gateway's PORT, with
 *   route_localnet so a loopback-addressed packet may leave the namespace. Every URL stays
 *   identical inside and outside the job.
 * - The AWS service host names resolve (`/etc/hosts`) to the gateway, whose 443 is the cloud's
 *   PORT too: the port speaks TLS by its first byte.
 * - Nothing else of the host: its own addresses, the engine's bridges (task containers, other
 *   jobs) and the job network itself refuse the job, except the cloud's port and DNS on the
 *   gateway. The outside world is reachable as from any container (GitHub's jobs reach the
 *   internet).
 *
 * The job cannot change these rules: its container has no CAP_NET_ADMIN.
 * - ECS tasks' addresses (127.K.x.y:PORT, the host's loopback) lead to the cloud's relays
 *   (./task-relays.ts), through chains of their own that are rewritten as tasks come and go.
 *
 * Gap: IPv6 is not filtered (the job network has none).
 */
import { networkInterfaces } from 'node:os';
import { inNetworkNamespace } from '../../host/network-namespace.js';
import { processAlive } from '../../host/process-alive.js';
import type { JobEngine, NetworkPlan } from './job-engine.js';
import { TASK_FILTER_CHAIN, TASK_NAT_CHAIN } from './task-relays.js';

/** The label key marking the cloud's job network (and job containers) with the cloud's label. */
export const RUNNER_CLOUD_LABEL = 'dockyard.runner';
/** The process that made the job network: while it lives, no other cloud's jobs sweep it. */
const JOB_NETWORK_OWNER_LABEL = 'dockyard.runner.pid';

/** What a cloud's job network needs from the cloud. */
export interface JobNetworkOptions {
  /** The cloud's label (runtime/labels.ts). */
  cloudLabel: string;
  /** The cloud's port. */
  port: number;
  /** Makes the cloud also listen on `address`, on its port (idempotent). */
  listenOn(address: string): Promise<void>;
}

export class JobNetwork {
  private plan: Promise<NetworkPlan> | undefined;

  constructor(
    private readonly engine: JobEngine,
    private readonly options: JobNetworkOptions,
  ) {}

  /** The network's name. */
  get name(): string {
    return `dockyard-jobs-${this.options.cloudLabel}`;
  }

  /** The network (created on first use, after sweeping what gone clouds left) and its gateway. */
  ensure(): Promise<NetworkPlan> {
    this.plan ??= this.sweepOthers().then(() =>
      this.engine.ensureNetwork(this.name, {
        [RUNNER_CLOUD_LABEL]: this.options.cloudLabel,
        [JOB_NETWORK_OWNER_LABEL]: String(process.pid),
      }),
    );
    // A failure (engine down) is retried by the next job.
    this.plan.catch(() => (this.plan = undefined));
    return this.plan;
  }

  /**
   * Removes the job networks of clouds whose process is gone (a cloud killed, or its data
   * directory deleted, never removes its own): only idle ones, as the engine refuses to remove
   * one in use. A network without the owner label (an earlier version's) counts as gone.
   */
  private async sweepOthers(): Promise<void> {
    const networks = await this.engine.listNetworks(RUNNER_CLOUD_LABEL).catch(() => []);
    for (const network of networks) {
      if (network.name === this.name || !network.name.startsWith('dockyard-jobs-')) continue;
      if (processAlive(Number(network.labels[JOB_NETWORK_OWNER_LABEL]))) continue;
      await this.engine.removeNetwork(network.name).catch(() => undefined);
    }
  }

  /** Removes the network if this process made use of it (its jobs have ended; the bridge goes with it). */
  async remove(): Promise<void> {
    if (this.plan === undefined) return;
    this.plan = undefined;
    await this.engine.removeNetwork(this.name);
  }

  /**
   * Once the job's container runs (the bridge exists): the cloud listens on the gateway, and
   * the job's namespace gets its rules.
   */
  async configure(
    containerPid: number,
    plan: NetworkPlan,
    containerIp: string,
    services: ServiceRoute[],
    tasks: TaskRules,
  ): Promise<void> {
    await this.options.listenOn(plan.gateway);
    const rules = jobRules({
      port: this.options.port,
      gateway: plan.gateway,
      subnet: plan.subnet,
      containerIp,
      hostAddresses: hostAddresses(),
      bridgeSubnets: bridgeSubnets(),
      services,
      tasks,
    });
    await inNamespace(
      containerPid,
      'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec iptables-restore',
      rules,
    );
  }

  /** Rewrites a running job's task chains (tasks came or went). */
  async updateTasks(containerPid: number, tasks: TaskRules): Promise<void> {
    await inNamespace(containerPid, 'exec iptables-restore --noflush', taskChains(tasks).join('\n'));
  }
}

/** Runs `script` (with `input` on stdin) in the job's network namespace. */
function inNamespace(pid: number, script: string, input: string): Promise<void> {
  return inNetworkNamespace(pid, script, input, "the job's network");
}

/** The task chains' rules (./task-relays.ts). */
export interface TaskRules {
  nat: string[];
  filter: string[];
}

/** The task chains, declared (which empties them, also with --noflush) and filled. */
function taskChains(tasks: TaskRules): string[] {
  return [
    '*nat',
    `:${TASK_NAT_CHAIN} - [0:0]`,
    ...tasks.nat,
    'COMMIT',
    '*filter',
    `:${TASK_FILTER_CHAIN} - [0:0]`,
    ...tasks.filter,
    'COMMIT',
    '',
  ];
}

/** A service container the job reaches: at its address, and on `localhost:<host port>` for each mapping. */
export interface ServiceRoute {
  ip: string;
  ports: { host: number; container: number }[];
}

/** The inputs of {@link jobRules}. */
export interface JobRuleInputs {
  port: number;
  gateway: string;
  /** The job network's subnet (CIDR). */
  subnet: string;
  containerIp: string;
  /** The host's own IPv4 addresses. */
  hostAddresses: string[];
  /** The engine's bridges (CIDR): task containers and other jobs. */
  bridgeSubnets: string[];
  /** The job's service containers (on the job network, reachable before anything of it is refused). */
  services?: ServiceRoute[];
  /** ECS task ports, through the cloud's relays. */
  tasks?: TaskRules;
}

/** The job namespace's rules, in iptables-restore's format. Pure. */
export function jobRules(r: JobRuleInputs): string {
  const refused = [...new Set([...r.hostAddresses.map((a) => `${a}/32`), ...r.bridgeSubnets, r.subnet])].filter(
    (cidr) => cidr !== `${r.containerIp}/32`,
  );
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    `:${TASK_NAT_CHAIN} - [0:0]`,
    `-A OUTPUT -j ${TASK_NAT_CHAIN}`,
    ...(r.tasks?.nat ?? []),
    `-A OUTPUT -d 127.0.0.1/32 -p tcp -m tcp --dport ${r.port} -j DNAT --to-destination ${r.gateway}:${r.port}`,
    `-A OUTPUT -d ${r.gateway}/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination ${r.gateway}:${r.port}`,
    ...(r.services ?? []).flatMap((s) =>
      s.ports.map(
        (p) =>
          `-A OUTPUT -d 127.0.0.1/32 -p tcp -m tcp --dport ${p.host} -j DNAT --to-destination ${s.ip}:${p.container}`,
      ),
    ),
    `-A POSTROUTING -s 127.0.0.0/8 ! -d 127.0.0.0/8 -j SNAT --to-source ${r.containerIp}`,
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    `:${TASK_FILTER_CHAIN} - [0:0]`,
    ...(r.tasks?.filter ?? []),
    `-A OUTPUT -d ${r.gateway}/32 -p tcp -m tcp --dport ${r.port} -j ACCEPT`,
    `-A OUTPUT -j ${TASK_FILTER_CHAIN}`,
    `-A OUTPUT -d ${r.gateway}/32 -p udp -m udp --dport 53 -j ACCEPT`,
    `-A OUTPUT -d ${r.gateway}/32 -p tcp -m tcp --dport 53 -j ACCEPT`,
    ...(r.services ?? []).map((s) => `-A OUTPUT -d ${s.ip}/32 -j ACCEPT`),
    ...refused.map((cidr) => `-A OUTPUT -d ${cidr} -j REJECT --reject-with icmp-port-unreachable`),
    'COMMIT',
    '',
  ].join('\n');
}

/** This host's IPv4 addresses outside loopback. */
function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((a) => (a && a.family === 'IPv4' && !a.internal ? [a.address] : []));
}

/** The subnets of the engine's bridges on this host (CNI's cni-*, podman*, docker*, br-*). */
function bridgeSubnets(): string[] {
  const subnets: string[] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (!/^(cni-|podman|docker|br-)/.test(name)) continue;
    for (const a of addresses ?? []) if (a.family === 'IPv4' && a.cidr) subnets.push(networkOf(a.cidr));
  }
  return subnets;
}

/** `10.88.0.1/16` → `10.88.0.0/16`. */
export function networkOf(cidr: string): string {
  const [address = '', bits = '32'] = cidr.split('/');
  const prefix = Number(bits);
  const value = address.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const network = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.')}/${prefix}`;
}
