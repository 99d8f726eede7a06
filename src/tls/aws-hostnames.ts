/**
 * The AWS service host names dockyard answers for, so that tools which ignore
 * AWS_ENDPOINT_URL (Debian's AWS CLI 2.9, older boto3, anything hard-coding AWS's endpoints)
 * reach the cloud unchanged from inside a job: the services it serves (IAM and STS globally;
 * STS, ECR's API, ECS, EC2, CloudWatch Logs, Secrets Manager and SSM in every region of the `aws` partition) and the
 * cloud account's ECR registry in every region. A job's `/etc/hosts` names them; the cloud's
 * server certificate covers them (one wildcard level per name form).
 *
 * By design: only the commercial `aws` partition (no China or GovCloud), no FIPS or dual-stack
 * endpoints.
 */

/** The `aws` partition's regions. */
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

/** Global endpoints. */
const GLOBAL_HOSTS = ['sts.amazonaws.com', 'iam.amazonaws.com'] as const;

/** Regional endpoints, `<prefix>.<region>.amazonaws.com`. */
const REGIONAL_PREFIXES = ['sts', 'api.ecr', 'ecr', 'ecs', 'ec2', 'logs', 'secretsmanager', 'ssm'] as const;

/** Every host name a job resolves to the cloud, for the cloud's account. */
export function awsServiceHostnames(accountId: string): string[] {
  const hosts: string[] = [...GLOBAL_HOSTS];
  for (const region of AWS_REGIONS) {
    for (const prefix of REGIONAL_PREFIXES) hosts.push(`${prefix}.${region}.amazonaws.com`);
    hosts.push(ecrRegistryHost(accountId, region));
  }
  return hosts;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`. */
export function ecrRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/** True for an ECR registry host of `accountId` in any region of the partition. */
export function isEcrRegistryHost(host: string, accountId: string): boolean {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host.toLowerCase());
  return match !== null && match[1] === accountId && (AWS_REGIONS as readonly string[]).includes(match[2] ?? '');
}

/** The server certificate's names for them: the global names and three wildcards per region. */
export function awsCertificateNames(): string[] {
  const names: string[] = [...GLOBAL_HOSTS];
  for (const region of AWS_REGIONS)
    names.push(`*.${region}.amazonaws.com`, `*.ecr.${region}.amazonaws.com`, `*.dkr.ecr.${region}.amazonaws.com`);
  return names;
}
