/**
 * The IAM actions and resources EC2's operations are authorized against (Service
 * Authorization Reference, "Actions defined by Amazon EC2"): Describe* calls have no
 * resource type and are checked on `*`; rule changes and DeleteSecurityGroup on the group's
 * ARN; CreateSecurityGroup on the new group (security-group/*) and on the VPC; tag calls on
 * each tagged resource's ARN.
 */
import type { Authorization, RequestContext } from '../../core/operation.js';
import { ec2Arn } from './outputs.js';

/** ec2:ACTION on `*`. */
export function onAnything(action: string): Authorization[] {
  return [{ action: `ec2:${action}`, resource: '*' }];
}

/** arn:aws:ec2:REGION:ACCOUNT:security-group/sg-… */
export function securityGroupArn(ctx: RequestContext, groupId: string): string {
  return ec2Arn(ctx.region, ctx.accountId, `security-group/${groupId}`);
}

export function vpcArn(ctx: RequestContext, vpcId: string): string {
  return ec2Arn(ctx.region, ctx.accountId, `vpc/${vpcId}`);
}

const TYPES: Record<string, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  sg: 'security-group',
  sgr: 'security-group-rule',
  eni: 'network-interface',
  dopt: 'dhcp-options',
};

/** The ARN of a resource by its id's prefix (sg-… → security-group/sg-…). */
export function resourceArn(ctx: RequestContext, id: string): string {
  const prefix = id.slice(0, id.lastIndexOf('-'));
  return ec2Arn(ctx.region, ctx.accountId, `${TYPES[prefix] ?? prefix}/${id}`);
}

/** The resource type EC2 reports for an id in DescribeTags (security-group, subnet, …). */
export function resourceType(id: string): string {
  return TYPES[id.slice(0, id.lastIndexOf('-'))] ?? 'unknown';
}
