/** Services: clusters and their services, one service (deployments, rollout, events, tasks), one task. */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LogLine, ServicesView, ServiceView, StreamEvents, TaskView } from '../../contract.js';
import { Badge, Empty, Facts, OutLink, Section, Table, Time } from '../components.js';
import { ago } from '../format.js';
import { navigate } from '../navigation.js';
import { paths } from '../routes.js';
import { Timeline } from '../timeline.js';
import { useLive } from '../live.js';
import { Page } from './page.js';

export function ServicesPage() {
  const live = useLive<ServicesView>('services', {});
  return (
    <Page title="Services" live={live}>
      {(data) =>
        data.clusters.length === 0 ? (
          <Empty>
            No ECS clusters yet. Create one with <code>aws ecs create-cluster</code>, or run <code>npm run demo</code>.
          </Empty>
        ) : (
          data.clusters.map((cluster) => (
            <Section key={cluster.name} title={`Cluster ${cluster.name}`}>
              {cluster.services.length === 0 ? (
                <Empty>No services in this cluster.</Empty>
              ) : (
                <Table head={['Service', 'Tasks', 'Rollout', 'Endpoint', 'Tasks answer at', 'Last event']}>
                  {cluster.services.map((s) => (
                    <tr key={s.name} data-service={s.name}>
                      <td>
                        <a href={paths.service(s.cluster, s.name)}>{s.name}</a>
                        {s.status !== 'ACTIVE' ? <Badge status={s.status} /> : null}
                      </td>
                      <td class="counts">
                        {s.running}/{s.desired} running{s.pending > 0 ? `, ${s.pending} pending` : ''}
                      </td>
                      <td>
                        <Badge status={s.rollout} title={s.rolloutReason} />
                      </td>
                      <td>{s.endpoint ? <OutLink href={s.endpoint} /> : null}</td>
                      <td>
                        {s.taskUrls.map((url) => (
                          <div key={url}>
                            <OutLink href={url} />
                          </div>
                        ))}
                      </td>
                      <td class="message">
                        {s.lastEvent ? (
                          <>
                            <span class="when">{ago(s.lastEvent.at)}</span> {s.lastEvent.message}
                          </>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </Table>
              )}
            </Section>
          ))
        )
      }
    </Page>
  );
}

export function ServicePage(props: { cluster: string; name: string }) {
  const live = useLive<ServiceView>('service', { cluster: props.cluster, name: props.name });
  return (
    <Page title={`Service ${props.name}`} crumbs={[['Services', paths.services()]]} live={live}>
      {(s) => (
        <>
          <Facts
            items={[
              ['Cluster', s.cluster],
              ['Status', <Badge status={s.status} />],
              ['Tasks', `${s.running}/${s.desired} running${s.pending ? `, ${s.pending} pending` : ''}`],
              ['Rollout', s.rollout ? <Badge status={s.rollout} title={s.rolloutReason} /> : undefined],
              ['Task definition', s.taskDefinition.slice(s.taskDefinition.lastIndexOf('/') + 1)],
              ['Endpoint', s.endpoint ? <OutLink href={s.endpoint} /> : undefined],
            ]}
          />
          <Section title="Deployments">
            <Table head={['Status', 'Task definition', 'Tasks', 'Failed', 'Rollout', 'Started', 'By run']}>
              {s.deploymentList.map((d) => (
                <tr key={d.id} data-deployment={d.id}>
                  <td>
                    <Badge status={d.status} />
                  </td>
                  <td>{d.taskDefinition.slice(d.taskDefinition.lastIndexOf('/') + 1)}</td>
                  <td class="counts">
                    {d.running}/{d.desired}
                    {d.pending ? ` (+${d.pending} pending)` : ''}
                  </td>
                  <td>{d.failed || ''}</td>
                  <td>
                    <Badge status={d.rollout} />
                    <div class="reason">{d.rolloutReason}</div>
                  </td>
                  <td>
                    <Time at={d.createdAt} />
                  </td>
                  <td>{d.runId !== undefined ? <a href={paths.run(d.runId)}>#{d.runId}</a> : null}</td>
                </tr>
              ))}
            </Table>
          </Section>
          <Section title="Rolling update">
            <Timeline
              data={s.timeline}
              live={live.connection === 'live'}
              onTask={(task) => navigate(paths.task(s.cluster, task))}
            />
          </Section>
          <Section title="Tasks">
            <TaskTable cluster={s.cluster} tasks={s.tasks} />
          </Section>
          <Section title="Events">
            {s.events.length === 0 ? (
              <Empty>No events yet.</Empty>
            ) : (
              <ol class="events">
                {s.events.map((e, i) => (
                  <li key={`${e.at}-${i}`}>
                    <Time at={e.at} /> {e.message}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </>
      )}
    </Page>
  );
}

function TaskTable(props: { cluster: string; tasks: ServiceView['tasks'] }) {
  if (props.tasks.length === 0) return <Empty>No tasks yet.</Empty>;
  return (
    <Table head={['Task', 'Status', 'Health', 'Started', 'Stopped', 'Why it stopped', 'Answers at']}>
      {props.tasks.map((t) => (
        <tr key={t.id} data-task={t.id} class={t.abnormal ? 'abnormal' : undefined}>
          <td>
            <a href={paths.task(props.cluster, t.id)}>{t.id.slice(0, 12)}</a>
          </td>
          <td>
            <Badge status={t.abnormal ? 'stopped-abnormally' : t.lastStatus} />
          </td>
          <td>{t.health !== 'UNKNOWN' ? <Badge status={t.health} /> : null}</td>
          <td>
            <Time at={t.startedAt} />
          </td>
          <td>
            <Time at={t.stoppedAt} />
          </td>
          <td class="reason">{t.stoppedReason}</td>
          <td>{t.url ? <OutLink href={t.url} /> : null}</td>
        </tr>
      ))}
    </Table>
  );
}

export function TaskPage(props: { cluster: string; id: string }) {
  const [logs, setLogs] = useState<Record<string, LogLine[]>>({});
  const live = useLive<TaskView>(
    'task',
    { cluster: props.cluster, id: props.id },
    {
      'task-log': (event: StreamEvents['task-log']) =>
        setLogs((current) => ({
          ...current,
          // The newest lines a page keeps per container; older ones scroll away.
          [event.container]: [...(event.reset ? [] : (current[event.container] ?? [])), ...event.lines].slice(-2000),
        })),
    },
  );
  return (
    <Page title={`Task ${props.id.slice(0, 12)}`} crumbs={[['Services', paths.services()]]} live={live}>
      {(t) => (
        <>
          {t.stoppedReason ? (
            <div class={`callout ${t.abnormal ? 'bad' : ''}`} role="status">
              <strong>Stopped{t.stopCode ? ` (${t.stopCode})` : ''}:</strong>{' '}
              <span class="stopped-reason">{t.stoppedReason}</span>
            </div>
          ) : null}
          <Facts
            items={[
              ['Service', t.service ? <a href={paths.service(t.cluster, t.service)}>{t.service}</a> : undefined],
              ['Status', <Badge status={t.lastStatus} />],
              ['Desired', t.desiredStatus],
              ['Health', t.health],
              ['Task definition', t.taskDefinition],
              ['Created', <Time at={t.createdAt} />],
              ['Started', <Time at={t.startedAt} />],
              ['Healthy', <Time at={t.healthyAt} />],
              ['Stopping', <Time at={t.stoppingAt} />],
              ['Stopped', <Time at={t.stoppedAt} />],
              ['Answers at', t.url ? <OutLink href={t.url} /> : undefined],
              ['ARN', <code>{t.arn}</code>],
            ]}
          />
          <Section title="Containers">
            <Table head={['Container', 'Image', 'Status', 'Health', 'Exit code', 'Reason']}>
              {t.containers.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>
                    <code>{c.image}</code>
                  </td>
                  <td>
                    <Badge status={c.lastStatus} />
                  </td>
                  <td>{c.health}</td>
                  <td>{c.exitCode ?? ''}</td>
                  <td class="reason">{c.reason}</td>
                </tr>
              ))}
            </Table>
          </Section>
          {t.containers.map((c) =>
            c.logs ? (
              <Section key={c.name} title={`Logs of ${c.name}`}>
                <p class="hint">
                  CloudWatch Logs {c.logs.group} / {c.logs.stream}
                </p>
                <LogView lines={(logs[c.name] ?? []).map((l) => `${l.time.slice(11, 23)} ${l.message}`)} />
              </Section>
            ) : null,
          )}
        </>
      )}
    </Page>
  );
}

/** Lines that keep to the bottom while the reader is there (a live tail). */
export function LogView(props: { lines: string[]; label?: string }) {
  const element = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    if (stick.current && element.current) element.current.scrollTop = element.current.scrollHeight;
  });
  return (
    <pre
      class="log"
      ref={element}
      aria-label={props.label ?? 'log'}
      onScroll={(event) => {
        const el = event.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {props.lines.length === 0 ? <span class="empty">No lines yet.</span> : props.lines.join('\n')}
    </pre>
  );
}
