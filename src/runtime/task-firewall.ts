/**
 * Security groups enforced by the kernel, as AWS enforces them in front of an ENI:
 * - The cloud's tasks live on an engine bridge network of their own (`dockyard-tasks-<cloud
 *   label>`, labelled `dockyard.tasks`); a task's private address is its address there, and no
 *   port is published on the host.
 * - In each task's network namespace (entered from the host with nsenter; the task has no
 *   CAP_NET_ADMIN to undo it), INPUT admits loopback, replies, and what an ingress rule of the
 *   task's groups admits: `-s <cidr>` for CIDR peers, `-s <address>` of every interface in the
 *   group for group peers (the default group's self-reference lets its tasks talk). Everything
 *   else is refused at once (TCP reset), where AWS drops silently: clients fail fast here.
 * - On the host, per cloud: the task's public address (127.K.x.y, on loopback) is DNAT'ed to its
 *   private one (nat OUTPUT chain `DYT-<label>`) and its source rewritten to HOST_PUBLIC_SOURCE
 *   (nat POSTROUTING `DYS-<label>`, with route_localnet on the bridge): the host through a public
 *   address has an address of its own, as a client reaching a public IP on AWS arrives from its
 *   own public address, while the host (and the service endpoint) reaching a private address
 *   arrives from the bridge's gateway. Why not the gateway for both: the task's TIME_WAIT sockets
 *   from direct connections (gateway:p) would see translated ones reuse gateway:p with other TCP
 *   timestamps and drop their SYNs (PAWS), a second's retransmit each (a tenth of the direct
 *   rate in `npm run bench -- ecs`). And forwarded traffic into
 *   the cloud's subnet from anywhere else (other clouds' tasks, other containers, the LAN) is
 *   refused (filter FORWARD `DYT-<label>`), as another VPC cannot reach private addresses.
 * Rules follow AuthorizeSecurityGroupIngress/Revoke and tasks coming and going by `sync`, each
 * tick; a namespace's rules are rewritten only when they change.
 *
 * Gaps: egress rules are not enforced; IPv6 peers and prefix lists admit nothing (the network
 * has no IPv6); a task's rules are written just after its first container starts (before its
 * app listens, but not before the namespace exists).
 */
import { execFile } from 'node:child_process';
import { access, constants, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { Logger } from '../core/logger.js';
import { processAlive } from '../host/process-alive.js';
import type { ContainerEngine, EngineNetwork } from '../engine/contract.js';
import type { NetworkInterface, SecurityGroupRule } from '../services/ec2/model.js';

/** The label marking every cloud's task network, with the cloud's label as its value. */
export const TASK_NETWORK_LABEL = 'dockyard.tasks';
/** The process that made the network: while it lives, no other cloud's start sweeps the network. */
const TASK_NETWORK_OWNER_LABEL = 'dockyard.tasks.pid';

/**
 * The source of the host's connections through a task's public address, as the task sees it
 * (198.18.0.0/15 is set aside for benchmarking networks: no host or task has it).
 */
export const HOST_PUBLIC_SOURCE = '198.18.0.1';

/** How long one nsenter/iptables run may take. */
const RULES_TIMEOUT_MS = 10_000;

/** Whether this host lets the runtime enforce security groups in the kernel, and why not. */
export interface FirewallSupport {
  kernel: boolean;
  /** Why not (the runtime then proxies each task port, as before). */
  reason?: string;
}

/** The environment variable that, set to `proxy`, keeps the per-port proxies where the kernel could do. */
export const FIREWALL_ENV = 'DOCKYARD_TASK_FIREWALL';

/** Probes what kernel enforcement needs: Linux, root, iptables-restore and nsenter. */
export async function kernelFirewallSupport(env: NodeJS.ProcessEnv = process.env): Promise<FirewallSupport> {
  if (env[FIREWALL_ENV] === 'proxy') return { kernel: false, reason: `${FIREWALL_ENV}=proxy` };
  if (process.platform !== 'linux') return { kernel: false, reason: `${process.platform} is not Linux` };
  if (process.getuid?.() !== 0) return { kernel: false, reason: 'the cloud does not run as root' };
  for (const tool of ['iptables-restore', 'iptables', 'nsenter']) {
    try {
      await run(tool, ['--version'], '');
    } catch {
      return { kernel: false, reason: `${tool} is not installed` };
    }
  }
  try {
    await access('/proc/sys/net/ipv4/conf/all/route_localnet', constants.W_OK);
  } catch {
    return { kernel: false, reason: '/proc/sys/net/ipv4 is read-only' };
  }
  return { kernel: true };
}

/** What the firewall reads of EC2's state (Ec2Store is one). */
export interface FirewallView {
  rules(): readonly SecurityGroupRule[];
  networkInterfaces(): readonly NetworkInterface[];
}

/** A task the firewall guards. */
export interface GuardedTask {
  /** The task's first container's init process (its network namespace). */
  pid: number;
  privateIp: string;
  /** The address the cloud serves it at on the host (127.K.x.y). */
  publicIp: string;
  groups: readonly string[];
}

/** Which engine the firewall creates its network on; the cloud's label names its network and chains. */
export interface TaskFirewallDeps {
  engine: ContainerEngine;
  ec2: FirewallView;
  cloudLabel: string;
  logger: Logger;
}

export class TaskFirewall {
  private network: EngineNetwork | undefined;
  private readonly tasks = new Map<string, GuardedTask & { applied?: string }>();
  private hostApplied: string | undefined;
  private localnetSet = false;
  /** The last change in flight: changes run one at a time (iptables-restore of one table must not interleave). */
  private queue: Promise<void> = Promise.resolve();
  /** A tick's sync waiting behind another: ticks coalesce into it. */
  private pendingSync: Promise<void> | undefined;

  constructor(private readonly deps: TaskFirewallDeps) {}

  /** The engine network's name. */
  get networkName(): string {
    return `dockyard-tasks-${this.deps.cloudLabel}`;
  }

  /**
   * Sweeps what clouds that are gone left (their networks with no container, and the chains of
   * clouds without a network), then makes this cloud's network and chains.
   */
  async start(): Promise<void> {
    const { engine } = this.deps;
    if (!engine.ensureNetwork || !engine.listNetworks || !engine.removeNetwork)
      throw new Error('the container engine has no networks');
    for (const other of await engine.listNetworks(TASK_NETWORK_LABEL)) {
      if (other.name === this.networkName) continue;
      // Only a gone process's network: another cloud running now may not have started a task on
      // its new network yet. A stopped cloud whose tasks still run keeps its network too: the
      // engine refuses (in use).
      if (processAlive(Number(other.labels[TASK_NETWORK_OWNER_LABEL]))) continue;
      await engine.removeNetwork(other.name).catch(() => undefined);
    }
    const kept = new Set(
      (await engine.listNetworks(TASK_NETWORK_LABEL)).map((n) => n.labels[TASK_NETWORK_LABEL] ?? ''),
    );
    kept.add(this.deps.cloudLabel);
    for (const label of await cloudChains()) if (!kept.has(label)) await removeChains(label);
    const labels = { [TASK_NETWORK_LABEL]: this.deps.cloudLabel, [TASK_NETWORK_OWNER_LABEL]: String(process.pid) };
    this.network = await engine.ensureNetwork(this.networkName, labels);
    if (this.network.labels[TASK_NETWORK_OWNER_LABEL] !== String(process.pid)) {
      // Made by this cloud's previous process: its owner label names a gone process, so another
      // cloud's start would sweep it while idle. Made again to carry this one (the engine
      // refuses while adopted tasks still use it; they keep it until they stop).
      const removed = await engine.removeNetwork(this.networkName).then(
        () => true,
        () => false,
      );
      if (removed) this.network = await engine.ensureNetwork(this.networkName, labels);
    }
    await this.exclusive(() => this.writeHost(true));
  }

  /** The network tasks are created on. */
  get networkOrUndefined(): EngineNetwork | undefined {
    return this.network;
  }

  /** Guards a task whose first container runs; its rules are written before this resolves. */
  async attach(taskArn: string, task: GuardedTask): Promise<void> {
    this.tasks.set(taskArn, { ...task });
    await this.ensureLocalnet();
    await this.exclusive(() => this.apply());
  }

  /** Forgets a task (its namespace goes with its containers); its public address stops leading anywhere. */
  async detach(taskArn: string): Promise<void> {
    if (this.tasks.delete(taskArn)) await this.exclusive(() => this.writeHost(false));
  }

  /** Brings every namespace's rules and the host's DNAT in line with EC2's state (each tick). */
  sync(): Promise<void> {
    this.pendingSync ??= this.exclusive(() => {
      this.pendingSync = undefined;
      return this.apply();
    });
    return this.pendingSync;
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async apply(): Promise<void> {
    await this.writeHost(false);
    const rules = this.deps.ec2.rules().filter((r) => !r.isEgress);
    const interfaces = this.deps.ec2.networkInterfaces();
    for (const [arn, task] of this.tasks) {
      const text = namespaceRules(rules, interfaces, task.groups);
      if (text === task.applied) continue;
      try {
        await run('nsenter', ['--target', String(task.pid), '--net', '--', 'iptables-restore'], text);
        task.applied = text;
      } catch (error) {
        this.deps.logger.warn('task firewall update failed', { task: arn, error: String(error) });
      }
    }
  }

  /** Removes this cloud's chains and network (nothing of its tasks is left). */
  async remove(): Promise<void> {
    await removeChains(this.deps.cloudLabel);
    await this.deps.engine.removeNetwork?.(this.networkName).catch(() => undefined);
  }

  private async writeHost(force: boolean): Promise<void> {
    const network = this.network;
    if (!network) return;
    const text = hostRules(this.deps.cloudLabel, network.subnet, [...this.tasks.values()]);
    if (!force && text === this.hostApplied) return;
    await run('iptables-restore', ['-w', '--noflush'], text);
    const label = this.deps.cloudLabel;
    await ensureJump('nat', 'OUTPUT', `DYT-${label}`);
    await ensureJump('nat', 'POSTROUTING', `DYS-${label}`);
    await ensureJump('filter', 'FORWARD', `DYT-${label}`);
    this.hostApplied = text;
  }

  /** Lets loopback-sourced packets (the host to a public address) leave through the bridge, once it exists. */
  private async ensureLocalnet(): Promise<void> {
    const gateway = this.network?.gateway;
    if (this.localnetSet || !gateway) return;
    const name = Object.entries(networkInterfaces()).find(([, list]) =>
      (list ?? []).some((a) => a.address === gateway),
    )?.[0];
    if (!name) return;
    await writeFile(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1');
    this.localnetSet = true;
  }
}

/** A task namespace's INPUT rules (iptables-restore's format) for its groups. Pure. */
export function namespaceRules(
  rules: readonly SecurityGroupRule[],
  interfaces: readonly NetworkInterface[],
  groups: readonly string[],
): string {
  const wanted = new Set(groups);
  const accepts = new Set<string>();
  for (const rule of rules) {
    if (rule.isEgress || !wanted.has(rule.groupId)) continue;
    const match = protocolMatch(rule);
    if (match === undefined) continue;
    const peer = rule.peer;
    const sources =
      peer.kind === 'cidr4'
        ? [peer.cidr]
        : peer.kind === 'group'
          ? interfaces.filter((i) => i.groupIds.includes(peer.groupId)).map((i) => `${i.privateIp}/32`)
          : [];
    for (const source of sources) accepts.add(`-A INPUT -s ${source}${match} -j ACCEPT`);
  }
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    ...[...accepts].sort(),
    '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
    '-A INPUT -j REJECT --reject-with icmp-port-unreachable',
    'COMMIT',
    '',
  ].join('\n');
}

/** ` -p tcp --dport a:b` and the like; undefined for a protocol iptables cannot name. */
function protocolMatch(rule: SecurityGroupRule): string | undefined {
  const names: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp' };
  const protocol = names[rule.protocol] ?? rule.protocol;
  if (protocol === '-1' || protocol === 'all') return '';
  if (protocol === 'tcp' || protocol === 'udp') {
    const whole = rule.fromPort <= 0 && (rule.toPort === -1 || rule.toPort >= 65535);
    return whole
      ? ` -p ${protocol}`
      : ` -p ${protocol} -m ${protocol} --dport ${rule.fromPort}:${Math.max(rule.fromPort, rule.toPort)}`;
  }
  if (protocol === 'icmp') return ' -p icmp';
  return /^\d{1,3}$/.test(protocol) ? ` -p ${protocol}` : undefined;
}

/** The cloud's host chains (declared, so emptied, then filled). Pure. */
export function hostRules(label: string, subnet: string, tasks: readonly GuardedTask[]): string {
  return [
    '*nat',
    `:DYT-${label} - [0:0]`,
    `:DYS-${label} - [0:0]`,
    ...[...tasks]
      .sort((a, b) => a.publicIp.localeCompare(b.publicIp))
      .map((t) => `-A DYT-${label} -d ${t.publicIp}/32 -j DNAT --to-destination ${t.privateIp}`),
    `-A DYS-${label} -s 127.0.0.0/8 -d ${subnet} -j SNAT --to-source ${HOST_PUBLIC_SOURCE}`,
    'COMMIT',
    '*filter',
    `:DYT-${label} - [0:0]`,
    `-A DYT-${label} -d ${subnet} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`,
    `-A DYT-${label} ! -s ${subnet} -d ${subnet} -p tcp -j REJECT --reject-with tcp-reset`,
    `-A DYT-${label} ! -s ${subnet} -d ${subnet} -j REJECT --reject-with icmp-port-unreachable`,
    'COMMIT',
    '',
  ].join('\n');
}

/** Puts `-j chain` first in `table`'s `parent` unless it is there already. */
async function ensureJump(table: string, parent: string, chain: string): Promise<void> {
  try {
    await run('iptables', ['-w', '-t', table, '-C', parent, '-j', chain], '');
  } catch {
    await run('iptables', ['-w', '-t', table, '-I', parent, '1', '-j', chain], '');
  }
}

/** The cloud labels of the task chains on this host. */
async function cloudChains(): Promise<string[]> {
  const saved = await run('iptables-save', [], '');
  return [...new Set([...saved.matchAll(/^:DY[TS]-([0-9a-f]{16}) /gm)].map((m) => m[1] ?? ''))];
}

/** Removes a cloud's jumps and chains; missing ones are fine. */
async function removeChains(label: string): Promise<void> {
  const chains: [string, string, string][] = [
    ['nat', 'OUTPUT', `DYT-${label}`],
    ['nat', 'POSTROUTING', `DYS-${label}`],
    ['filter', 'FORWARD', `DYT-${label}`],
  ];
  for (const [table, parent, chain] of chains) {
    // Bounded: a jump inserted twice by racing starts is removed twice.
    for (let i = 0; i < 4; i++) {
      const removed = await run('iptables', ['-w', '-t', table, '-D', parent, '-j', chain], '').then(
        () => true,
        () => false,
      );
      if (!removed) break;
    }
    await run('iptables', ['-w', '-t', table, '-F', chain], '').catch(() => undefined);
    await run('iptables', ['-w', '-t', table, '-X', chain], '').catch(() => undefined);
  }
}

/** Runs `file` with `input` on stdin; its stdout. */
function run(file: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: RULES_TIMEOUT_MS }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file}: ${stderr.trim() || error.message}`)) : resolve(stdout),
    );
    // A tool that does not read its input (`--version`) closes the pipe early: not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
