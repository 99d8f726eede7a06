/**
 * The AWS service host names dockyard answers for, so that tools which ignore
 * AWS_ENDPOINT_URL (Debian's AWS CLI 2.9, older boto3, anything hard-coding AWS's endpoints)
 * reach the cloud unchanged from inside a job: the services it serves (IAM and STS globally;
 * STS, ECR's API, ECS, EC2, CloudWatch Logs, Secrets Manager and SSM in every region of the
 * `aws` partition) and the cloud account's ECR registry in every region. A job's `/etc/hosts` names them; the cloud's
 * server certificate covers them (one wildcard level per name form).
 *
 * By design: only the commercial `aws` partition (no China or GovCloud), no FIPS or dual-stack
 * endpoints.
 */
import { ecrHostname, parseEcrHostname } from '../core/ecr-address.js';
import { AWS_REGIONS, isAwsRegion } from '../core/regions.js';

/** The `aws` partition's regions (core/regions.ts, which the cloud serves). */
export { AWS_REGIONS };

/** Global endpoints. */
const GLOBAL_HOSTS = ['sts.amazonaws.com', 'iam.amazonaws.com'] as const;

/** Regional endpoints, `<prefix>.<region>.amazonaws.com`. */
const REGIONAL_PREFIXES = ['sts', 'api.ecr', 'ecr', 'ecs', 'ec2', 'logs', 'secretsmanager', 'ssm'] as const;

/** Every host name a job resolves to the cloud, for the cloud's account. */
export function awsServiceHostnames(accountId: string): string[] {
  const hosts: string[] = [...GLOBAL_HOSTS];
  for (const region of AWS_REGIONS) {
    for (const prefix of REGIONAL_PREFIXES) hosts.push(`${prefix}.${region}.amazonaws.com`);
    hosts.push(ecrHostname(accountId, region));
  }
  return hosts;
}

/** True for an ECR registry host of `accountId` in any region of the partition. */
export function isEcrRegistryHost(host: string, accountId: string): boolean {
  const lower = host.toLowerCase();
  const ecr = parseEcrHostname(lower);
  // Only the plain form: the job's /etc/hosts names no FIPS or dual-stack host.
  return ecr?.accountId === accountId && isAwsRegion(ecr.region) && lower === ecrHostname(ecr.accountId, ecr.region);
}

/** The server certificate's names for them: the global names and three wildcards per region. */
export function awsCertificateNames(): string[] {
  const names: string[] = [...GLOBAL_HOSTS];
  for (const region of AWS_REGIONS)
    names.push(`*.${region}.amazonaws.com`, `*.ecr.${region}.amazonaws.com`, `*.dkr.ecr.${region}.amazonaws.com`);
  return names;
}
