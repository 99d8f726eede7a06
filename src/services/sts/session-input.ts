/**
 * Inputs shared by AssumeRole and AssumeRoleWithWebIdentity, validated as STS does.
 */
import type { InputReader } from '../../core/input-reader.js';

export interface SessionInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  policy?: string;
  policyArns?: string[];
}

const SESSION_NAME = /[\w+=,.@-]*/;

export function readSessionInput(reader: InputReader): SessionInput {
  const policyArns = reader.list('PolicyArns', (item) => item.string('arn', { min: 20, max: 2048 }), { maxItems: 10 });
  return {
    roleArn: reader.string('RoleArn', { required: true, min: 20, max: 2048 }),
    roleSessionName: reader.string('RoleSessionName', { required: true, min: 2, max: 64, pattern: SESSION_NAME }),
    durationSeconds: reader.integer('DurationSeconds', { min: 900, max: 43200 }),
    policy: reader.string('Policy', { min: 1, max: 2048 }),
    policyArns: policyArns?.filter((arn): arn is string => arn !== undefined),
  };
}

/** A percentage of the packed session-policy limit, as AWS reports it (approximation: 2048 chars = 100%). */
export function packedPolicySize(policy: string): number {
  return Math.ceil((policy.replace(/\s+/g, '').length / 2048) * 100);
}
