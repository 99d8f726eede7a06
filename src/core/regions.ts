/**
 * The regions this cloud serves: those of AWS's commercial partition (`aws`), as the AWS SDK's
 * partition table lists them. A request signed for any other region name is refused as AWS
 * refuses it ("Credential should be scoped to a valid region"), so a client cannot make the
 * cloud open state for an unbounded number of made-up regions. The GovCloud and China
 * partitions are not served: their ARNs carry another partition (`aws-us-gov`, `aws-cn`).
 */

/** Every region of the `aws` partition. */
export const AWS_REGIONS: readonly string[] = [
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
  'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'sa-west-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

const KNOWN = new Set(AWS_REGIONS);

/** Whether `name` is a region this cloud serves. */
export function isAwsRegion(name: string): boolean {
  return KNOWN.has(name);
}

/** The region an ARN names (`arn:aws:ecs:eu-west-1:…` → eu-west-1); undefined when it names none. */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':', 5)[3];
  return arn.startsWith('arn:') && region ? region : undefined;
}

/** The account an ARN names (its fifth field); undefined when it names none (AWS-managed policies' `aws`). */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':', 6)[4];
  return arn.startsWith('arn:') && account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}
