/**
 * The seed's Step 5, "copy the task's Public IP": as on AWS, the task's attachment names its
 * network interface, and EC2's DescribeNetworkInterfaces gives the interface's public IP
 * (Association.PublicIp; ECS's task details carry only the private address).
 */
import { DescribeNetworkInterfacesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';

/** The public IP of a RUNNING task of the service's PRIMARY deployment, if there is one yet. */
export async function primaryTaskPublicIp(
  ecs: ECSClient,
  ec2: EC2Client,
  cluster: string,
  service: string,
): Promise<string | undefined> {
  const described = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0];
  const primary = described?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition;
  const arns =
    (await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  if (arns.length === 0) return undefined;
  const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
  const task = tasks.find((t) => t.lastStatus === 'RUNNING' && t.taskDefinitionArn === primary);
  const eni = task?.attachments
    ?.find((a) => a.type === 'ElasticNetworkInterface')
    ?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
  if (!eni) return undefined;
  const interfaces =
    (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces ?? [];
  return interfaces[0]?.Association?.PublicIp;
}
