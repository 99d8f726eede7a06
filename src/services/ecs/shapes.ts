/**
 * A declarative reader for the task definition's deep structures (ContainerDefinition has
 * some fifty members): each member is read with the InputReader according to its shape in
 * ECS's API model, so type errors come back in AWS's validation wording and the result is
 * plain JSON holding only the model's members. Members the model does not have are dropped.
 */
import type { InputReader } from '../../core/input-reader.js';

export type Shape =
  'string' | 'integer' | 'boolean' | 'stringList' | 'integerList' | 'stringMap' | { struct: Fields } | { list: Fields };
export type Fields = Readonly<Record<string, Shape>>;

const NAME_VALUE: Fields = { name: 'string', value: 'string' };
const SECRET: Fields = { name: 'string', valueFrom: 'string' };

/** ContainerDefinition (ECS API model). */
export const CONTAINER_DEFINITION: Fields = {
  name: 'string',
  image: 'string',
  repositoryCredentials: { struct: { credentialsParameter: 'string' } },
  cpu: 'integer',
  memory: 'integer',
  memoryReservation: 'integer',
  links: 'stringList',
  portMappings: {
    list: {
      containerPort: 'integer',
      hostPort: 'integer',
      protocol: 'string',
      name: 'string',
      appProtocol: 'string',
      containerPortRange: 'string',
    },
  },
  essential: 'boolean',
  restartPolicy: { struct: { enabled: 'boolean', ignoredExitCodes: 'integerList', restartAttemptPeriod: 'integer' } },
  entryPoint: 'stringList',
  command: 'stringList',
  environment: { list: NAME_VALUE },
  environmentFiles: { list: { value: 'string', type: 'string' } },
  mountPoints: { list: { sourceVolume: 'string', containerPath: 'string', readOnly: 'boolean' } },
  volumesFrom: { list: { sourceContainer: 'string', readOnly: 'boolean' } },
  linuxParameters: {
    struct: {
      capabilities: { struct: { add: 'stringList', drop: 'stringList' } },
      devices: { list: { hostPath: 'string', containerPath: 'string', permissions: 'stringList' } },
      initProcessEnabled: 'boolean',
      sharedMemorySize: 'integer',
      tmpfs: { list: { containerPath: 'string', size: 'integer', mountOptions: 'stringList' } },
      maxSwap: 'integer',
      swappiness: 'integer',
    },
  },
  secrets: { list: SECRET },
  dependsOn: { list: { containerName: 'string', condition: 'string' } },
  startTimeout: 'integer',
  stopTimeout: 'integer',
  versionConsistency: 'string',
  hostname: 'string',
  user: 'string',
  workingDirectory: 'string',
  disableNetworking: 'boolean',
  privileged: 'boolean',
  readonlyRootFilesystem: 'boolean',
  dnsServers: 'stringList',
  dnsSearchDomains: 'stringList',
  extraHosts: { list: { hostname: 'string', ipAddress: 'string' } },
  dockerSecurityOptions: 'stringList',
  interactive: 'boolean',
  pseudoTerminal: 'boolean',
  dockerLabels: 'stringMap',
  ulimits: { list: { name: 'string', softLimit: 'integer', hardLimit: 'integer' } },
  logConfiguration: { struct: { logDriver: 'string', options: 'stringMap', secretOptions: { list: SECRET } } },
  healthCheck: {
    struct: {
      command: 'stringList',
      interval: 'integer',
      timeout: 'integer',
      retries: 'integer',
      startPeriod: 'integer',
    },
  },
  systemControls: { list: { namespace: 'string', value: 'string' } },
  resourceRequirements: { list: { value: 'string', type: 'string' } },
  firelensConfiguration: { struct: { type: 'string', options: 'stringMap' } },
  credentialSpecs: 'stringList',
};

/** Volume (ECS API model), host and Docker volumes; EFS and FSx are read but not run. */
export const VOLUME: Fields = {
  name: 'string',
  host: { struct: { sourcePath: 'string' } },
  dockerVolumeConfiguration: {
    struct: {
      scope: 'string',
      autoprovision: 'boolean',
      driver: 'string',
      driverOpts: 'stringMap',
      labels: 'stringMap',
    },
  },
  efsVolumeConfiguration: {
    struct: {
      fileSystemId: 'string',
      rootDirectory: 'string',
      transitEncryption: 'string',
      transitEncryptionPort: 'integer',
      authorizationConfig: { struct: { accessPointId: 'string', iam: 'string' } },
    },
  },
  configuredAtLaunch: 'boolean',
};

/** Reads every member of `fields` that the request sent; absent ones stay absent. */
export function readFields(reader: InputReader, fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(fields)) {
    if (!reader.has(name)) continue;
    const value = readMember(reader, name, shape);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function readMember(reader: InputReader, name: string, shape: Shape): unknown {
  switch (shape) {
    case 'string':
      return reader.string(name);
    case 'integer':
      return reader.integer(name);
    case 'boolean':
      return reader.boolean(name);
    case 'stringList':
      return reader.stringList(name);
    case 'stringMap':
      return reader.stringMap(name);
    case 'integerList': {
      const items = reader.stringList(name);
      if (items === undefined) return undefined;
      const numbers = items.map(Number);
      if (numbers.some((n) => !Number.isSafeInteger(n))) {
        reader.violate(name, 'Member must be a list of integers', `[${items.join(', ')}]`);
        return undefined;
      }
      return numbers;
    }
    default:
      return 'struct' in shape
        ? reader.structure(name, (inner) => readFields(inner, shape.struct))
        : reader.list(name, (inner) => readFields(inner, shape.list));
  }
}
