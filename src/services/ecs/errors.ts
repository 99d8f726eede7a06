/**
 * ECS's error catalogue: one factory per AWS error situation, named as the SDK's exception
 * classes. Messages quoted in docs/reference/ecs.md are AWS's (observed) or moto's; the
 * ones marked "unverified" follow ECS's style but were not seen in an AWS response.
 * ECS answers every client error with HTTP 400.
 */
import { AwsError, type ErrorCatalogue } from '../../core/errors.js';

const error = (code: string, message: string): AwsError => new AwsError(code, message, { status: 400 });

/** ClientException: the request is wrong in a way ECS checks itself (task definitions, roles). */
export const clientError = (message: string): AwsError => error('ClientException', message);
/** InvalidParameterException: a parameter is wrong for the resource it names. */
export const invalidParameter = (message: string): AwsError => error('InvalidParameterException', message);

export const ecsErrors = {
  clusterNotFound: () => error('ClusterNotFoundException', 'Cluster not found.'),
  serviceNotFound: () => error('ServiceNotFoundException', 'Service not found.'),
  serviceNotActive: () => error('ServiceNotActiveException', 'Service was not ACTIVE.'),
  /** Unverified wording. */
  clusterContainsServices: () =>
    error('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.'),
  /** Unverified wording. */
  clusterContainsTasks: () =>
    error('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.'),
  /** Unverified wording. */
  resourceNotFound: () => error('ResourceNotFoundException', 'The specified resource is not found.'),
  unableToDescribeTaskDefinition: () => clientError('Unable to describe task definition.'),
  taskDefinitionInactive: () => invalidParameter('TaskDefinition is inactive'),
  notIdempotent: () => invalidParameter('Creation of service was not idempotent.'),
  stillDraining: () => invalidParameter('Unable to Start a service that is still Draining.'),
  networkConfigurationRequired: () =>
    invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified."),
  subnetsEmpty: () => invalidParameter('subnets can not be empty.'),
  incompatibleLaunchType: (launchType: string) =>
    invalidParameter(`Task definition does not support launch_type ${launchType}.`),
  launchTypeAndStrategy: () =>
    invalidParameter('Specify either Launch Type or Capacity Provider Strategy, but not both.'),
  scaledAboveZero: () => invalidParameter('The service cannot be stopped while it is scaled above 0.'),
  /** AWS's message for a StopTask of an unknown task (observed in public bug reports). */
  taskNotFound: () => invalidParameter('The referenced task was not found.'),
  platformUnknown: () => error('PlatformUnknownException', 'The specified platform version does not exist.'),
  roleNotValid: () => clientError('Role is not valid'),
  /** Dockyard runs every task on its Fargate emulation; other launch types are refused loudly. */
  fargateOnly: (what: string) =>
    invalidParameter(
      `dockyard runs ECS tasks on FARGATE only: ${what}. Pass launchType FARGATE (or a FARGATE capacity provider strategy).`,
    ),
} satisfies ErrorCatalogue;
