/**
 * How CLI commands talk to the running cloud's control API (/_dockyard/api): JSON requests with
 * the admin key, and the NDJSON progress stream of a run. Errors come back as
 * `{"message": …}` and are raised as CliError so the user reads the message, not a stack.
 */
import { request } from 'node:http';
import { basicAuthorization, type AdminCredential } from '../control/admin-auth.js';
import { CONTROL_PREFIX, type ProgressEvent, type RunSummary } from '../control/contract.js';
import { CliError } from './command.js';
import { cloudSession } from './cloud-session.js';
import type { RunningCloud } from './running.js';

export class ControlClient {
  private constructor(
    readonly cloud: RunningCloud,
    readonly admin: AdminCredential,
  ) {}

  /** The client for the cloud running on `dataDir`; a CliError saying how to start it otherwise. */
  static forDataDir(dataDir: string): ControlClient {
    const { cloud, admin } = cloudSession(dataDir);
    return new ControlClient(cloud, admin);
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  /** Follows a run's progress until it completes; resolves with the completed run. */
  follow(runId: number, onEvent: (event: ProgressEvent) => void): Promise<RunSummary> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.url(`/runs/${runId}/events`),
        { method: 'GET', headers: { authorization: basicAuthorization(this.admin) } },
        (res) => {
          if (res.statusCode !== 200) {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => reject(new CliError(messageOf(text, res.statusCode))));
            return;
          }
          let buffer = '';
          let last: RunSummary | undefined;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let newline;
            while ((newline = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, newline);
              buffer = buffer.slice(newline + 1);
              if (!line.trim()) continue;
              const event = JSON.parse(line) as ProgressEvent;
              if (event.type === 'run') last = event.run;
              onEvent(event);
            }
          });
          res.on('end', () =>
            last?.status === 'completed'
              ? resolve(last)
              : reject(new CliError(`the cloud stopped streaming run ${runId} before it completed`)),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (error) => reject(new CliError(`cannot reach dockyard at ${this.cloud.url}: ${error.message}`)));
      req.end();
    });
  }

  private url(path: string): string {
    return `${this.cloud.url}${CONTROL_PREFIX}${path}`;
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        authorization: basicAuthorization(this.admin),
        accept: 'application/json',
      };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const req = request(this.url(path), { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) return reject(new CliError(messageOf(text, status)));
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            reject(new CliError(`dockyard answered ${method} ${path} with something that is not JSON`));
          }
        });
      });
      req.on('error', (error) => reject(new CliError(`cannot reach dockyard at ${this.cloud.url}: ${error.message}`)));
      req.end(payload);
    });
  }
}

function messageOf(text: string, status: number | undefined): string {
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: fall through
  }
  return `dockyard answered ${status ?? '?'}${text ? `: ${text.slice(0, 200)}` : ''}`;
}
