/**
 * What a job's networks and volumes may be: bridge networks without options that would attach
 * them to the host's interfaces or bridges, local volumes without driver options (the local
 * driver's `o=bind,device=/path` is a bind mount of any host path). Both carry the job's labels.
 */
import { labelled } from './container-policy.js';
import { canonicalKeys, objectAt, stringAt, stringMapAt, type JsonObject } from './json-input.js';
import { forbidden } from './refusal.js';

const SUFFIX = 'is not allowed in workflow jobs';

/** Network driver options that only tune the job's own bridge. */
const NETWORK_OPTIONS = new Set([
  'mtu',
  'com.docker.network.driver.mtu',
  'isolate',
  'com.docker.network.bridge.enable_icc',
  'com.docker.network.bridge.enable_ip_masquerade',
]);

/** Reviews a network create body in place. */
export function reviewNetworkCreate(body: JsonObject, labels: Record<string, string>): void {
  const where = 'network';
  canonicalKeys(body, ['Driver', 'Options', 'IPAM', 'ConfigFrom', 'Labels'], where);
  const driver = stringAt(body, 'Driver', where);
  if (driver !== '' && driver !== 'bridge')
    throw forbidden(`network driver ${driver} ${SUFFIX}: only bridge networks can be created`);
  for (const key of Object.keys(stringMapAt(body, 'Options', where))) {
    if (!NETWORK_OPTIONS.has(key)) throw forbidden(`network option ${key} ${SUFFIX}`);
  }
  const ipamDriver = stringAt(
    canonicalKeys(objectAt(body, 'IPAM', where) ?? {}, ['Driver'], `${where}.IPAM`),
    'Driver',
    `${where}.IPAM`,
  );
  if (!['', 'default', 'host-local'].includes(ipamDriver)) throw forbidden(`IPAM driver ${ipamDriver} ${SUFFIX}`);
  if (body.ConfigFrom !== undefined && body.ConfigFrom !== null)
    throw forbidden(`networks created from a configuration network (--config-from) ${SUFFIX}`);
  body.Labels = labelled(stringMapAt(body, 'Labels', where), labels, 'network');
}

/** Reviews a volume create body in place. */
export function reviewVolumeCreate(body: JsonObject, labels: Record<string, string>): void {
  const where = 'volume';
  canonicalKeys(body, ['Driver', 'DriverOpts', 'ClusterVolumeSpec', 'Labels'], where);
  const driver = stringAt(body, 'Driver', where);
  if (driver !== '' && driver !== 'local') throw forbidden(`volume driver ${driver} ${SUFFIX}`);
  if (Object.keys(stringMapAt(body, 'DriverOpts', where)).length > 0)
    throw forbidden(`volume driver options (--opt) ${SUFFIX}: they can mount host paths`);
  if (body.ClusterVolumeSpec !== undefined && body.ClusterVolumeSpec !== null)
    throw forbidden(`cluster volumes ${SUFFIX}`);
  body.Labels = labelled(stringMapAt(body, 'Labels', where), labels, 'volume');
}
