/**
 * What the ECS service is built from; the cloud wires these in one place. `roles` is IAM's
 * store (task and execution roles must exist), `network` is EC2's check of an
 * awsvpcConfiguration (subnets and security groups exist, in one VPC).
 */
import type { EcsStore } from './store.js';
import type { AwsVpcConfiguration } from './model.js';

/** Looks a role up by its exact ARN, or by name (IamStore satisfies this). */
export interface RoleLookup {
  getRoleByArn(arn: string): unknown;
  /** The role with this name (case-insensitive, as IAM compares names), for a name given where ECS takes a role. */
  getRole(name: string): { arn: string } | undefined;
}

/** EC2's validation of an awsvpcConfiguration: an error message (InvalidParameterException) or undefined. */
export interface AwsVpcValidator {
  validateAwsvpc(config: AwsVpcConfiguration): string | undefined;
}

export interface EcsServiceDeps {
  store: EcsStore;
  roles: RoleLookup;
  network: AwsVpcValidator;
  /**
   * host[:port] of the local registry. Images from it, like images from
   * ACCOUNT.dkr.ecr.REGION.amazonaws.com, are ECR images: Fargate needs an execution role to
   * pull them. Any `localhost:PORT` host counts as the local registry as well.
   */
  registryHost?: string;
}
