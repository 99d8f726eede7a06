/**
 * The account id a data directory's cloud answers as. It is chosen when the directory is first
 * used, and `dockyard up --account-id` may change it for as long as nothing whose ARN carries it
 * exists: no IAM role, user, group, policy or OIDC provider, and in no region an ECR
 * repository, ECS cluster or task definition, log group, secret, parameter, or EC2 resource
 * beyond the defaults every region starts with. Once one exists the change is refused, naming
 * what exists: rewriting every ARN, policy document and task definition that spells the old
 * account (and every workflow and script outside the cloud that does) is not a migration the
 * cloud could do faithfully.
 */
import { existsSync } from 'node:fs';
import { ECR_RESOURCES } from '../services/ecr/schema.js';
import { ECS_RESOURCES } from '../services/ecs/schema.js';
import { EC2_RESOURCES } from '../services/ec2/schema.js';
import { IAM_RESOURCES } from '../services/iam/store.js';
import { LOGS_RESOURCES } from '../services/logs/schema.js';
import { SECRETS_RESOURCES } from '../services/secretsmanager/schema.js';
import { SSM_RESOURCES } from '../services/ssm/schema.js';
import { countResources, type Db } from '../store/database.js';
import { openRegionDatabase, regionsDir, storedRegions } from './regions.js';

const REGIONAL = [
  ...ECR_RESOURCES,
  ...ECS_RESOURCES,
  ...EC2_RESOURCES,
  ...LOGS_RESOURCES,
  ...SECRETS_RESOURCES,
  ...SSM_RESOURCES,
];

/** What in the data directory carries the account id, e.g. ["2 IAM roles", "1 ECR repository in eu-west-1"]. */
export function resourcesHeld(db: Db, dataDir: string, homeRegion: string): string[] {
  const held = countResources(db, IAM_RESOURCES).map((r) => described(r.n, r.what));
  for (const region of storedRegions(dataDir, homeRegion)) {
    const home = region === homeRegion;
    if (!home && !existsSync(regionsDir(dataDir))) continue;
    const regionDb = home ? db : openRegionDatabase(dataDir, region);
    try {
      for (const r of countResources(regionDb, REGIONAL)) held.push(`${described(r.n, r.what)} in ${region}`);
    } finally {
      if (!home) regionDb.close();
    }
  }
  return held;
}

/** The refusal when the account id can no longer change. */
export function accountFixedError(dataDir: string, from: string, to: string, held: readonly string[]): Error {
  const shown = held.slice(0, 5).join(', ') + (held.length > 5 ? `, and ${held.length - 5} more` : '');
  return new Error(
    `The data directory ${dataDir} holds resources of account ${from} (${shown}): their ARNs carry it, so the account id can no longer change to ${to}. Use another --data directory for account ${to}.`,
  );
}

function described(n: number, what: string): string {
  if (n === 1) return `1 ${what}`;
  return `${n} ${/[^aeiou]y$/.test(what) ? `${what.slice(0, -1)}ies` : `${what}s`}`;
}
