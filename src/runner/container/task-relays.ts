/**
 * ECS tasks' addresses from inside job containers. A task port is a proxy on this host's
 * loopback (`127.K.x.y:PORT`, src/network), which a job's network namespace cannot route to; so
 * for each task port the cloud listens on the job network's gateway (an ephemeral port) and
 * splices each connection to the task port, and each job's namespace sends `127.K.x.y:PORT` to
 * that relay (DNAT in a chain of its own, rewritten whenever tasks come and go). The job then
 * uses the same task URL as a host client; the task's security groups see the host's address,
 * as for any host client. With security groups in the kernel (src/runtime/task-firewall.ts) a
 * task's ports are at its public address and at its private one on the cloud's task network
 * (which the job's namespace refuses otherwise): both are relayed.
 */
import { connect, createServer, type Server } from 'node:net';
import { spliceSockets } from '../../network/splice.js';
import type { TaskPort, TaskPorts } from '../../network/task-ports.js';

/** The job namespace's chains for task ports (nat: DNAT to the relays; filter: the relays admitted). */
export const TASK_NAT_CHAIN = 'DOCKYARD-TASKS';
export const TASK_FILTER_CHAIN = 'DOCKYARD-TASKS-OK';

interface Relay {
  target: TaskPort;
  server: Server;
  port: number;
}

export class TaskRelays {
  private readonly relays = new Map<string, Relay>();
  private gateway: string | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  /** `changed`: called after the relays changed, to rewrite the live jobs' chains. */
  constructor(
    private readonly taskPorts: TaskPorts | undefined,
    private readonly changed: () => void,
  ) {
    this.unsubscribe = taskPorts?.subscribe(() => void this.sync()) ?? (() => undefined);
  }

  /** Relays on `gateway` from now on (the job network's, once a job container runs on it). */
  async attach(gateway: string): Promise<void> {
    if (this.gateway !== gateway) {
      for (const relay of this.relays.values()) relay.server.close();
      this.relays.clear();
      this.gateway = gateway;
    }
    await this.sync();
  }

  /** The chains' rules for a job namespace (lines of iptables-restore's format, without the declarations). */
  rules(): { nat: string[]; filter: string[] } {
    const gateway = this.gateway;
    if (gateway === undefined) return { nat: [], filter: [] };
    const relays = [...this.relays.values()];
    return {
      nat: relays.map(
        (r) =>
          `-A ${TASK_NAT_CHAIN} -d ${r.target.address}/32 -p tcp -m tcp --dport ${r.target.port} -j DNAT --to-destination ${gateway}:${r.port}`,
      ),
      filter: relays.map((r) => `-A ${TASK_FILTER_CHAIN} -d ${gateway}/32 -p tcp -m tcp --dport ${r.port} -j ACCEPT`),
    };
  }

  close(): void {
    this.unsubscribe();
    for (const relay of this.relays.values()) relay.server.close();
    this.relays.clear();
  }

  /** Makes the relays match the task ports (one change at a time). */
  private sync(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      const gateway = this.gateway;
      if (gateway === undefined) return;
      const wanted = new Map((this.taskPorts?.list() ?? []).map((p) => [`${p.address}:${p.port}`, p]));
      let changed = false;
      for (const [key, relay] of this.relays) {
        if (wanted.has(key)) continue;
        relay.server.close();
        this.relays.delete(key);
        changed = true;
      }
      for (const [key, target] of wanted) {
        if (this.relays.has(key)) continue;
        const relay = await listen(gateway, target).catch(() => undefined);
        if (relay === undefined) continue;
        this.relays.set(key, relay);
        changed = true;
      }
      if (changed) this.changed();
    });
    return this.syncing;
  }
}

function listen(gateway: string, target: TaskPort): Promise<Relay> {
  return new Promise((resolve, reject) => {
    const server = createServer((client) => {
      client.on('error', () => client.destroy());
      const upstream = connect(target.port, target.address);
      upstream.on('error', () => {
        upstream.destroy();
        client.destroy();
      });
      spliceSockets(client, upstream);
    });
    server.once('error', reject);
    server.listen(0, gateway, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ target, server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });
}
