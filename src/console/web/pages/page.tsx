/** A page's frame: its title and breadcrumbs, whether it is live, and its body once the data came. */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Live } from '../live.js';

export function Page<T>(props: {
  title: string;
  crumbs?: [string, string][];
  live: Live<T>;
  actions?: (data: T) => ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  const { data, connection, problem } = props.live;
  useEffect(() => {
    document.title = `${props.title} · dockyard console`;
  }, [props.title]);
  useEffect(() => {
    // The first render with data: what the benchmark times (time to first render).
    if (data !== undefined && !performance.getEntriesByName('dockyard:first-render').length)
      performance.mark('dockyard:first-render');
  }, [data !== undefined]);
  return (
    <main>
      <div class="page-head">
        <div>
          {props.crumbs ? (
            <nav class="crumbs" aria-label="Breadcrumbs">
              {props.crumbs.map(([label, href]) => (
                <a key={href} href={href}>
                  {label}
                </a>
              ))}
            </nav>
          ) : null}
          <h1>{props.title}</h1>
        </div>
        <div class="page-actions">
          {data !== undefined && props.actions ? props.actions(data) : null}
          <span class={`connection ${connection}`} role="status" data-connection={connection}>
            {connection === 'live' ? 'live' : connection}
          </span>
        </div>
      </div>
      {problem ? (
        <div class="callout bad" role="alert">
          {problem} {problem.includes('log in') ? <a href={location.pathname}>Log in</a> : null}
        </div>
      ) : null}
      {data === undefined ? (
        problem ? null : (
          <p class="loading">Loading…</p>
        )
      ) : (
        <div class="page-body">{props.children(data)}</div>
      )}
    </main>
  );
}
