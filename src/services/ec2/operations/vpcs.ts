/**
 * DescribeVpcs, DescribeSubnets and DescribeAvailabilityZones: ids (VpcId.N, SubnetId.N,
 * ZoneName.N), filters and paging. Ids that do not exist fail the whole call with
 * InvalidVpcID.NotFound / InvalidSubnetID.NotFound, as EC2 does. The camelCase filter names
 * (isDefault, defaultForAz, availabilityZone…) are EC2's older aliases, still accepted and
 * used in AWS's own tutorials (the seed's `Name=isDefault`).
 */
import type { Operation } from '../../../core/operation.js';
import { onAnything } from '../authorization.js';
import { ec2Errors } from '../errors.js';
import {
  applyFilters,
  checkDryRun,
  paginate,
  readDescribeCommon,
  readFilters,
  type DescribeCommon,
  type Filter,
  type FilterTable,
} from '../filters.js';
import type { AvailabilityZone, Subnet, Vpc } from '../model.js';
import { ec2Arn, subnetOutput, vpcOutput } from '../outputs.js';
import type { Ec2Store } from '../store.js';

const VPC_FILTERS: FilterTable<Vpc> = {
  'vpc-id': (v) => v.id,
  'is-default': (v) => v.isDefault,
  isDefault: (v) => v.isDefault,
  cidr: (v) => v.cidrBlock,
  'cidr-block-association.cidr-block': (v) => v.cidrBlock,
  'cidr-block-association.association-id': (v) => v.cidrAssociationId,
  'cidr-block-association.state': () => 'associated',
  'dhcp-options-id': (v) => v.dhcpOptionsId,
  'owner-id': (v) => v.ownerId,
  state: () => 'available',
};

const subnetFilters = (region: string): FilterTable<Subnet> => ({
  'subnet-id': (s) => s.id,
  subnetId: (s) => s.id,
  'vpc-id': (s) => s.vpcId,
  vpcId: (s) => s.vpcId,
  'availability-zone': (s) => s.availabilityZone,
  availabilityZone: (s) => s.availabilityZone,
  'availability-zone-id': (s) => s.availabilityZoneId,
  availabilityZoneId: (s) => s.availabilityZoneId,
  'available-ip-address-count': (s) => s.availableIpAddressCount,
  availableIpAddressCount: (s) => s.availableIpAddressCount,
  'cidr-block': (s) => s.cidrBlock,
  cidrBlock: (s) => s.cidrBlock,
  cidr: (s) => s.cidrBlock,
  'default-for-az': (s) => s.defaultForAz,
  defaultForAz: (s) => s.defaultForAz,
  'map-public-ip-on-launch': (s) => s.mapPublicIpOnLaunch,
  'owner-id': (s) => s.ownerId,
  state: () => 'available',
  'subnet-arn': (s) => ec2Arn(region, s.ownerId, `subnet/${s.id}`),
});

interface DescribeVpcsInput extends DescribeCommon {
  vpcIds?: string[];
}

export function describeVpcs(store: Ec2Store): Operation<DescribeVpcsInput, Record<string, unknown>> {
  return {
    input: (r) => ({ ...readDescribeCommon(r), vpcIds: r.stringList('VpcId') }),
    authorize: () => onAnything('DescribeVpcs'),
    run: (input) => {
      checkDryRun(input.dryRun);
      let vpcs = store.vpcs();
      if (input.vpcIds) {
        const ids = input.vpcIds;
        const missing = ids.filter((id) => !vpcs.some((v) => v.id === id));
        if (missing.length > 0) throw ec2Errors.vpcNotFound(missing);
        vpcs = vpcs.filter((v) => ids.includes(v.id));
      }
      const page = paginate(applyFilters(vpcs, input.filters, VPC_FILTERS), input);
      return { vpcSet: page.items.map(vpcOutput), nextToken: page.nextToken };
    },
  };
}

interface DescribeSubnetsInput extends DescribeCommon {
  subnetIds?: string[];
}

export function describeSubnets(store: Ec2Store): Operation<DescribeSubnetsInput, Record<string, unknown>> {
  return {
    input: (r) => ({ ...readDescribeCommon(r), subnetIds: r.stringList('SubnetId') }),
    authorize: () => onAnything('DescribeSubnets'),
    run: (input, ctx) => {
      checkDryRun(input.dryRun);
      let subnets = store.subnets();
      if (input.subnetIds) {
        const ids = input.subnetIds;
        const missing = ids.filter((id) => !subnets.some((s) => s.id === id));
        if (missing.length > 0) throw ec2Errors.subnetNotFound(missing);
        subnets = subnets.filter((s) => ids.includes(s.id));
      }
      const page = paginate(applyFilters(subnets, input.filters, subnetFilters(ctx.region)), input);
      return { subnetSet: page.items.map((s) => subnetOutput(s, ctx.region)), nextToken: page.nextToken };
    },
  };
}

type Zone = AvailabilityZone & { tags: [] };

interface DescribeZonesInput {
  filters: Filter[];
  zoneNames?: string[];
  zoneIds?: string[];
  dryRun: boolean;
}

export function describeAvailabilityZones(store: Ec2Store): Operation<DescribeZonesInput, Record<string, unknown>> {
  return {
    input: (r) => {
      r.boolean('AllAvailabilityZones');
      return {
        filters: readFilters(r),
        zoneNames: r.stringList('ZoneName'),
        zoneIds: r.stringList('ZoneId'),
        dryRun: r.boolean('DryRun') ?? false,
      };
    },
    authorize: () => onAnything('DescribeAvailabilityZones'),
    run: (input, ctx) => {
      checkDryRun(input.dryRun);
      let zones: Zone[] = store.availabilityZones().map((z) => ({ ...z, tags: [] }));
      for (const name of input.zoneNames ?? [])
        if (!zones.some((z) => z.zoneName === name)) throw ec2Errors.invalidZone(name);
      for (const id of input.zoneIds ?? []) if (!zones.some((z) => z.zoneId === id)) throw ec2Errors.invalidZone(id);
      if (input.zoneNames || input.zoneIds) {
        zones = zones.filter(
          (z) => (input.zoneNames ?? []).includes(z.zoneName) || (input.zoneIds ?? []).includes(z.zoneId),
        );
      }
      const table: FilterTable<Zone> = {
        'zone-name': (z) => z.zoneName,
        'zone-id': (z) => z.zoneId,
        'region-name': () => ctx.region,
        state: () => 'available',
        'zone-type': () => 'availability-zone',
        'group-name': () => ctx.region,
        'network-border-group': () => ctx.region,
        'opt-in-status': () => 'opt-in-not-required',
      };
      return {
        availabilityZoneInfo: applyFilters(zones, input.filters, table).map((z) => ({
          optInStatus: 'opt-in-not-required',
          zoneName: z.zoneName,
          zoneId: z.zoneId,
          groupName: ctx.region,
          networkBorderGroup: ctx.region,
          zoneType: 'availability-zone',
          zoneState: 'available',
          regionName: ctx.region,
          messageSet: [],
        })),
      };
    },
  };
}
