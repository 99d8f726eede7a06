/**
 * Pulling a task's images as ECS's agent does: an ECR image (any region's, or another
 * account's, which the registry refuses as AWS does) with a registry password issued to the
 * task's execution role (so the role's ecr:* permissions decide, and a refusal reads like AWS's
 * CannotPullContainerError), any other image as it is named; the task's platform's instance
 * of a multi-platform image.
 */
import type { Caller } from '../core/operation.js';
import type { ContainerEngine, RegistryAuth } from '../engine/contract.js';
import { resolveImageUri } from '../registry/image-uri.js';
import type { RegistryTokenStore } from '../registry/tokens.js';
import type { Task, TaskDefinition } from '../services/ecs/model.js';
import type { Role } from '../services/iam/model.js';

export interface ImagePullDeps {
  engine: ContainerEngine;
  registryTokens: RegistryTokenStore;
  roles: { getRoleByArn(arn: string): Role | undefined };
  accountId: string;
  /** The region served at localhost:PORT/<name> (core/ecr-address.ts). */
  homeRegion: string;
  /** host:port of the local registry (localhost:PORT). */
  registryHost: string;
}

/**
 * Pulls `image` (the `platform` instance, `linux/arm64`, when given); ECR images with a registry
 * password issued to the execution role's session.
 */
export async function pullTaskImage(
  deps: ImagePullDeps,
  image: string,
  task: Task,
  definition: TaskDefinition,
  now: Date,
  options: {
    /** `linux/arm64`: the instance of a multi-platform image to pull (the host's own when absent). */
    platform?: string;
    /** A private registry's credentials (repositoryCredentials), for an image outside this cloud's ECR. */
    privateAuth?: RegistryAuth;
  } = {},
): Promise<void> {
  const local = resolveImageUri(image, {
    accountId: deps.accountId,
    homeRegion: deps.homeRegion,
    registryHost: deps.registryHost,
  });
  const pulled = options.platform ? { platform: options.platform } : {};
  if (!local) {
    await deps.engine.pullImage(image, { ...pulled, ...(options.privateAuth ? { auth: options.privateAuth } : {}) });
    return;
  }
  const roleArn = task.overrides.executionRoleArn ?? definition.document.executionRoleArn;
  const role = roleArn ? deps.roles.getRoleByArn(roleArn) : undefined;
  if (!role) throw new Error(`pull access denied for ${local.localUri}: no execution role`);
  const password = deps.registryTokens.issue(executionCaller(deps.accountId, role, task, now), now).password;
  const auth: RegistryAuth = { username: 'AWS', password, serveraddress: deps.registryHost };
  await deps.engine.pullImage(local.localUri, { auth, ...pulled });
}

/** The assumed-role caller ECS's agent acts as when it uses the execution role. */
export function executionCaller(accountId: string, role: Role, task: Task, now: Date): Caller {
  const sessionName = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
  return {
    kind: 'assumed-role',
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${sessionName}`,
    userId: `${role.roleId}:${sessionName}`,
    accessKeyId: 'ASIADOCKYARDECSAGENT',
    roleName: role.roleName,
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName,
    tags: {},
    expiresAt: new Date(now.getTime() + 3600_000),
  };
}
