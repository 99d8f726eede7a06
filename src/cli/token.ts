/**
 * `dockyard token`: print the OIDC token a CI job of the given repository and ref would get.
 */
import { systemClock } from '../core/clock.js';
import { DEFAULTS, resolveDataDir } from '../cloud/config.js';
import { CloudState } from '../cloud/state.js';
import type { JobClaimsInput } from '../identity/index.js';
import { DATA_OPTION, UsageError, parseFlags, stringFlag, type Command, type Flags } from './command.js';

const USAGE = `Usage: dockyard token --repo OWNER/NAME [--ref REF] [--event NAME] [--environment NAME]
                      [--audience AUD] [--sha SHA] [--actor NAME] [--data DIR]

Prints a signed OIDC token with the claims GitHub Actions gives a job of that repository:
  --ref REF          branch or tag ref (default refs/heads/main; "main" means refs/heads/main)
  --event NAME       the triggering event (default push)
  --environment NAME the job's environment (the subject becomes repo:O/R:environment:NAME)
  --audience AUD     the aud claim (default https://github.com/OWNER, as GitHub's default)
  --sha SHA          the commit (default a fixed placeholder)
  --actor NAME       who triggered the run (default OWNER)`;

export const JOB_FLAGS = {
  ...DATA_OPTION,
  repo: { type: 'string' },
  ref: { type: 'string' },
  event: { type: 'string' },
  environment: { type: 'string' },
  audience: { type: 'string' },
  sha: { type: 'string' },
  actor: { type: 'string' },
} as const;

/** The job claims the flags describe. */
export function jobClaimsFromFlags(flags: Flags, usage: string, defaultAudience?: string): JobClaimsInput {
  const repository = stringFlag(flags, 'repo');
  if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository))
    throw new UsageError(`--repo OWNER/NAME is required\n\n${usage}`);
  const audience = stringFlag(flags, 'audience') ?? defaultAudience;
  return {
    repository,
    ref: stringFlag(flags, 'ref') ?? 'refs/heads/main',
    eventName: stringFlag(flags, 'event') ?? 'push',
    ...(stringFlag(flags, 'environment') !== undefined ? { environment: stringFlag(flags, 'environment') } : {}),
    ...(audience !== undefined ? { audience } : {}),
    ...(stringFlag(flags, 'sha') !== undefined ? { sha: stringFlag(flags, 'sha') } : {}),
    ...(stringFlag(flags, 'actor') !== undefined ? { actor: stringFlag(flags, 'actor') } : {}),
  };
}

export const tokenCommand: Command = {
  name: ['token'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, JOB_FLAGS, USAGE);
    if (!flags) return 0;
    const claims = jobClaimsFromFlags(flags, USAGE);
    const state = new CloudState(
      { dataDir: resolveDataDir(stringFlag(flags, 'data')), issuer: DEFAULTS.issuer },
      systemClock,
    );
    try {
      await state.issuer.init();
      process.stdout.write(`${await state.issuer.issue(claims)}\n`);
    } finally {
      state.close();
    }
    return 0;
  },
};
