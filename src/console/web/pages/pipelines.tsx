/** Pipelines: hosted repositories, one repository's runs, one run (jobs, steps, a step's log, re-run, cancel). */
import { useState } from 'preact/hooks';
import type { RepositoriesView, RepositoryView, RunPage as RunData, StreamEvents } from '../../contract.js';
import { Badge, Elapsed, Empty, Facts, RunStatus, Section, Table, Time } from '../components.js';
import { useLive, post } from '../live.js';
import { navigate } from '../navigation.js';
import { paths } from '../routes.js';
import { DecisionTable } from './trust.js';
import { LogView } from './services.js';
import { Page } from './page.js';

export function RepositoriesPage() {
  const live = useLive<RepositoriesView>('repositories', {});
  return (
    <Page title="Pipelines" live={live}>
      {(data) =>
        data.repositories.length === 0 ? (
          <Empty>
            No hosted repositories yet: <code>dockyard repo create OWNER/NAME --remote dockyard</code>, then{' '}
            <code>git push dockyard main</code>.
          </Empty>
        ) : (
          <Table head={['Repository', 'Latest run', 'When', 'Clone URL']}>
            {data.repositories.map((r) => (
              <tr key={r.name}>
                <td>
                  <a href={paths.repository(r.name)}>{r.name}</a>
                </td>
                <td>
                  {r.latest ? (
                    <>
                      <RunStatus status={r.latest.status} conclusion={r.latest.conclusion} />{' '}
                      <a href={paths.run(r.latest.id)}>{r.latest.title}</a>
                    </>
                  ) : (
                    'no runs yet'
                  )}
                </td>
                <td>
                  <Time at={r.latest?.createdAt} />
                </td>
                <td>
                  <code>{r.cloneUrl}</code>
                </td>
              </tr>
            ))}
          </Table>
        )
      }
    </Page>
  );
}

export function RepositoryPage(props: { name: string }) {
  const live = useLive<RepositoryView>('repository', { name: props.name });
  return (
    <Page title={props.name} crumbs={[['Pipelines', paths.repositories()]]} live={live}>
      {(data) => (
        <>
          <p class="hint">
            Clone URL <code>{data.cloneUrl}</code>
          </p>
          {data.runs.length === 0 ? (
            <Empty>No runs yet: push a commit with a workflow under .github/workflows.</Empty>
          ) : (
            <Table head={['Status', 'Run', 'Workflow', 'Event', 'Ref', 'Commit', 'Started', 'Took']}>
              {data.runs.map((run) => (
                <tr key={run.id} data-run={run.id}>
                  <td>
                    <RunStatus status={run.status} conclusion={run.conclusion} />
                  </td>
                  <td>
                    <a href={paths.run(run.id)}>{run.title}</a> <span class="quiet">#{run.runNumber}</span>
                  </td>
                  <td>{run.workflow}</td>
                  <td>{run.event}</td>
                  <td>{run.ref.replace(/^refs\/(heads|tags)\//, '')}</td>
                  <td>
                    <code>{run.sha.slice(0, 7)}</code>
                  </td>
                  <td>
                    <Time at={run.createdAt} />
                  </td>
                  <td>
                    <Elapsed from={run.startedAt} to={run.completedAt} />
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </>
      )}
    </Page>
  );
}

type StepLogState = { key: string; text: string; complete: boolean; truncated: boolean };

export function RunPage(props: { id: number; attempt?: number; job?: number; step?: number }) {
  const selected = props.job !== undefined && props.step !== undefined ? `${props.job}/${props.step}` : undefined;
  const [log, setLog] = useState<StepLogState | undefined>(undefined);
  const params: Record<string, string> = { id: String(props.id) };
  if (props.attempt !== undefined) params.attempt = String(props.attempt);
  if (selected && props.job !== undefined && props.step !== undefined) {
    params.job = String(props.job);
    params.step = String(props.step);
  }
  const live = useLive<RunData>('run', params, {
    'step-log': (event: StreamEvents['step-log']) =>
      setLog((current) => {
        const key = `${event.job}/${event.step}`;
        const base = event.reset || current?.key !== key ? '' : current.text;
        return {
          key,
          // A page keeps the last 1 MB of a step's log; the stored log has it all.
          text: (base + event.text).slice(-1_000_000),
          complete: event.complete || (!event.reset && current?.key === key && current.complete),
          truncated: event.truncated || (current?.key === key && current.truncated && !event.reset),
        };
      }),
  });
  const [acting, setActing] = useState<string | undefined>(undefined);
  const act = async (action: 'rerun' | 'cancel') => {
    setActing(undefined);
    try {
      await post(`/api/runs/${props.id}/${action}`);
      if (action === 'rerun') navigate(paths.run(props.id));
    } catch (error) {
      setActing((error as Error).message);
    }
  };
  return (
    <Page
      title={`Run #${props.id}`}
      crumbs={[['Pipelines', paths.repositories()]]}
      live={live}
      actions={(run) =>
        run.attempt !== run.runAttempt ? null : run.status === 'completed' ? (
          <button type="button" onClick={() => void act('rerun')}>
            Re-run
          </button>
        ) : (
          <button type="button" class="danger" onClick={() => void act('cancel')}>
            Cancel
          </button>
        )
      }
    >
      {(run) => (
        <>
          {acting ? (
            <div class="callout bad" role="alert">
              {acting}
            </div>
          ) : null}
          <h2 class="run-title">
            <RunStatus status={run.status} conclusion={run.conclusion} /> {run.title}
          </h2>
          <Facts
            items={[
              ['Repository', <a href={paths.repository(run.repository)}>{run.repository}</a>],
              ['Workflow', `${run.workflow} (${run.workflowFile})`],
              ['Event', run.event],
              ['Ref', run.ref],
              ['Commit', <code>{run.sha.slice(0, 12)}</code>],
              ['Actor', run.actor],
              ['Started', <Time at={run.startedAt ?? run.createdAt} />],
              ['Took', <Elapsed from={run.startedAt} to={run.completedAt} />],
              [
                'Attempt',
                run.runAttempt > 1 ? (
                  <span class="attempts">
                    {Array.from({ length: run.runAttempt }, (_, i) => i + 1).map((n) => (
                      <a key={n} href={paths.run(run.id, { attempt: n })} aria-current={n === run.attempt}>
                        {n}
                      </a>
                    ))}
                  </span>
                ) : undefined,
              ],
            ]}
          />
          {run.note ? <div class="callout">{run.note}</div> : null}
          {run.annotations.length > 0 ? (
            <Section title="Annotations">
              <ul class="annotations">
                {run.annotations.map((a, i) => (
                  <li key={i} class={a.level}>
                    <Badge status={a.level} /> <strong>{a.title ?? a.job}</strong>{' '}
                    {a.file ? (
                      <code>
                        {a.file}
                        {a.line !== undefined ? `#L${a.line}` : ''}
                      </code>
                    ) : null}
                    <div class="annotation-message">{a.message}</div>
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
          {run.jobs.map((job) => (
            <Section
              key={job.id}
              title={job.name}
              actions={
                <span class="job-status">
                  <RunStatus status={job.status} conclusion={job.conclusion} />{' '}
                  <Elapsed from={job.startedAt} to={job.completedAt} />
                </span>
              }
            >
              <ol class="steps" data-job={job.id}>
                {job.steps.map((step) => {
                  const key = `${job.id}/${step.number}`;
                  const open = selected === key;
                  return (
                    <li key={step.number} class={open ? 'open' : undefined} data-step={step.number}>
                      <a
                        class="step"
                        href={
                          open
                            ? paths.run(run.id, { attempt: props.attempt })
                            : paths.run(run.id, { attempt: props.attempt, job: job.id, step: step.number })
                        }
                        aria-expanded={open}
                      >
                        <RunStatus status={step.status} conclusion={step.conclusion} />
                        <span class="step-name">{step.name}</span>
                        <Elapsed from={step.startedAt} to={step.completedAt} />
                      </a>
                      {open ? (
                        <div class="step-log">
                          {log?.key === key && log.truncated ? (
                            <p class="hint">Only the end of this step's log is shown.</p>
                          ) : null}
                          <LogView label={`log of ${step.name}`} lines={log?.key === key ? stepLines(log.text) : []} />
                        </div>
                      ) : null}
                    </li>
                  );
                })}
              </ol>
            </Section>
          ))}
          {run.decisions.length > 0 ? (
            <Section title="What STS decided for this run's tokens">
              <DecisionTable decisions={run.decisions} />
            </Section>
          ) : null}
        </>
      )}
    </Page>
  );
}

/** A step's stored lines as GitHub shows them: a group's title marked, its end marker dropped. */
function stepLines(text: string): string[] {
  if (!text) return [];
  return text
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !/^\S+ ##\[endgroup\]$/.test(line))
    .map((line) => line.replace(/^(\S+ )##\[group\]/, '$1▸ '));
}
