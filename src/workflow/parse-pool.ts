/**
 * Parsing users' workflow files and action manifests off the event loop, with a time limit.
 *
 * The reader's limits (read-limits.ts) bound what a file can make the parser do, yet a 1 MiB
 * file within them still takes about a second of CPU, and the parser is a library we do not
 * control: on the cloud's event loop either would stall every API call, git request and service
 * endpoint behind it. So files are parsed in worker threads (at most two, started on first use
 * and kept warm, unreferenced while idle so that they never hold a process open), each request with a
 * deadline: a worker that overruns it is terminated and replaced, and the file gets GitHub-shaped
 * errors naming the limit. A worker that dies (out of its 256 MiB heap, say) fails only its request.
 *
 * The pool is shared by the process (parseWorkflowFileBounded, readYamlBounded, outlineYamlBounded): parsing is pure,
 * so two clouds in one process can share it as they share libuv's thread pool.
 */
import { Worker } from 'node:worker_threads';
import type { ParseResult, PushEventInfo } from './contract.js';
import { READY, type ParseReply, type ParseRequest, type WorkflowReading } from './parse-protocol.js';
import { fileSizeError, WORKFLOW_READ_LIMITS } from './read-limits.js';
import { decodeValueSliced } from './token-codec.js';
import type { YamlOutline } from './yaml-outline.js';

export interface ParsePoolOptions {
  /** Worker threads at most. Default 2. */
  size?: number;
  /** The time one file may take, from the moment a worker receives it. Default 10 s. */
  timeoutMs?: number;
}

/** Why a file could not be read at all (YAML syntax, a limit, a worker that died or overran). */
export class BoundedReadError extends Error {
  override readonly name = 'BoundedReadError';
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const WORKER_URL = new URL('./parse-worker.js', import.meta.url);
/** Far above what a 1 MiB file within the limits needs; a file that needs more is refused, not the cloud. */
const WORKER_HEAP_MB = 256;

interface Pending {
  request: ParseRequest;
  resolve: (reply: ParseReply) => void;
}

interface Thread {
  worker: Worker;
  /** False while the worker loads its modules (about 0.2 s), which no request's time limit pays for. */
  ready: boolean;
  job?: Pending & { timer: NodeJS.Timeout };
}

export class ParsePool {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly threads = new Set<Thread>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: ParsePoolOptions = {}) {
    this.size = options.size ?? 2;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** parseWorkflowFile in a worker; limits, time-outs and crashes come back as the file's errors. */
  async parseWorkflow(file: string, content: string): Promise<ParseResult> {
    return (await this.readWorkflow(file, content)).parsed;
  }

  /** parseWorkflow, and whether `push` triggers the workflow (matchesPush), both in the worker. */
  async parsePushedWorkflow(
    file: string,
    content: string,
    push: PushEventInfo,
  ): Promise<{ parsed: ParseResult; triggered: boolean }> {
    const reading = await this.readWorkflow(file, content, push);
    return { parsed: reading.parsed, triggered: reading.triggered ?? false };
  }

  /** A YAML file's text layout, `depth` levels deep; throws BoundedReadError with the reason. */
  async outlineYaml(file: string, content: string, depth: number): Promise<YamlOutline> {
    const reply = await this.submit({ kind: 'outline', file, content, depth });
    if ('failure' in reply) throw new BoundedReadError(reply.failure);
    return (await decodeValueSliced(reply.value)) as YamlOutline;
  }

  /** YAML as plain data (an action manifest); throws BoundedReadError with the reason. */
  async readYaml(file: string, content: string): Promise<unknown> {
    const reply = await this.submit({ kind: 'yaml', file, content });
    if ('failure' in reply) throw new BoundedReadError(reply.failure);
    return decodeValueSliced(reply.value);
  }

  private async readWorkflow(file: string, content: string, push?: PushEventInfo): Promise<WorkflowReading> {
    // Checked here too, so that an oversized file is not even copied to a worker.
    const tooLarge = fileSizeError(file, content, WORKFLOW_READ_LIMITS);
    if (tooLarge !== undefined) return { parsed: { errors: [tooLarge] } };
    const reply = await this.submit({ kind: 'workflow', file, content, ...(push !== undefined ? { push } : {}) });
    if ('failure' in reply) return { parsed: { errors: [`${file}: ${reply.failure}`] } };
    return (await decodeValueSliced(reply.value)) as WorkflowReading;
  }

  /** Ends the workers; requests still queued or running fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0))
      pending.resolve({ id: pending.request.id, failure: 'the parser was shut down' });
    await Promise.all([...this.threads].map((thread) => this.retire(thread, 'the parser was shut down')));
  }

  private submit(request: DistributiveOmit<ParseRequest, 'id'>): Promise<ParseReply> {
    if (this.closed) return Promise.resolve({ id: 0, failure: 'the parser was shut down' });
    return new Promise((resolve) => {
      this.queue.push({ request: { ...request, id: this.nextId++ }, resolve });
      this.dispatch();
    });
  }

  /** Hands queued requests to idle workers, and starts workers (up to the pool's size) for the rest. */
  private dispatch(): void {
    for (const thread of this.threads) {
      const pending = thread.ready && thread.job === undefined ? this.queue.shift() : undefined;
      if (pending === undefined) continue;
      const timer = setTimeout(() => void this.overran(thread), this.timeoutMs);
      thread.job = { ...pending, timer };
      thread.worker.postMessage(pending.request);
    }
    let starting = [...this.threads].filter((thread) => !thread.ready).length;
    while (this.queue.length > starting && this.threads.size < this.size) {
      this.spawn();
      starting++;
    }
    // A worker with work (or starting for it) keeps the process alive until it answers; an idle one does not.
    for (const thread of this.threads) {
      if (thread.ready && thread.job === undefined) thread.worker.unref();
      else thread.worker.ref();
    }
  }

  private spawn(): Thread {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    const thread: Thread = { worker, ready: false };
    worker.on('message', (reply: ParseReply | typeof READY) => {
      if (reply === READY) {
        thread.ready = true;
        this.dispatch();
        return;
      }
      const job = thread.job;
      if (job === undefined || reply.id !== job.request.id) return;
      this.finish(thread, reply);
    });
    worker.on('error', (error) => {
      // An uncaught error or ERR_WORKER_OUT_OF_MEMORY: this worker is done; 'exit' follows.
      const reason =
        (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the parser ran out of memory (${WORKER_HEAP_MB} MiB)`
          : `the parser failed: ${error.message}`;
      void this.retire(thread, reason);
    });
    worker.on('exit', () => void this.retire(thread, 'the parser stopped'));
    this.threads.add(thread);
    return thread;
  }

  private finish(thread: Thread, reply: ParseReply): void {
    const job = thread.job;
    if (job === undefined) return;
    clearTimeout(job.timer);
    thread.job = undefined;
    job.resolve(reply);
    this.dispatch();
  }

  private async overran(thread: Thread): Promise<void> {
    const seconds = this.timeoutMs / 1000;
    await this.retire(thread, `Maximum parse time of ${seconds} second${seconds === 1 ? '' : 's'} exceeded`);
  }

  /** Fails the worker's request (if any) with `reason`, terminates it and lets the queue move on. */
  private async retire(thread: Thread, reason: string): Promise<void> {
    if (!this.threads.delete(thread)) return;
    const job = thread.job;
    thread.job = undefined;
    if (job !== undefined) {
      clearTimeout(job.timer);
      job.resolve({ id: job.request.id, failure: reason });
    }
    // A worker that dies before it is ready would die again: fail what waits rather than respawn forever.
    if (!thread.ready)
      for (const pending of this.queue.splice(0))
        pending.resolve({ id: pending.request.id, failure: `the parser could not start: ${reason}` });
    this.dispatch();
    await thread.worker.terminate();
  }
}

let shared: ParsePool | undefined;

function sharedPool(): ParsePool {
  shared ??= new ParsePool();
  return shared;
}

/**
 * parseWorkflowFile for a file from a user (a push, a dispatch, the CLI): in a worker thread,
 * within GitHub's limits and a time limit, so that no file can stall the caller's event loop.
 */
export function parseWorkflowFileBounded(file: string, content: string): Promise<ParseResult> {
  return sharedPool().parseWorkflow(file, content);
}

/**
 * parseWorkflowFileBounded for a pushed workflow, with the trigger decision (matchesPush) made in
 * the worker too: a file that cannot be read is not triggered and comes back with its errors.
 */
export function parsePushedWorkflowBounded(
  file: string,
  content: string,
  push: PushEventInfo,
): Promise<{ parsed: ParseResult; triggered: boolean }> {
  return sharedPool().parsePushedWorkflow(file, content, push);
}

/** A user's YAML (an action manifest) as plain data, read in a worker thread within limits. */
export function readYamlBounded(file: string, content: string): Promise<unknown> {
  return sharedPool().readYaml(file, content);
}

/**
 * The text layout of a user's YAML file (yaml-outline.ts), read in a worker thread within limits.
 * Read the file as a workflow first (parseWorkflowFileBounded): that checks GitHub's node and
 * depth limits, which bound the outline too.
 */
export function outlineYamlBounded(file: string, content: string, depth: number): Promise<YamlOutline> {
  return sharedPool().outlineYaml(file, content, depth);
}
