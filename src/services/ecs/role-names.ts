/**
 * ECS takes a task's roles (taskRoleArn, executionRoleArn, and their RunTask overrides) as "the
 * short name or full ARN": a bare name means that role in the caller's account, and ECS keeps
 * and describes the full ARN. The name is looked up in IAM so a role with a path keeps it;
 * a name no role has becomes the ARN it would have at the root path, which the checks that
 * follow refuse as "Role is not valid" (and iam:PassRole is asked about) as for any unknown ARN.
 */
import type { RoleLookup } from './deps.js';

// IAM's role name pattern and length.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The role ARN `value` names: an ARN as it is, a role name as that role's ARN in `accountId`. */
export function roleArnOf(value: string, roles: RoleLookup, accountId: string): string {
  if (!ROLE_NAME.test(value)) return value;
  return roles.getRole(value)?.arn ?? `arn:aws:iam::${accountId}:role/${value}`;
}

/** `input` with its taskRoleArn and executionRoleArn given as ARNs. */
export function withRoleArns<T extends { taskRoleArn?: string; executionRoleArn?: string }>(
  input: T,
  roles: RoleLookup,
  accountId: string,
): T {
  const out = { ...input };
  if (out.taskRoleArn !== undefined) out.taskRoleArn = roleArnOf(out.taskRoleArn, roles, accountId);
  if (out.executionRoleArn !== undefined) out.executionRoleArn = roleArnOf(out.executionRoleArn, roles, accountId);
  return out;
}
