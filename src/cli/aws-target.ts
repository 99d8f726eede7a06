/**
 * Which AWS a command that can also work on AWS talks to: the local cloud on --data (its
 * endpoint and admin key) by default; with --aws, AWS itself, or with --endpoint-url another
 * AWS-compatible endpoint, both with the SDK's own credential chain (environment, profile, SSO).
 */
import { resolveDataDir } from '../cloud/config.js';
import { cloudSession } from './cloud-session.js';
import { UsageError, stringFlag, type Flags } from './command.js';

export const AWS_TARGET_FLAGS = {
  aws: { type: 'boolean' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
} as const;

export const AWS_TARGET_USAGE = `  --aws                    talk to AWS with your usual credentials (profile, environment, SSO)
  --region R               the region on AWS (default $AWS_REGION)
  --endpoint-url URL       another AWS-compatible endpoint, with your usual credentials`;

export interface AwsTarget {
  /** For the AWS SDK clients. */
  config: {
    endpoint?: string;
    region?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    maxAttempts?: number;
  };
  /** Where, in words: "AWS", the endpoint, or "the local cloud at URL". */
  where: string;
  /** Whether this is the local cloud on --data. */
  local: boolean;
}

export function awsTarget(flags: Flags): AwsTarget {
  const endpoint = stringFlag(flags, 'endpoint-url');
  const regionFlag = stringFlag(flags, 'region');
  const region = regionFlag ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (flags.aws && endpoint) throw new UsageError('--aws and --endpoint-url exclude each other');
  if (flags.aws || endpoint) {
    if (!region) throw new UsageError('say which region: --region R (or set AWS_REGION)');
    return { config: { region, ...(endpoint ? { endpoint } : {}) }, where: endpoint ?? 'AWS', local: false };
  }
  const session = cloudSession(resolveDataDir(stringFlag(flags, 'data')));
  return {
    config: { ...session.aws, ...(regionFlag ? { region: regionFlag } : {}) },
    where: `the local cloud at ${session.cloud.url}`,
    local: true,
  };
}

/** An SDK error as one line: its name and message. */
export function describeAwsError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e.name && e.message ? `${e.name}: ${e.message}` : String(error);
}
