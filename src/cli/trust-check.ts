/**
 * `dockyard trust check`: would this role admit that CI job? Builds the token the job would
 * get and runs STS's checks on it without issuing anything; exit 0 when admitted, 1 when
 * refused, with the reason per trust-policy statement.
 */
import { systemClock } from '../core/clock.js';
import { DEFAULTS, resolveDataDir } from '../cloud/config.js';
import { CloudState } from '../cloud/state.js';
import { explainTrustLines, explainWebIdentityTrust, type TrustExplanation } from '../trust/explain.js';
import { UsageError, parseFlags, stringFlag, type Command, type Flags } from './command.js';
import { planWorkflowTrust, readWorkflowFile } from './trust-workflow.js';
import { JOB_FLAGS, jobClaimsFromFlags } from './token.js';

const USAGE = `Usage: dockyard trust check --role-arn ARN --repo OWNER/NAME --ref REF [--event NAME]
                            [--environment NAME] [--audience AUD] [--data DIR] [--json]
       dockyard trust check --workflow FILE --repo OWNER/NAME [--ref REF] [--data DIR] [--json]

Explains, before a push, whether the role's trust policy admits the job's OIDC token.
With --workflow, reads the workflow: every configure-aws-credentials step's role and audience,
whether its job may ask for a token (id-token: write), and the branches and tags its push
trigger runs on (or --ref), and checks each.
  --role-arn ARN     the role the workflow assumes (role-to-assume)
  --repo OWNER/NAME  the repository the workflow runs in
  --ref REF          the branch or tag the workflow runs on, e.g. refs/heads/master
  --event NAME       the triggering event (default push)
  --environment NAME the job's environment, if it has one
  --audience AUD     the audience requested (default sts.amazonaws.com, as configure-aws-credentials asks)
  --workflow FILE    a workflow file (.github/workflows/deploy.yml) to check instead of one role and ref
Exits 0 when admitted, 1 when STS would refuse.`;

export const trustCheckCommand: Command = {
  name: ['trust', 'check'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(
      argv,
      { ...JOB_FLAGS, 'role-arn': { type: 'string' }, workflow: { type: 'string' }, json: { type: 'boolean' } },
      USAGE,
    );
    if (!flags) return 0;
    const workflowFile = stringFlag(flags, 'workflow');
    if (workflowFile) return checkWorkflow(workflowFile, flags);
    const roleArn = stringFlag(flags, 'role-arn');
    if (!roleArn) throw new UsageError(`--role-arn ARN is required\n\n${USAGE}`);
    if (!stringFlag(flags, 'ref')) throw new UsageError(`--ref REF is required\n\n${USAGE}`);
    const claims = jobClaimsFromFlags(flags, USAGE, 'sts.amazonaws.com');
    const state = new CloudState(
      { dataDir: resolveDataDir(stringFlag(flags, 'data')), issuer: DEFAULTS.issuer },
      systemClock,
    );
    let result: TrustExplanation;
    try {
      await state.issuer.init();
      const token = await state.issuer.issue(claims);
      result = await explainWebIdentityTrust(token, roleArn, systemClock.now(), {
        iam: state.iam,
        keysFor: (issuer) => (issuer === DEFAULTS.issuer ? state.issuer.getKey : undefined),
      });
    } finally {
      state.close();
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ roleArn, ...result }, null, 2)}\n`);
    else process.stdout.write(render(roleArn, result));
    return result.admitted ? 0 : 1;
  },
};

/** `--workflow FILE`: every (role, ref) the workflow would present, checked. */
async function checkWorkflow(file: string, flags: Flags): Promise<number> {
  const repository = stringFlag(flags, 'repo');
  if (!repository)
    throw new UsageError(`--repo OWNER/NAME is required: the token's sub names the repository\n\n${USAGE}`);
  const plan = planWorkflowTrust(await readWorkflowFile(file), repository);
  const given = stringFlag(flags, 'ref');
  const refs = given ? [given.startsWith('refs/') ? given : `refs/heads/${given}`] : plan.refs;
  const lines: string[] = [];
  const results: unknown[] = [];
  let ok = true;
  if (plan.assumes.length === 0)
    lines.push(`- ${file}: no aws-actions/configure-aws-credentials step; nothing asks STS for credentials`);
  if (refs.length === 0 && plan.assumes.length > 0) {
    lines.push(
      `- ${file} has no literal push branch or tag${plan.patterns.length ? ` (patterns: ${plan.patterns.join(', ')})` : ''}; give one with --ref`,
    );
  }
  const state = new CloudState(
    { dataDir: resolveDataDir(stringFlag(flags, 'data')), issuer: DEFAULTS.issuer },
    systemClock,
  );
  try {
    await state.issuer.init();
    for (const assume of plan.assumes) {
      const where = `job ${assume.job}, step "${assume.step}"`;
      if (!assume.canRequestToken) {
        ok = false;
        lines.push(`✗ ${where}: the job's permissions do not grant id-token: write, so it gets no OIDC token;`);
        lines.push(
          `  configure-aws-credentials would fail with "Could not load credentials from any providers". Add permissions: id-token: write`,
        );
        results.push({ ...assume, admitted: false, reason: 'no id-token: write' });
        continue;
      }
      if (!assume.roleArn) {
        lines.push(`? ${where}: cannot be checked before a push: ${assume.unknown ?? 'no role'}`);
        results.push({ ...assume, admitted: undefined });
        continue;
      }
      for (const ref of refs) {
        const token = await state.issuer.issue({
          repository,
          ref,
          eventName: 'push',
          audience: assume.audience,
          ...(assume.environment ? { environment: assume.environment } : {}),
        });
        const result = await explainWebIdentityTrust(token, assume.roleArn, systemClock.now(), {
          iam: state.iam,
          keysFor: (issuer) => (issuer === DEFAULTS.issuer ? state.issuer.getKey : undefined),
        });
        if (!result.admitted) ok = false;
        lines.push(`${where}, on push to ${ref.replace(/^refs\/(heads|tags)\//, '')}:`);
        lines.push(
          ...render(assume.roleArn, result)
            .trimEnd()
            .split('\n')
            .map((l) => `  ${l}`),
        );
        results.push({ ...assume, ref, ...result });
      }
    }
  } finally {
    state.close();
  }
  if (flags.json)
    process.stdout.write(`${JSON.stringify({ workflow: file, repository, refs, checks: results }, null, 2)}\n`);
  else process.stdout.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}

function render(roleArn: string, result: TrustExplanation): string {
  return `${explainTrustLines(roleArn, result).join('\n')}\n`;
}
