/**
 * The console's views by name: how each reads its parameters (bounded; a bad one is a 400),
 * builds its JSON (undefined: nothing by that name, a 404), which changes can alter it, and
 * the extra live events some pages follow (a task's container logs, a step's log). The same
 * table answers GET /api/views/NAME and feeds each page's stream (stream.ts).
 */
import type { Change } from './changes.js';
import type { LiveViewName, LogLine, StreamEvents } from './contract.js';
import type { ConsoleDeps } from './deps.js';
import { ConsoleHttpError } from './http.js';
import { imageRepositoryView, imagesView } from './views/images.js';
import { MAX_STEP_LOG_BYTES, repositoriesView, repositoryView, runPage } from './views/pipelines.js';
import { findService, servicesView, serviceView, taskView } from './views/services.js';
import { roleView, trustView } from './views/trust.js';

/** Sends one event of a page's stream. */
export type SendEvent = <K extends keyof StreamEvents>(event: K, data: StreamEvents[K]) => void;

/** Live events beyond the snapshot (log tails): started once the page has its first snapshot. */
export interface ExtraFeed {
  /** Sends what is stored so far; called in the same turn as the subscription, so no line is lost or doubled. */
  start(send: SendEvent): void;
  onChange(change: Change, send: SendEvent): void;
}

export interface LiveView {
  snapshot(): unknown;
  relevant(change: Change): boolean;
  extra?: ExtraFeed;
}

/** A task's log lines sent when its page opens (the live tail follows). */
const INITIAL_LOG_LINES = 500;
/** Lines read per change at most; a flood is read over several changes. */
const LOG_BATCH = 1000;
/** A line longer than this is cut for the page (CloudWatch Logs keeps up to 256 KiB per event). */
const MAX_LINE = 16 * 1024;

function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${line.length - MAX_LINE} more characters)` : line;
}

const NAME = /^[A-Za-z0-9_.:/@-]{1,512}$/;

function param(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || !NAME.test(value))
    throw new ConsoleHttpError(400, `The ${name} parameter is missing or not valid`);
  return value;
}

function numberParam(params: URLSearchParams, name: string, optional: true): number | undefined;
function numberParam(params: URLSearchParams, name: string, optional?: false): number;
function numberParam(params: URLSearchParams, name: string, optional = false): number | undefined {
  const value = params.get(name);
  if (value === null && optional) return undefined;
  const parsed = Number(value);
  if (value === null || !/^\d{1,15}$/.test(value) || !Number.isSafeInteger(parsed))
    throw new ConsoleHttpError(400, `The ${name} parameter is missing or not a number`);
  return parsed;
}

const isRunChange = (change: Change, runId?: number): boolean =>
  change.kind === 'run' && change.event.type !== 'log' && (runId === undefined || change.event.runId === runId);

/** The view `name` with `params`; throws 404 for an unknown view, 400 for bad parameters. */
export function liveView(deps: ConsoleDeps, name: string, params: URLSearchParams): LiveView {
  switch (name as LiveViewName) {
    case 'services':
      return {
        snapshot: () => servicesView(deps),
        relevant: (c) => c.kind === 'ecs' && c.change.type !== 'task-definition',
      };
    case 'service': {
      const cluster = param(params, 'cluster');
      const service = param(params, 'name');
      const arn = () => findService(deps, cluster, service)?.serviceArn;
      return {
        snapshot: () => serviceView(deps, cluster, service),
        relevant: (c) => {
          if (c.kind !== 'ecs') return false;
          const change = c.change;
          switch (change.type) {
            case 'service':
              return change.service.serviceName === service;
            case 'deployment':
              return change.deployment.serviceArn === arn();
            case 'service-event':
              return change.serviceArn === arn();
            case 'task':
            case 'task-stopped':
              return change.task.group === `service:${service}`;
            case 'task-definition':
              return false;
          }
        },
      };
    }
    case 'task': {
      const cluster = param(params, 'cluster');
      const id = param(params, 'id');
      return {
        snapshot: () => taskView(deps, cluster, id),
        relevant: (c) =>
          c.kind === 'ecs' &&
          (c.change.type === 'task' || c.change.type === 'task-stopped') &&
          c.change.task.taskArn.endsWith(`/${id}`),
        extra: taskLogs(deps, cluster, id),
      };
    }
    case 'repositories':
      return { snapshot: () => repositoriesView(deps), relevant: (c) => c.kind === 'run' && c.event.type === 'run' };
    case 'repository': {
      const repository = param(params, 'name');
      return {
        snapshot: () => repositoryView(deps, repository),
        relevant: (c) => c.kind === 'run' && c.event.type === 'run',
      };
    }
    case 'run': {
      const id = numberParam(params, 'id');
      const attempt = numberParam(params, 'attempt', true);
      const job = numberParam(params, 'job', true);
      const step = numberParam(params, 'step', true);
      return {
        snapshot: () => runPage(deps, id, attempt),
        relevant: (c) => isRunChange(c, id) || (c.kind === 'decision' && c.runId === String(id)),
        ...(job !== undefined && step !== undefined ? { extra: stepLogFeed(deps, id, job, step) } : {}),
      };
    }
    case 'trust':
      return {
        snapshot: () => trustView(deps),
        relevant: (c) => c.kind === 'decision' || (c.kind === 'run' && c.event.type === 'run'),
      };
    case 'role': {
      const role = param(params, 'name');
      return { snapshot: () => roleView(deps, role), relevant: (c) => c.kind === 'decision' };
    }
    case 'images':
      return { snapshot: () => imagesView(deps), relevant: (c) => c.kind === 'images' };
    case 'image': {
      const repository = param(params, 'name');
      return {
        snapshot: () => imageRepositoryView(deps, repository),
        relevant: (c) =>
          (c.kind === 'images' && c.repository === repository) ||
          (c.kind === 'ecs' && c.change.type === 'task-definition'),
      };
    }
    default:
      throw new ConsoleHttpError(404, `The console has no view ${name.slice(0, 50)}`);
  }
}

/** A task's containers' CloudWatch Logs streams: the last lines, then each line as it arrives. */
function taskLogs(deps: ConsoleDeps, cluster: string, id: string): ExtraFeed {
  const followed = new Map<string, { container: string; group: string; stream: string; lastId: number }>();
  const toLines = (events: { id: number; timestamp: number; message: string }[]): LogLine[] =>
    events.map((e) => ({ id: e.id, time: new Date(e.timestamp).toISOString(), message: clip(e.message) }));
  return {
    start(send) {
      for (const container of taskView(deps, cluster, id)?.containers ?? []) {
        if (!container.logs) continue;
        const { group, stream } = container.logs;
        const events = deps.logs.arrivals(group, stream, { limit: INITIAL_LOG_LINES });
        followed.set(`${group}\n${stream}`, {
          container: container.name,
          group,
          stream,
          lastId: events.at(-1)?.id ?? 0,
        });
        send('task-log', { container: container.name, lines: toLines(events), reset: true });
      }
    },
    onChange(change, send) {
      if (change.kind !== 'logs') return;
      const tail = followed.get(`${change.group}\n${change.stream}`);
      if (!tail) return;
      const events = deps.logs.arrivals(tail.group, tail.stream, { afterId: tail.lastId, limit: LOG_BATCH });
      if (events.length === 0) return;
      tail.lastId = events.at(-1)?.id ?? tail.lastId;
      send('task-log', { container: tail.container, lines: toLines(events), reset: false });
    },
  };
}

/** One step's log: as stored (masked), then each line the step writes, until it ends. */
function stepLogFeed(deps: ConsoleDeps, runId: number, job: number, step: number): ExtraFeed {
  return {
    start(send) {
      const stored = deps.runner.readStepLog(runId, job, step, MAX_STEP_LOG_BYTES);
      send('step-log', {
        job,
        step,
        text: stored?.text ?? '',
        reset: true,
        truncated: stored?.truncated ?? false,
        complete: stored?.complete ?? false,
      });
    },
    onChange(change, send) {
      if (change.kind !== 'run' || change.event.runId !== runId) return;
      const event = change.event;
      if (event.type === 'log' && event.jobId === job && event.step === step)
        send('step-log', {
          job,
          step,
          text: `${event.time} ${clip(event.line)}\n`,
          reset: false,
          truncated: false,
          complete: false,
        });
      else if (event.type === 'step' && event.jobId === job && event.step === step && event.status === 'completed')
        send('step-log', { job, step, text: '', reset: false, truncated: false, complete: true });
    },
  };
}
