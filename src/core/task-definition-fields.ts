/**
 * Task definition fields that DescribeTaskDefinition returns but RegisterTaskDefinition
 * rejects; both the render and the deploy action drop them.
 */
export const IGNORED_TASK_DEFINITION_ATTRIBUTES = [
  'compatibilities',
  'taskDefinitionArn',
  'requiresAttributes',
  'revision',
  'status',
  'registeredAt',
  'deregisteredAt',
  'registeredBy',
] as const;

/** A task definition as JSON: only the parts the actions touch are typed. */
export interface TaskDefinitionDocument {
  containerDefinitions?: unknown;
  taskRoleArn?: string;
  executionRoleArn?: string;
  tags?: unknown;
  [key: string]: unknown;
}
