/**
 * Trust: OIDC providers and roles, a role's trust policy, the check (would STS admit a job of
 * this repository on this ref, or this run's token, and which condition decides: the same
 * lines as `dockyard trust check`), and STS's recent decisions with the claims they saw.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { DecisionView, RoleView, RunRow, TrustCheckResult, TrustVerdict, TrustView } from '../../contract.js';
import { Badge, Empty, Facts, Section, Table, Time } from '../components.js';
import { lastPart } from '../format.js';
import { post, useLive } from '../live.js';
import { paths } from '../routes.js';
import { Page } from './page.js';

export function TrustPage() {
  const live = useLive<TrustView>('trust', {});
  return (
    <Page title="Trust" live={live}>
      {(data) => (
        <>
          <Section title="OIDC identity providers">
            {data.providers.length === 0 ? (
              <Empty>
                No identity provider: <code>aws iam create-open-id-connect-provider</code> (the seed's Step 3.1).
              </Empty>
            ) : (
              <Table head={['Provider', 'Audiences', 'Created']}>
                {data.providers.map((p) => (
                  <tr key={p.arn}>
                    <td>
                      <code>{p.url}</code>
                    </td>
                    <td>{p.clientIds.join(', ')}</td>
                    <td>
                      <Time at={p.createdAt} />
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </Section>
          <Section title="Roles">
            {data.roles.length === 0 ? (
              <Empty>No roles yet.</Empty>
            ) : (
              <Table head={['Role', 'Trusts', 'Created']}>
                {data.roles.map((r) => (
                  <tr key={r.arn}>
                    <td>
                      <a href={paths.role(r.name)}>{r.name}</a>
                    </td>
                    <td>{r.federated.map(lastPart).join(', ') || <span class="quiet">no identity provider</span>}</td>
                    <td>
                      <Time at={r.createdAt} />
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </Section>
          <Section title="Would STS admit…">
            <TrustCheck roles={data.roles.map((r) => r.arn)} runs={data.runs} />
          </Section>
          <Section title="Recent AssumeRoleWithWebIdentity decisions">
            <DecisionTable decisions={data.decisions} />
          </Section>
        </>
      )}
    </Page>
  );
}

export function RolePage(props: { name: string }) {
  const live = useLive<RoleView>('role', { name: props.name });
  return (
    <Page title={`Role ${props.name}`} crumbs={[['Trust', paths.trust()]]} live={live}>
      {(role) => (
        <>
          <Facts
            items={[
              ['ARN', <code>{role.arn}</code>],
              ['Description', role.description],
              ['Created', <Time at={role.createdAt} />],
            ]}
          />
          <Section title="Trust policy">
            <pre class="policy">{role.trustPolicy}</pre>
          </Section>
          <Section title="Would STS admit…">
            <TrustCheck roles={[role.arn]} runs={[]} />
          </Section>
          <Section title="Recent decisions for this role">
            <DecisionTable decisions={role.decisions} />
          </Section>
        </>
      )}
    </Page>
  );
}

function TrustCheck(props: { roles: string[]; runs: RunRow[] }) {
  const [roleArn, setRoleArn] = useState(props.roles[0] ?? '');
  const [repository, setRepository] = useState(props.runs[0]?.repository ?? '');
  const [ref, setRef] = useState('refs/heads/main');
  const [environment, setEnvironment] = useState('');
  const [audience, setAudience] = useState('sts.amazonaws.com');
  const [runId, setRunId] = useState('');
  const [result, setResult] = useState<TrustCheckResult | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  if (props.roles.length === 0) return <Empty>No role to check.</Empty>;
  const check = async (event: Event) => {
    event.preventDefault();
    setProblem(undefined);
    try {
      const fromRun = runId !== '';
      setResult(
        await post<TrustCheckResult>('/api/trust/check', {
          roleArn: roleArn || props.roles[0],
          ...(fromRun ? { runId: Number(runId) } : { repository, ref }),
          ...(environment ? { environment } : {}),
          audience,
        }),
      );
    } catch (error) {
      setResult(undefined);
      setProblem((error as Error).message);
    }
  };
  return (
    <form class="check" onSubmit={(e) => void check(e)} aria-label="Trust check">
      <div class="fields">
        <label>
          Role
          <select name="roleArn" value={roleArn} onChange={(e) => setRoleArn(e.currentTarget.value)}>
            {props.roles.map((arn) => (
              <option key={arn} value={arn}>
                {lastPart(arn)}
              </option>
            ))}
          </select>
        </label>
        {props.runs.length > 0 ? (
          <label>
            Token of
            <select name="runId" value={runId} onChange={(e) => setRunId(e.currentTarget.value)}>
              <option value="">a job of the repository and ref below</option>
              {props.runs.map((run) => (
                <option key={run.id} value={String(run.id)}>
                  run #{run.id}: {run.repository} {run.ref.replace(/^refs\/heads\//, '')} ({run.title.slice(0, 40)})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Repository
          <input
            name="repository"
            value={repository}
            placeholder="owner/name"
            spellcheck={false}
            disabled={runId !== ''}
            onInput={(e) => setRepository(e.currentTarget.value)}
          />
        </label>
        <label>
          Ref
          <input
            name="ref"
            value={ref}
            spellcheck={false}
            disabled={runId !== ''}
            onInput={(e) => setRef(e.currentTarget.value)}
          />
        </label>
        <label>
          Environment
          <input
            name="environment"
            value={environment}
            placeholder="none"
            onInput={(e) => setEnvironment(e.currentTarget.value)}
          />
        </label>
        <label>
          Audience
          <input name="audience" value={audience} onInput={(e) => setAudience(e.currentTarget.value)} />
        </label>
      </div>
      <button type="submit">Check</button>
      {problem ? (
        <div class="callout bad" role="alert">
          {problem}
        </div>
      ) : null}
      {result ? <CheckResult result={result} /> : null}
    </form>
  );
}

function CheckResult(props: { result: TrustCheckResult }) {
  const { result } = props;
  return (
    <div class={`check-result ${result.admitted ? 'good' : 'bad'}`} data-admitted={String(result.admitted)}>
      <p>
        <Badge status={result.admitted ? 'admitted' : 'refused'} />{' '}
        <strong class="summary">{result.verdict?.summary ?? result.tokenProblem ?? result.error?.message}</strong>
      </p>
      {result.verdict ? <Verdict verdict={result.verdict} /> : null}
      <p class="hint">As `dockyard trust check` explains it:</p>
      <pre class="explanation">{result.lines.join('\n')}</pre>
    </div>
  );
}

/** The deciding statements and their conditions, each with the request's value beside the policy's. */
export function Verdict(props: { verdict: TrustVerdict }) {
  return (
    <>
      {props.verdict.statements.map((s) => (
        <div key={s.label} class="verdict-statement">
          <p>
            Statement {s.label} ({s.effect}) {s.applies ? 'applies' : 'does not apply'}
          </p>
          {s.conditions.length > 0 ? (
            <Table head={['', 'Condition', 'Policy says', 'The token says']}>
              {s.conditions.map((c) => (
                <tr key={`${c.operator} ${c.key}`} class={c.holds ? 'holds' : 'fails'} data-holds={String(c.holds)}>
                  <td aria-label={c.holds ? 'holds' : 'fails'}>{c.holds ? '✓' : '✗'}</td>
                  <td>
                    <code>
                      {c.operator} {c.key}
                    </code>
                  </td>
                  <td>
                    <code>{c.policyValues.join(' | ')}</code>
                  </td>
                  <td>
                    <code>{c.requestValues?.join(', ') ?? '(absent)'}</code>
                    {c.detail ? <div class="reason">{c.detail}</div> : null}
                  </td>
                </tr>
              ))}
            </Table>
          ) : null}
          {s.otherFailures.map((f) => (
            <p key={f} class="reason">
              {f}
            </p>
          ))}
        </div>
      ))}
    </>
  );
}

export function DecisionTable(props: { decisions: DecisionView[] }) {
  const [open, setOpen] = useState<number | undefined>(undefined);
  if (props.decisions.length === 0)
    return <Empty>No AssumeRoleWithWebIdentity calls yet (a workflow's configure-aws-credentials makes one).</Empty>;
  return (
    <Table head={['When', 'Role', 'Decision', 'sub', 'What decided']}>
      {props.decisions.map((d) => (
        <Fragment key={d.id}>
          <tr data-decision={d.id}>
            <td>
              <Time at={d.at} />
            </td>
            <td>{lastPart(d.roleArn)}</td>
            <td>
              <Badge
                status={d.admitted ? 'admitted' : 'refused'}
                title={d.error ? `${d.error.code}: ${d.error.message}` : undefined}
              />
            </td>
            <td>
              <code>{String(d.claims.sub ?? '')}</code>
              {d.verified ? null : <span class="quiet"> (unverified)</span>}
            </td>
            <td>
              {d.summary}{' '}
              <button type="button" class="link" onClick={() => setOpen(open === d.id ? undefined : d.id)}>
                {open === d.id ? 'hide' : 'claims'}
              </button>
            </td>
          </tr>
          {open === d.id ? (
            <tr class="details">
              <td colSpan={5}>
                {d.verdict ? <Verdict verdict={d.verdict} /> : null}
                <pre class="claims">{JSON.stringify(d.claims, null, 2)}</pre>
              </td>
            </tr>
          ) : null}
        </Fragment>
      ))}
    </Table>
  );
}
