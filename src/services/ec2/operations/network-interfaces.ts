/**
 * DescribeNetworkInterfaces: the interfaces the ECS scheduler registers for awsvpc tasks
 * (Ec2Store.createNetworkInterface). There is no CreateNetworkInterface: on Fargate the
 * interfaces are requester-managed, created and deleted by ECS, not by the account.
 */
import type { Operation } from '../../../core/operation.js';
import { onAnything } from '../authorization.js';
import { ec2Errors } from '../errors.js';
import {
  applyFilters,
  checkDryRun,
  paginate,
  readDescribeCommon,
  type DescribeCommon,
  type FilterTable,
} from '../filters.js';
import type { NetworkInterface } from '../model.js';
import { networkInterfaceOutput } from '../outputs.js';
import type { Ec2Store } from '../store.js';

function interfaceFilters(groupNames: ReadonlyMap<string, string>): FilterTable<NetworkInterface> {
  return {
    'network-interface-id': (n) => n.id,
    'subnet-id': (n) => n.subnetId,
    'vpc-id': (n) => n.vpcId,
    'availability-zone': (n) => n.availabilityZone,
    'group-id': (n) => n.groupIds,
    'group-name': (n) => n.groupIds.map((id) => groupNames.get(id)),
    description: (n) => n.description,
    'private-ip-address': (n) => n.privateIp,
    'addresses.private-ip-address': (n) => n.privateIp,
    'addresses.primary': () => true,
    'association.public-ip': (n) => n.publicIp,
    'addresses.association.public-ip': (n) => n.publicIp,
    'mac-address': (n) => n.macAddress,
    'owner-id': (n) => n.ownerId,
    'requester-managed': (n) => n.requesterManaged,
    status: () => 'in-use',
    'interface-type': () => 'interface',
    'attachment.attachment-id': (n) => n.attachmentId,
    'attachment.status': () => 'attached',
    'source-dest-check': () => true,
  };
}

interface DescribeInterfacesInput extends DescribeCommon {
  interfaceIds?: string[];
}

export function describeNetworkInterfaces(
  store: Ec2Store,
): Operation<DescribeInterfacesInput, Record<string, unknown>> {
  return {
    input: (r) => ({ ...readDescribeCommon(r), interfaceIds: r.stringList('NetworkInterfaceId') }),
    authorize: () => onAnything('DescribeNetworkInterfaces'),
    run: (input, ctx) => {
      checkDryRun(input.dryRun);
      let interfaces = store.networkInterfaces();
      if (input.interfaceIds) {
        const ids = input.interfaceIds;
        const missing = ids.filter((id) => !interfaces.some((n) => n.id === id));
        if (missing.length > 0) throw ec2Errors.interfaceNotFound(missing);
        interfaces = interfaces.filter((n) => ids.includes(n.id));
      }
      const groupNames = new Map(store.securityGroups().map((g) => [g.id, g.name]));
      const page = paginate(applyFilters(interfaces, input.filters, interfaceFilters(groupNames)), input);
      return {
        networkInterfaceSet: page.items.map((n) => networkInterfaceOutput(n, groupNames, ctx.region)),
        nextToken: page.nextToken,
      };
    },
  };
}
