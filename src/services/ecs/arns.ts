/**
 * ECS's ARN formats (long form, the only one since 2021) and the ways requests name
 * resources: a cluster by name or ARN ("default" when omitted), a service by name or ARN, a
 * task definition as FAMILY, FAMILY:REVISION or ARN, a task by id or ARN.
 *   cluster          arn:aws:ecs:R:A:cluster/NAME
 *   service          arn:aws:ecs:R:A:service/CLUSTER/NAME
 *   task-definition  arn:aws:ecs:R:A:task-definition/FAMILY:REVISION
 *   task             arn:aws:ecs:R:A:task/CLUSTER/ID
 *   container        arn:aws:ecs:R:A:container/CLUSTER/TASK_ID/UUID
 */

/** Where ARNs are minted. */
export interface Partition {
  region: string;
  accountId: string;
}

const prefix = (p: Partition) => `arn:aws:ecs:${p.region}:${p.accountId}:`;

export const clusterArn = (p: Partition, name: string): string => `${prefix(p)}cluster/${name}`;
export const serviceArn = (p: Partition, cluster: string, name: string): string =>
  `${prefix(p)}service/${cluster}/${name}`;
export const taskDefinitionArn = (p: Partition, family: string, revision: number): string =>
  `${prefix(p)}task-definition/${family}:${revision}`;
export const taskArn = (p: Partition, cluster: string, id: string): string => `${prefix(p)}task/${cluster}/${id}`;
export const containerArn = (p: Partition, cluster: string, taskId: string, id: string): string =>
  `${prefix(p)}container/${cluster}/${taskId}/${id}`;

/** The cluster name a request means: its name, the name in its ARN, or "default". */
export function clusterNameOf(value: string | undefined): string {
  const name = value ?? 'default';
  if (!name.startsWith('arn:')) return name;
  const slash = name.indexOf(':cluster/');
  return slash < 0 ? name : name.slice(slash + ':cluster/'.length);
}

/** The service name a request means: its name or the last segment of its ARN. */
export function serviceNameOf(value: string): string {
  return value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

/** The task id a request means: an id, or the last segment of a task ARN. */
export function taskIdOf(value: string): string {
  return value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

/** The cluster named in a service or task ARN (long form), if it is one. */
export function clusterInArn(arn: string): string | undefined {
  const match = /^arn:aws:ecs:[^:]*:[^:]*:(?:service|task)\/([^/]+)\/[^/]+$/.exec(arn);
  return match ? match[1] : undefined;
}

/** A task definition reference: family with an optional revision. */
export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/** Parses FAMILY, FAMILY:REVISION or a task-definition ARN; undefined when malformed. */
export function parseTaskDefinitionRef(value: string): TaskDefinitionRef | undefined {
  const body = value.startsWith('arn:') ? /^arn:aws:ecs:[^:]*:[^:]*:task-definition\/(.+)$/.exec(value)?.[1] : value;
  if (body === undefined) return undefined;
  const match = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(body);
  if (!match || match[1] === undefined) return undefined;
  return match[2] === undefined ? { family: match[1] } : { family: match[1], revision: Number(match[2]) };
}

/**
 * The ARN IAM sees for a task definition reference. AWS authorizes RunTask on the ARN the
 * request names: FAMILY alone is checked as …:task-definition/FAMILY, which a policy on
 * …:task-definition/FAMILY:* does not match (a reproduced AWS quirk).
 */
export function taskDefinitionResource(p: Partition, value: string): string {
  if (value.startsWith('arn:')) return value;
  return `${prefix(p)}task-definition/${value}`;
}

/** What kind of ECS resource an ARN names, and its parts. */
export type ResourceRef =
  | { kind: 'cluster'; cluster: string }
  | { kind: 'service'; cluster: string; name: string }
  | { kind: 'task-definition'; family: string; revision: number }
  | { kind: 'task'; cluster: string; id: string };

/** Parses an ECS resource ARN of partition `p`; undefined for anything else. */
export function parseResourceArn(p: Partition, arn: string): ResourceRef | undefined {
  if (!arn.startsWith(prefix(p))) return undefined;
  const rest = arn.slice(prefix(p).length);
  let m = /^cluster\/([^/]+)$/.exec(rest);
  if (m?.[1]) return { kind: 'cluster', cluster: m[1] };
  m = /^service\/([^/]+)\/([^/]+)$/.exec(rest);
  if (m?.[1] && m[2]) return { kind: 'service', cluster: m[1], name: m[2] };
  m = /^task-definition\/([A-Za-z0-9_-]+):(\d+)$/.exec(rest);
  if (m?.[1] && m[2]) return { kind: 'task-definition', family: m[1], revision: Number(m[2]) };
  m = /^task\/([^/]+)\/([^/]+)$/.exec(rest);
  if (m?.[1] && m[2]) return { kind: 'task', cluster: m[1], id: m[2] };
  return undefined;
}
