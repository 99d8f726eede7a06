/** Small pieces every page uses: status badges, times, sections, tables that scroll on narrow screens. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ago, between, clockTime } from './format.js';

/** A status word with its colour: success, failure, running, waiting, neutral. */
export function Badge(props: { status: string | undefined; title?: string }) {
  const status = props.status ?? 'unknown';
  return (
    <span class={`badge ${tone(status)}`} title={props.title}>
      {status.replaceAll('_', ' ').toLowerCase()}
    </span>
  );
}

function tone(status: string): string {
  switch (status.toLowerCase()) {
    case 'success':
    case 'completed':
    case 'running':
    case 'healthy':
    case 'active':
    case 'primary':
    case 'admitted':
      return 'good';
    case 'failure':
    case 'failed':
    case 'refused':
    case 'unhealthy':
    case 'stopped-abnormally':
      return 'bad';
    case 'in_progress':
    case 'pending':
    case 'provisioning':
    case 'activating':
    case 'queued':
    case 'deactivating':
    case 'stopping':
    case 'deprovisioning':
    case 'draining':
      return 'busy';
    default:
      return 'quiet';
  }
}

/** A run's or job's or step's status: its conclusion once completed. */
export function RunStatus(props: { status: string; conclusion?: string }) {
  return <Badge status={props.status === 'completed' ? (props.conclusion ?? 'completed') : props.status} />;
}

/** A clock time with the full date and "… ago" on hover. */
export function Time(props: { at: string | undefined }) {
  if (!props.at) return null;
  return (
    <time dateTime={props.at} title={`${new Date(props.at).toLocaleString()} (${ago(props.at)})`}>
      {clockTime(props.at)}
    </time>
  );
}

/** Re-renders every `ms` while `active`: durations of what is still running keep counting. */
export function useTicking(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return now;
}

/** How long something took, or has taken so far. */
export function Elapsed(props: { from: string | undefined; to: string | undefined }) {
  const now = useTicking(props.from !== undefined && props.to === undefined);
  if (!props.from) return null;
  return <span class="duration">{between(props.from, props.to, now)}</span>;
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section>
      <div class="section-head">
        <h2>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

/** A table that scrolls sideways in a narrow window instead of squeezing its columns. */
export function Table(props: { head: string[]; children: ComponentChildren; label?: string }) {
  return (
    <div class="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** Facts as a definition list: label, value. */
export function Facts(props: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {props.items
        .filter(([, value]) => value !== undefined && value !== null && value !== '')
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

/** A link that leaves the console (a service's endpoint, a task's address): new tab, no referrer. */
export function OutLink(props: { href: string }) {
  return (
    <a href={props.href} target="_blank" rel="noreferrer noopener">
      {props.href}
    </a>
  );
}
