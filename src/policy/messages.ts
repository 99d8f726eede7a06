/**
 * The catalogue of MalformedPolicyDocument messages, worded as AWS words them, and the error
 * that carries one. AWS validates identity policies (CreatePolicy, Put*Policy) and role trust
 * policies (CreateRole, UpdateAssumeRolePolicy) with different validators: the first answers
 * most structural problems with a bare "Syntax errors in policy.", the second names the field
 * ("Has prohibited field Resource", "Missing required field Principal"). We keep that split:
 * `identity` and `session` policies get the terse style, `trust` and `resource` the field style.
 * Messages marked "observed" were seen in AWS responses; the rest follow the same pattern.
 */
import type { PolicyKind } from './document.js';

/** A policy document AWS would refuse; `message` is the text of its MalformedPolicyDocument error. */
export class PolicyValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyValidationError';
  }
}

/** True for kinds whose validator names the offending field. */
function namesFields(kind: PolicyKind): boolean {
  return kind === 'trust' || kind === 'resource';
}

const SYNTAX = 'Syntax errors in policy.';

export const policyMessages = {
  /** Observed: CreatePolicy answers "Syntax errors in policy.", CreateRole "This policy contains invalid Json". */
  invalidJson: (kind: PolicyKind): string => (namesFields(kind) ? 'This policy contains invalid Json' : SYNTAX),
  syntax: (): string => SYNTAX,
  unknownField: (kind: PolicyKind, field: string): string => (namesFields(kind) ? `Unknown field ${field}` : SYNTAX),
  missingField: (kind: PolicyKind, field: string): string =>
    namesFields(kind) ? `Missing required field ${field}` : SYNTAX,
  /** Observed for a trust policy with Resource; also used for NotResource and NotPrincipal. */
  prohibitedField: (field: string): string => `Has prohibited field ${field}`,
  /** Observed. */
  legacyParsing: (): string => 'The policy failed legacy parsing',
  /** Observed for managed policies (CreatePolicy) without "Version": "2012-10-17". */
  versionTooOld: (): string => 'Policy document must be version 2012-10-17 or greater.',
  /** Observed. */
  mustContainActions: (): string => 'Policy statement must contain actions.',
  /** Observed. */
  mustContainResources: (): string => 'Policy statement must contain resources.',
  /** Observed. */
  noPrincipalAllowed: (): string => 'Policy document should not specify a principal.',
  /** Observed. */
  vendorPrefix: (): string => 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  /** Observed. */
  oneColon: (): string => 'Actions/Condition can contain only one colon.',
  /** Observed. */
  resourceFormat: (resource: string): string => `Resource ${resource} must be in ARN format or "*".`,
  /** Observed. */
  duplicateSid: (): string => 'Statement IDs (SID) in a single policy must be unique.',
  /** Observed (console, managed policies). */
  sidFormat: (): string =>
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  /** Observed: Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/x" */
  invalidPrincipal: (type: string, value: string): string => `Invalid principal in policy: "${type}":"${value}"`,
} as const;
