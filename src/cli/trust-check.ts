/**
 * `dockyard trust check`: would this role admit that CI job? Builds the token the job would
 * get and runs STS's checks on it without issuing anything; exit 0 when admitted, 1 when
 * refused, with the reason per trust-policy statement.
 */
import { systemClock } from '../cloud/clock.js';
import { DEFAULTS, resolveDataDir } from '../cloud/config.js';
import { CloudState } from '../cloud/state.js';
import { explainWebIdentityTrust, type TrustExplanation } from '../services/sts/explain.js';
import { UsageError, parseFlags, stringFlag, type Command } from './command.js';
import { JOB_FLAGS, jobClaimsFromFlags } from './token.js';

const USAGE = `Usage: dockyard trust check --role-arn ARN --repo OWNER/NAME --ref REF [--event NAME]
                            [--environment NAME] [--audience AUD] [--data DIR] [--json]

Explains, before a push, whether the role's trust policy admits the job's OIDC token:
  --role-arn ARN     the role the workflow assumes (role-to-assume)
  --repo OWNER/NAME  the repository the workflow runs in
  --ref REF          the branch or tag the workflow runs on, e.g. refs/heads/master
  --event NAME       the triggering event (default push)
  --environment NAME the job's environment, if it has one
  --audience AUD     the audience requested (default sts.amazonaws.com, as configure-aws-credentials asks)
Exits 0 when admitted, 1 when STS would refuse.`;

export const trustCheckCommand: Command = {
  name: ['trust', 'check'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, { ...JOB_FLAGS, 'role-arn': { type: 'string' }, json: { type: 'boolean' } }, USAGE);
    if (!flags) return 0;
    const roleArn = stringFlag(flags, 'role-arn');
    if (!roleArn) throw new UsageError(`--role-arn ARN is required\n\n${USAGE}`);
    if (!stringFlag(flags, 'ref')) throw new UsageError(`--ref REF is required\n\n${USAGE}`);
    const claims = jobClaimsFromFlags(flags, USAGE, 'sts.amazonaws.com');
    const state = new CloudState({ dataDir: resolveDataDir(stringFlag(flags, 'data')), issuer: DEFAULTS.issuer }, systemClock);
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

function render(roleArn: string, result: TrustExplanation): string {
  const lines: string[] = [];
  const who = result.subject ? `sub ${result.subject}, aud ${result.audience}` : 'the job';
  if (result.admitted) {
    lines.push(`✓ ${roleArn} admits ${who}`);
    for (const s of result.statements.filter((s) => s.applies)) lines.push(`  statement ${label(s.statementIndex, s.sid)} (${s.effect}) matches`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`✗ ${roleArn} would refuse ${who}`);
  if (result.error) lines.push(`  STS would answer ${result.error.code}: ${result.error.message}`);
  if (result.tokenProblem && result.tokenProblem !== result.error?.message && result.statements.length === 0) lines.push(`  because ${result.tokenProblem}`);
  for (const s of result.statements) {
    if (s.applies) {
      lines.push(`  statement ${label(s.statementIndex, s.sid)} (${s.effect}) applies${s.effect === 'Deny' ? ' and denies' : ''}`);
      continue;
    }
    lines.push(`  statement ${label(s.statementIndex, s.sid)} (${s.effect}) does not apply:`);
    for (const f of s.failures) lines.push(`    - ${f.detail}`);
  }
  if (result.statements.length > 0 && !result.statements.some((s) => s.effect === 'Allow')) lines.push('  no statement allows sts:AssumeRoleWithWebIdentity');
  return `${lines.join('\n')}\n`;
}

function label(index: number, sid: string | undefined): string {
  return sid ? `${index + 1} "${sid}"` : String(index + 1);
}
