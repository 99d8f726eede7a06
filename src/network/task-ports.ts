/**
 * The task ports a cloud serves right now (`<task address>:<container port>`, each a
 * TaskPortProxy on this host's loopback), for what must follow them: workflow jobs, whose
 * containers reach a task's address through a relay (src/runner/container/task-relays.ts). The
 * runtime adds a port when it makes the port's proxy and removes it when the proxy closes.
 */

/** One task port. */
export interface TaskPort {
  address: string;
  port: number;
}

export class TaskPorts {
  private readonly ports = new Map<string, TaskPort>();
  private readonly listeners = new Set<() => void>();

  add(port: TaskPort): void {
    const key = `${port.address}:${port.port}`;
    if (this.ports.has(key)) return;
    this.ports.set(key, { ...port });
    this.changed();
  }

  remove(port: TaskPort): void {
    if (this.ports.delete(`${port.address}:${port.port}`)) this.changed();
  }

  list(): TaskPort[] {
    return [...this.ports.values()];
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
