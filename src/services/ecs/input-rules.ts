/**
 * Readers for the members several ECS operations share: tags (ECS spells them key/value),
 * include, paging, networkConfiguration and deploymentConfiguration, and ECS's tag rules.
 */
import type { InputReader } from '../../core/input-reader.js';
import { pageFromOffset } from '../../core/pagination.js';
import { invalidParameter } from './errors.js';
import type { AwsVpcConfiguration, NetworkConfiguration, Tag } from './model.js';

/** Tags per resource (ECS's quota). */
export const TAG_QUOTA = 50;

/** Reads a tags list of {key, value}. */
export function readTags(reader: InputReader, options: { required?: boolean } = {}): Tag[] | undefined {
  return reader.list(
    'tags',
    (item) => ({
      key: item.string('key', { min: 1, max: 128, required: true }),
      value: item.string('value', { min: 0, max: 256 }) ?? '',
    }),
    { required: options.required, maxItems: TAG_QUOTA },
  );
}

/** Merges `incoming` over `existing` (same key: replaced), enforcing ECS's tag rules. */
export function mergeTags(existing: readonly Tag[], incoming: readonly Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const tag of incoming) {
    // Unverified wording for both.
    if (seen.has(tag.key)) throw invalidParameter(`Duplicate tag key: '${tag.key}'.`);
    if (tag.key.toLowerCase().startsWith('aws:'))
      throw invalidParameter("Tag keys beginning with 'aws:' are reserved.");
    seen.add(tag.key);
  }
  const merged = [...existing.filter((t) => !seen.has(t.key)), ...incoming];
  if (merged.length > TAG_QUOTA) throw invalidParameter(`A resource can have at most ${TAG_QUOTA} tags.`); // unverified
  return merged;
}

/** Reads `include` and says whether TAGS is in it. */
export function readIncludeTags(reader: InputReader): boolean {
  return (
    reader.stringList('include', { oneOf: ['TAGS', 'SETTINGS', 'STATISTICS', 'ATTACHMENTS', 'CONFIGURATIONS'] }) ?? []
  ).includes('TAGS');
}

/** nextToken and maxResults. */
export interface Paging {
  nextToken?: string;
  maxResults?: number;
}

export function readPaging(reader: InputReader, max = 100): Paging {
  return { nextToken: reader.string('nextToken'), maxResults: reader.integer('maxResults', { min: 1, max }) };
}

/** Reads networkConfiguration.awsvpcConfiguration. */
export function readNetworkConfiguration(reader: InputReader): NetworkConfiguration | undefined {
  return reader.structure('networkConfiguration', (n) => {
    const awsvpc = n.structure('awsvpcConfiguration', (a): AwsVpcConfiguration => {
      const config: AwsVpcConfiguration = {
        subnets: a.stringList('subnets', { required: true }) ?? [],
        assignPublicIp: a.string('assignPublicIp', { oneOf: ['ENABLED', 'DISABLED'] }) ?? 'DISABLED',
      };
      const groups = a.stringList('securityGroups');
      if (groups !== undefined) config.securityGroups = groups;
      return config;
    });
    return awsvpc ? { awsvpcConfiguration: awsvpc } : undefined;
  });
}

/** deploymentConfiguration as given (every member optional). */
export interface DeploymentConfigurationInput {
  maximumPercent?: number;
  minimumHealthyPercent?: number;
  deploymentCircuitBreaker?: { enable: boolean; rollback: boolean };
}

export function readDeploymentConfiguration(reader: InputReader): DeploymentConfigurationInput | undefined {
  return reader.structure('deploymentConfiguration', (d) => {
    const out: DeploymentConfigurationInput = {};
    const max = d.integer('maximumPercent', { min: 0 });
    const min = d.integer('minimumHealthyPercent', { min: 0 });
    if (max !== undefined) out.maximumPercent = max;
    if (min !== undefined) out.minimumHealthyPercent = min;
    const breaker = d.structure('deploymentCircuitBreaker', (b) => ({
      enable: b.boolean('enable') ?? false,
      rollback: b.boolean('rollback') ?? false,
    }));
    if (breaker !== undefined) out.deploymentCircuitBreaker = breaker;
    return out;
  });
}

/**
 * Pages `items` in their given order. The token holds the offset of the next item: lists are
 * sorted stably (by name, or family and revision), so pages hold across calls.
 */
export function paginate<T>(items: readonly T[], paging: Paging): { items: T[]; nextToken?: string } {
  return pageFromOffset(items, { limit: paging.maxResults ?? 100, token: paging.nextToken }, () =>
    invalidParameter('Invalid nextToken.'),
  ); // unverified wording
}
