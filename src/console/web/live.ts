/**
 * The page's live data: one EventSource per page on the console's stream, whose first event
 * is the view's JSON and whose later `snapshot` events replace it; extra events (log lines)
 * go to the page's handler. EventSource reconnects by itself after a drop; a refused stream
 * (the session ended: 401) closes for good and says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CONSOLE_PREFIX, type StreamEvents } from '../contract.js';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface Live<T> {
  data: T | undefined;
  connection: Connection;
  /** Why the stream closed for good (not found, logged out). */
  problem?: string;
}

type ExtraHandlers = { [K in keyof StreamEvents]?: (data: StreamEvents[K]) => void };

/** Follows `view` with `params`; `extras` receive the stream's other events. */
export function useLive<T>(
  view: string | undefined,
  params: Record<string, string>,
  extras: ExtraHandlers = {},
): Live<T> {
  const [state, setState] = useState<Live<T>>({ data: undefined, connection: 'connecting' });
  const handlers = useRef(extras);
  handlers.current = extras;
  const query = new URLSearchParams(params).toString();
  const key = view === undefined ? '' : `${view}&${query}`;

  const shown = useRef(view);
  useEffect(() => {
    if (view === undefined) return;
    // The same view with other parameters (another step's log) keeps showing what it has meanwhile.
    const same = shown.current === view;
    shown.current = view;
    setState((s) => ({ data: same ? s.data : undefined, connection: 'connecting' }));
    const source = new EventSource(`${CONSOLE_PREFIX}/events?${new URLSearchParams({ view, ...params }).toString()}`);
    let received = false;
    source.addEventListener('snapshot', (event) => {
      received = true;
      const data = JSON.parse((event as MessageEvent<string>).data) as T;
      setState({ data, connection: 'live' });
    });
    for (const name of ['task-log', 'step-log'] as const) {
      source.addEventListener(name, (event) => {
        const handler = handlers.current[name] as ((data: unknown) => void) | undefined;
        handler?.(JSON.parse((event as MessageEvent<string>).data));
      });
    }
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // EventSource gives up on a refused stream (401, 404) without saying which: ask.
        void explain(view, query).then((problem) =>
          setState((s) => ({ ...s, connection: 'closed', problem: problem ?? 'The stream closed' })),
        );
      } else {
        setState((s) => ({ ...s, connection: received ? 'reconnecting' : 'connecting' }));
      }
    });
    return () => source.close();
  }, [key]);

  return state;
}

/** What the view's JSON route answers when its stream was refused. */
async function explain(view: string, query: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${CONSOLE_PREFIX}/api/views/${view}?${query}`, { credentials: 'same-origin' });
    if (response.ok) return undefined;
    if (response.status === 401) return 'Your session ended: log in again.';
    const body = (await response.json()) as { message?: string };
    return body.message ?? `The console answered ${response.status}`;
  } catch {
    return 'The cloud is not answering (is it still running?)';
  }
}

/** The session's CSRF token, which the shell put in a meta element. */
function csrfToken(): string {
  return document.querySelector('meta[name="dockyard-csrf"]')?.getAttribute('content') ?? '';
}

/** POSTs to the console's API with the CSRF token; resolves with the JSON answer, rejects with its message. */
export async function post<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${CONSOLE_PREFIX}${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'x-dockyard-csrf': csrfToken(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) throw new Error((parsed as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`);
  return parsed as T;
}

/** Logs out: the server ends the session; the page then shows the login form. */
export async function logOut(): Promise<void> {
  await fetch(`${CONSOLE_PREFIX}/logout`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'x-dockyard-csrf': csrfToken() },
    redirect: 'manual',
  });
  location.assign(`${CONSOLE_PREFIX}/`);
}
