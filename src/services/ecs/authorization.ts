/**
 * The IAM actions, resources and condition keys ECS's operations are authorized against
 * (Service Authorization Reference, "Actions defined by Amazon Elastic Container Service"):
 *   cluster operations           the cluster ARN
 *   service operations           the service ARN, with ecs:cluster (and ecs:task-definition)
 *   RunTask                      the task definition as the request names it, with ecs:cluster
 *   StopTask, DescribeTasks      the task ARN, with ecs:cluster
 *   ListClusters, ListServices, ListTasks, Register/Describe/Deregister/ListTaskDefinition*  `*`
 * Tags on a resource are aws:ResourceTag/… keys. Tag-on-create also needs ecs:TagResource
 * with ecs:CreateAction. Passing a task or execution role (RegisterTaskDefinition, RunTask)
 * needs iam:PassRole on the role with iam:PassedToService ecs-tasks.amazonaws.com.
 */
import { authorization, requestTagContext, type Authorization } from '../../core/operation.js';
import type { Tag } from './model.js';

type Context = Record<string, string | string[]>;

export { authorization, requestTagContext };

/** aws:ResourceTag/KEY for an existing resource's tags. */
export function resourceTagContext(tags: readonly Tag[] | undefined): Context {
  const context: Context = {};
  for (const tag of tags ?? []) context[`aws:ResourceTag/${tag.key}`] = tag.value;
  return context;
}

/** ecs:TagResource for tags given to a creating action, when there are any. */
export function tagOnCreate(createAction: string, resource: string, tags: readonly Tag[] | undefined): Authorization[] {
  if (!tags || tags.length === 0) return [];
  return [authorization('ecs:TagResource', resource, { ...requestTagContext(tags), 'ecs:CreateAction': createAction })];
}

/** iam:PassRole for each role the request hands to ECS tasks. */
export function passRoles(roles: readonly (string | undefined)[]): Authorization[] {
  const unique = [...new Set(roles.filter((r): r is string => r !== undefined && r !== ''))];
  return unique.map((role) =>
    authorization('iam:PassRole', role, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }),
  );
}
