/**
 * EC2's error catalogue: one factory per situation, named by EC2's error codes (which carry
 * dots: InvalidGroup.NotFound) and worded as EC2 words them. EC2 answers client errors with
 * HTTP 400. Messages marked "unverified" follow EC2's style but were not seen in a response.
 */
import { AwsError, type ErrorCatalogue } from '../../core/errors.js';

const error = (code: string, message: string, status = 400): AwsError => new AwsError(code, message, { status });

/** How EC2 names several missing ids in one message (unverified for more than one id). */
const listed = (ids: readonly string[]): string => ids.join(', ');

export const ec2Errors = {
  vpcNotFound: (ids: readonly string[]) => error('InvalidVpcID.NotFound', `The vpc ID '${listed(ids)}' does not exist`),
  subnetNotFound: (ids: readonly string[]) =>
    error('InvalidSubnetID.NotFound', `The subnet ID '${listed(ids)}' does not exist`),
  groupNotFound: (ids: readonly string[]) =>
    error('InvalidGroup.NotFound', `The security group '${listed(ids)}' does not exist`),
  groupNameNotFound: (name: string, vpcId: string) =>
    error('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpcId}'`),
  groupIdMalformed: (id: string) => error('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`),
  groupDuplicate: (name: string, vpcId: string) =>
    error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`),
  groupReserved: () => error('InvalidParameterValue', 'Group names may not be in the format sg-*.'),
  cannotDeleteDefault: (id: string) =>
    error('CannotDelete', `the specified group: "${id}" name: "default" cannot be deleted by a user`),
  dependencyViolation: (id: string) => error('DependencyViolation', `resource ${id} has a dependent object`),
  interfaceNotFound: (ids: readonly string[]) =>
    error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${listed(ids)}' does not exist`),
  ruleNotFound: (ids: readonly string[]) =>
    error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${listed(ids)}' does not exist`),
  /** `rule` is EC2's rendering: peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW. */
  permissionDuplicate: (rule: string) =>
    error('InvalidPermission.Duplicate', `the specified rule "${rule}" already exists`),
  permissionNotFound: () =>
    error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.'),
  permissionMalformed: (message: string) => error('InvalidPermission.Malformed', message),
  invalidFilter: (name: string) => error('InvalidParameterValue', `The filter '${name}' is invalid`),
  invalidParameterValue: (message: string) => error('InvalidParameterValue', message),
  invalidParameterCombination: (message: string) => error('InvalidParameterCombination', message),
  missingParameter: (name: string) => error('MissingParameter', `The request must contain the parameter ${name}`),
  invalidNextToken: () => error('InvalidNextToken', 'The token provided is invalid.'),
  dryRun: () => error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412),
  invalidZone: (name: string) => error('InvalidParameterValue', `The zone '${name}' does not exist.`),
  invalidId: (id: string) => error('InvalidID', `The ID '${id}' is not valid`),
} satisfies ErrorCatalogue;
