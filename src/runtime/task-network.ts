/**
 * A task's awsvpc attachment: the ENI EC2 records for the task's address, in the task's subnet
 * and security groups, and the attachment details ECS reports (subnet, ENI id, MAC, private
 * DNS name and address).
 */
import type { Ec2Store } from '../services/ec2/store.js';
import type { Task } from '../services/ecs/model.js';

export interface TaskNetworkDeps {
  ec2: Ec2Store;
  accountId: string;
  region: string;
}

/** The task with its ENI recorded at `address`, or the reason it cannot have one. */
export function attachNetwork(deps: TaskNetworkDeps, task: Task, address: string, now: Date): Task | string {
  const vpc = task.networkConfiguration?.awsvpcConfiguration;
  const attachment = task.attachments.find((a) => a.type === 'ElasticNetworkInterface');
  if (!attachment || !vpc)
    return {
      ...task,
      containers: task.containers.map((c) => ({
        ...c,
        networkInterfaces: c.networkInterfaces.map((n) => ({ ...n, privateIpv4Address: address })),
      })),
    };
  const subnetId = attachment.details.find((d) => d.name === 'subnetId')?.value ?? vpc.subnets[0];
  const subnet = subnetId ? deps.ec2.subnet(subnetId) : undefined;
  if (!subnet || !subnetId) return `subnet ${subnetId ?? '(none)'} does not exist`;
  const eni = deps.ec2.createNetworkInterface(
    {
      subnetId,
      groupIds: vpc.securityGroups ?? [],
      description: `arn:aws:ecs:${deps.region}:${deps.accountId}:attachment/${attachment.id}`,
      privateIp: address,
      ...(vpc.assignPublicIp === 'ENABLED' ? { publicIp: address } : {}),
    },
    now,
  );
  const details = [
    { name: 'subnetId', value: subnetId },
    { name: 'networkInterfaceId', value: eni.id },
    { name: 'macAddress', value: eni.macAddress },
    { name: 'privateDnsName', value: `ip-${address.replaceAll('.', '-')}.${deps.region}.compute.internal` },
    { name: 'privateIPv4Address', value: address },
  ];
  return {
    ...task,
    availabilityZone: subnet.availabilityZone,
    attachments: task.attachments.map((a) => (a.id === attachment.id ? { ...a, status: 'ATTACHED', details } : a)),
    containers: task.containers.map((c) => ({
      ...c,
      networkInterfaces: c.networkInterfaces.map((n) => ({ ...n, privateIpv4Address: address })),
    })),
  };
}

/** The task's ENI id, once attached. */
export function networkInterfaceOf(task: Task): string | undefined {
  return task.attachments.flatMap((a) => a.details).find((d) => d.name === 'networkInterfaceId')?.value;
}

/**
 * The task with `privateIp` as its private address (its address on the cloud's task network,
 * known once its first container runs), its ENI updated to match; the public address stays.
 */
export function recordPrivateAddress(deps: TaskNetworkDeps, task: Task, privateIp: string): Task {
  const eniId = networkInterfaceOf(task);
  if (eniId) deps.ec2.setNetworkInterfacePrivateIp(eniId, privateIp);
  const renamed: Record<string, string> = {
    privateIPv4Address: privateIp,
    privateDnsName: `ip-${privateIp.replaceAll('.', '-')}.${deps.region}.compute.internal`,
  };
  return {
    ...task,
    attachments: task.attachments.map((a) => ({
      ...a,
      details: a.details.map((d) => (d.name in renamed ? { ...d, value: renamed[d.name] ?? d.value } : d)),
    })),
    containers: task.containers.map((c) => ({
      ...c,
      networkInterfaces: c.networkInterfaces.map((n) => ({ ...n, privateIpv4Address: privateIp })),
    })),
  };
}
