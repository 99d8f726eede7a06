/**
 * The runner's side of the step agent (./step-agent.ts): one connection to the agent in a job's
 * container, made once right after the container starts, over which step processes are started,
 * their output read line by line and their exit learned; a kill is SIGTERM to the step's process
 * group, then SIGKILL after the grace period, as on the host.
 */
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { JobProcessSpec } from '../job-host.js';
import { KILL_GRACE_MS, lineReader, OUTPUT_DRAIN_MS, type ProcessResult, type StartedProcess } from '../processes.js';

/** How long the agent may take to listen after its container started (Node's start-up, on a busy machine). */
const CONNECT_TIMEOUT_MS = 15_000;

interface Running {
  out: PassThrough;
  err: PassThrough;
  finish(result: ProcessResult): void;
}

type AgentMessage =
  | { t: 'ready' }
  | { t: 'out'; id: number; s: 'o' | 'e'; d: string }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null; error?: string };

export class StepAgentClient {
  private readonly running = new Map<number, Running>();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        this.receive(JSON.parse(line) as AgentMessage);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const process of this.running.values())
        process.finish({
          exitCode: null,
          signal: null,
          spawnError: new Error("The job's container stopped (its step agent ended)"),
        });
      this.running.clear();
    });
    socket.on('error', () => undefined);
  }

  /** Connects to the agent listening at `socketPath` (on the host), waiting until it does. */
  static async connect(
    socketPath: string,
    signal: AbortSignal,
    exited: () => Promise<boolean>,
  ): Promise<StepAgentClient> {
    const deadline = Date.now() + CONNECT_TIMEOUT_MS;
    let checked = Date.now();
    for (;;) {
      signal.throwIfAborted();
      const socket = await attempt(socketPath);
      if (socket !== undefined) {
        const ready = await new Promise<boolean>((resolve) => {
          socket.once('data', (chunk: Buffer) => {
            socket.pause();
            socket.unshift(chunk);
            resolve(chunk.toString('utf8').startsWith('{"t":"ready"}'));
          });
          socket.once('close', () => resolve(false));
        });
        if (ready) {
          const client = new StepAgentClient(socket);
          // The ready line is still in the buffer: it is read (and ignored) first.
          socket.resume();
          return client;
        }
        socket.destroy();
      }
      // Whether the container already ended is asked of the engine now and then, not every try.
      const ask = Date.now() - checked > 250;
      if (ask) checked = Date.now();
      if (Date.now() > deadline || (ask && (await exited())))
        throw new Error("The job's step agent did not start in its container (it runs with the image's node)");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  start(spec: JobProcessSpec): StartedProcess {
    const id = this.nextId++;
    const out = new PassThrough();
    const err = new PassThrough();
    const readers = [
      lineReader(out, (line) => spec.onLine(line, 'stdout')),
      lineReader(err, (line) => spec.onLine(line, 'stderr')),
    ];
    let killReason: 'cancel' | 'timeout' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const done = new Promise<ProcessResult>((resolve) => {
      const finish = (result: ProcessResult) => {
        if (killTimer !== undefined) clearTimeout(killTimer);
        out.end();
        err.end();
        void Promise.all(readers.map((reader) => reader.ended(OUTPUT_DRAIN_MS))).then(() => resolve(result));
      };
      if (this.closed)
        return finish({
          exitCode: null,
          signal: null,
          spawnError: new Error("The job's container stopped (its step agent ended)"),
        });
      this.running.set(id, { out, err, finish });
      this.socket.write(
        `${JSON.stringify({ t: 'spawn', id, file: spec.file, args: spec.args, env: spec.env, cwd: spec.cwd })}\n`,
      );
    });
    return {
      pid: undefined,
      done,
      get killReason() {
        return killReason;
      },
      kill: (reason) => {
        if (killReason !== undefined) return;
        killReason = reason;
        this.signal(id, 'SIGTERM');
        killTimer = setTimeout(() => this.signal(id, 'SIGKILL'), KILL_GRACE_MS);
        killTimer.unref();
      },
    };
  }

  close(): void {
    this.socket.destroy();
  }

  private signal(id: number, signal: NodeJS.Signals): void {
    if (!this.closed) this.socket.write(`${JSON.stringify({ t: 'kill', id, signal })}\n`);
  }

  private receive(message: AgentMessage): void {
    if (message.t === 'out') {
      const process = this.running.get(message.id);
      (message.s === 'e' ? process?.err : process?.out)?.write(Buffer.from(message.d, 'base64'));
    } else if (message.t === 'exit') {
      const process = this.running.get(message.id);
      this.running.delete(message.id);
      process?.finish(
        message.error !== undefined
          ? { exitCode: null, signal: null, spawnError: new Error(message.error) }
          : { exitCode: message.code, signal: message.signal },
      );
    }
  }
}

function attempt(socketPath: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}
