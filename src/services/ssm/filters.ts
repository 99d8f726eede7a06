/**
 * ParameterFilters (DescribeParameters, GetParametersByPath) and DescribeParameters' older
 * Filters. Keys: Name (Equals, BeginsWith, Contains), Path (OneLevel, Recursive), Type, KeyId,
 * Tier, DataType, tag:KEY (Equals, BeginsWith; no values: the tag exists) and Label (Equals;
 * by path only). GetParametersByPath takes Type, KeyId and Label. Values of one filter are
 * alternatives; filters must all match. Checked in Parameter Store's words before anything runs.
 */
import type { InputReader } from '../../core/input-reader.js';
import { ssmErrors } from './errors.js';
import { DEFAULT_KEY_ID, PARAMETER_TYPES, TIERS, type Parameter, type ParameterVersion } from './model.js';
import { checkPath, rooted, underPath } from './names.js';

export interface ParameterFilter {
  key: string;
  option: string;
  values: string[];
}

export type FilterUse = 'describe' | 'path';

const DESCRIBE_KEYS = ['Path', 'Name', 'Type', 'KeyId', 'Tier', 'DataType'];
const PATH_KEYS = ['Type', 'KeyId', 'Label'];

export function readParameterFilters(r: InputReader): ParameterFilter[] | undefined {
  return r.list('ParameterFilters', (f) => {
    const key = f.string('Key', {
      min: 1,
      max: 132,
      required: true,
      pattern: /tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType/,
    });
    const option = f.string('Option', { min: 1, max: 10 });
    const values = f.stringList('Values', { min: 1, max: 1024, minItems: 1, maxItems: 50 }) ?? [];
    return { key, option: option ?? (key === 'Path' ? 'OneLevel' : 'Equals'), values };
  });
}

/** DescribeParameters' deprecated Filters, as ParameterFilters: Name by prefix, Type and KeyId by equality. */
export function readLegacyFilters(r: InputReader): ParameterFilter[] | undefined {
  return r.list('Filters', (f) => {
    const key = f.string('Key', { required: true, oneOf: ['Name', 'Type', 'KeyId'] });
    const values = f.stringList('Values', { min: 1, max: 1024, minItems: 1, maxItems: 50, required: true }) ?? [];
    return { key, option: key === 'Name' ? 'BeginsWith' : 'Equals', values };
  });
}

/** Throws the error Parameter Store gives for the first filter it cannot use here. */
export function checkFilters(filters: readonly ParameterFilter[], use: FilterUse): void {
  const seen = new Set<string>();
  for (const filter of filters) {
    const { key, option, values } = filter;
    const tag = key.startsWith('tag:');
    if (!tag && !(use === 'describe' ? DESCRIBE_KEYS : PATH_KEYS).includes(key))
      throw ssmErrors.filterKey(key, use === 'describe' ? DESCRIBE_KEYS : PATH_KEYS);
    if (tag && use === 'path') throw ssmErrors.filterKey(key, PATH_KEYS);
    if (seen.has(key)) throw ssmErrors.duplicateFilter(key);
    seen.add(key);
    if (!tag && values.length === 0) throw ssmErrors.filterValuesMissing(key);
    const options =
      key === 'Path'
        ? ['Recursive', 'OneLevel']
        : key === 'Name'
          ? ['BeginsWith', 'Equals', 'Contains']
          : key === 'Label'
            ? ['Equals']
            : ['BeginsWith', 'Equals'];
    if (!options.includes(option)) throw ssmErrors.filterOption(option, options);
    if (key === 'Type')
      for (const v of values)
        if (!(PARAMETER_TYPES as readonly string[]).includes(v)) throw ssmErrors.filterValue(v, PARAMETER_TYPES);
    if (key === 'Tier')
      for (const v of values) if (!(TIERS as readonly string[]).includes(v)) throw ssmErrors.filterValue(v, TIERS);
    if (key === 'Path') values.forEach(checkPath);
  }
}

/** True when the parameter (at `version`, its latest unless a Label filter picked another) passes every filter. */
export function matchesFilters(
  parameter: Parameter,
  version: ParameterVersion,
  filters: readonly ParameterFilter[],
): boolean {
  return filters.every((filter) => matches(parameter, version, filter));
}

function matches(parameter: Parameter, version: ParameterVersion, { key, option, values }: ParameterFilter): boolean {
  const compare = (actual: string | undefined) =>
    actual !== undefined &&
    values.some((v) =>
      option === 'BeginsWith' ? actual.startsWith(v) : option === 'Contains' ? actual.includes(v) : actual === v,
    );
  if (key.startsWith('tag:')) {
    const tag = parameter.tags.find((t) => t.key === key.slice(4));
    return tag !== undefined && (values.length === 0 || compare(tag.value));
  }
  switch (key) {
    case 'Name':
      // Names compare with their leading slash (`db-url` is `/db-url`), except by Contains.
      return option === 'Contains'
        ? compare(parameter.name)
        : values.some((v) =>
            option === 'BeginsWith'
              ? rooted(parameter.name).startsWith(rooted(v))
              : rooted(parameter.name) === rooted(v),
          );
    case 'Path':
      return values.some((v) => underPath(parameter.name, v, option === 'Recursive'));
    case 'Type':
      return compare(version.type);
    case 'KeyId':
      return version.type === 'SecureString' && compare(version.keyId ?? DEFAULT_KEY_ID);
    case 'Tier':
      return compare(version.tier);
    case 'DataType':
      return compare(version.dataType);
    case 'Label':
      return version.labels.some((l) => values.includes(l));
    default:
      return false;
  }
}
