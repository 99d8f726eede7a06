/**
 * Lifecycle policy documents: parsing and validation as ECR does on PutLifecyclePolicy and
 * StartLifecyclePolicyPreview (ECR user guide, "Lifecycle policy properties"):
 * - rulePriority: a unique integer ≥ 1 per rule; a rule with tagStatus `any` must have the
 *   highest priority;
 * - tagStatus `tagged` needs tagPrefixList or tagPatternList (not both); `untagged` and `any`
 *   take neither; a pattern holds at most four `*`;
 * - countType `imageCountMoreThan` (no countUnit) or `sinceImagePushed` (countUnit `days`),
 *   countNumber ≥ 1; action type `expire`.
 * Newer features (sinceImagePulled, the `transition` action to archive storage) are refused
 * as unsupported rather than accepted and ignored.
 */
import { wildcardCount } from './wildcard.js';

export type LifecycleTagStatus = 'tagged' | 'untagged' | 'any';
export type LifecycleCountType = 'imageCountMoreThan' | 'sinceImagePushed';

export interface LifecycleSelection {
  tagStatus: LifecycleTagStatus;
  tagPrefixList?: string[];
  tagPatternList?: string[];
  countType: LifecycleCountType;
  countUnit?: 'days';
  countNumber: number;
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: LifecycleSelection;
  action: { type: 'expire' };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/** A policy ECR would refuse; the message goes after "Lifecycle policy validation failure: ". */
export class LifecyclePolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LifecyclePolicyError';
  }
}

/** The most `*` a tag pattern may hold. */
export const MAX_PATTERN_WILDCARDS = 4;

type Json = Record<string, unknown>;

function fail(message: string): never {
  throw new LifecyclePolicyError(message);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyFields(value: Json, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    fail(`object instance has properties which are not allowed by the schema: ${JSON.stringify(unknown)} (${where})`);
}

/** Parses and validates a lifecycle policy's text; throws LifecyclePolicyError. */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('Invalid JSON syntax');
  }
  if (!isObject(raw)) fail('the policy must be a JSON object');
  onlyFields(raw, ['rules'], 'policy');
  if (!Array.isArray(raw.rules) || raw.rules.length === 0)
    fail('object has missing required properties (["rules"]) or "rules" is empty');
  const rules = raw.rules.map((rule, index) => readRule(rule, index));

  const priorities = new Set<number>();
  for (const rule of rules) {
    if (priorities.has(rule.rulePriority))
      fail(`rulePriority ${rule.rulePriority} is used by more than one rule; rule priorities must be unique`);
    priorities.add(rule.rulePriority);
  }
  const highest = Math.max(...priorities);
  for (const rule of rules) {
    if (rule.selection.tagStatus === 'any' && rule.rulePriority !== highest) {
      fail(`the rule with tagStatus 'any' (rulePriority ${rule.rulePriority}) must have the highest rulePriority`);
    }
  }
  return { rules };
}

function readRule(raw: unknown, index: number): LifecycleRule {
  const where = `rules[${index}]`;
  if (!isObject(raw)) fail(`${where} must be an object`);
  onlyFields(raw, ['rulePriority', 'description', 'selection', 'action'], where);
  const { rulePriority, description, selection, action } = raw;
  if (typeof rulePriority !== 'number' || !Number.isInteger(rulePriority) || rulePriority < 1) {
    fail(`${where}.rulePriority must be an integer greater than or equal to 1`);
  }
  if (description !== undefined && typeof description !== 'string') fail(`${where}.description must be a string`);
  if (!isObject(action)) fail(`object has missing required properties (["action"]) at ${where}`);
  onlyFields(action, ['type', 'targetStorageClass'], `${where}.action`);
  if (action.type !== 'expire')
    fail(`${where}.action.type ${JSON.stringify(action.type)} is not supported; only 'expire' is`);
  const rule: LifecycleRule = {
    rulePriority,
    selection: readSelection(selection, `${where}.selection`),
    action: { type: 'expire' },
  };
  if (description !== undefined) rule.description = description;
  return rule;
}

function readSelection(raw: unknown, where: string): LifecycleSelection {
  if (!isObject(raw)) fail(`object has missing required properties (["selection"]) at ${where}`);
  onlyFields(raw, ['tagStatus', 'tagPrefixList', 'tagPatternList', 'countType', 'countUnit', 'countNumber'], where);
  const { tagStatus, countType, countUnit, countNumber } = raw;
  if (tagStatus !== 'tagged' && tagStatus !== 'untagged' && tagStatus !== 'any') {
    fail(`${where}.tagStatus must be one of [tagged, untagged, any]`);
  }
  const prefixes = readList(raw.tagPrefixList, `${where}.tagPrefixList`);
  const patterns = readList(raw.tagPatternList, `${where}.tagPatternList`);
  if (tagStatus === 'tagged') {
    if (!prefixes && !patterns) fail(`tagPrefixList or tagPatternList is required when tagStatus is tagged (${where})`);
    if (prefixes && patterns) fail(`tagPrefixList and tagPatternList cannot both be given (${where})`);
  } else if (prefixes || patterns) {
    fail(`tagPrefixList and tagPatternList can only be used when tagStatus is tagged (${where})`);
  }
  for (const pattern of patterns ?? []) {
    if (wildcardCount(pattern) > MAX_PATTERN_WILDCARDS) {
      fail(`tag pattern '${pattern}' has more than ${MAX_PATTERN_WILDCARDS} wildcards (${where}.tagPatternList)`);
    }
  }
  if (countType !== 'imageCountMoreThan' && countType !== 'sinceImagePushed') {
    fail(`${where}.countType must be one of [imageCountMoreThan, sinceImagePushed]`);
  }
  if (countType === 'sinceImagePushed' && countUnit !== 'days')
    fail(`countUnit must be 'days' when countType is sinceImagePushed (${where})`);
  if (countType === 'imageCountMoreThan' && countUnit !== undefined)
    fail(`countUnit is not allowed when countType is imageCountMoreThan (${where})`);
  if (typeof countNumber !== 'number' || !Number.isInteger(countNumber) || countNumber < 1) {
    fail(`${where}.countNumber must be an integer greater than or equal to 1`);
  }
  const selection: LifecycleSelection = { tagStatus, countType, countNumber };
  if (countType === 'sinceImagePushed') selection.countUnit = 'days';
  if (prefixes) selection.tagPrefixList = prefixes;
  if (patterns) selection.tagPatternList = patterns;
  return selection;
}

function readList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    fail(`${where} must be a non-empty list of non-empty strings`);
  }
  return value as string[];
}
