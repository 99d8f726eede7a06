/**
 * ECS's entities as the control plane stores them and the scheduler reads and writes them:
 * clusters, task definitions, services with their deployments and events, and tasks. Member
 * names are AWS's (camelCase), so most outputs are these objects as they are; times are Dates.
 */

/** An ECS resource tag; ECS spells the members `key` and `value` on the wire. */
export interface Tag {
  key: string;
  value: string;
}

export type ClusterStatus = 'ACTIVE' | 'INACTIVE';

export interface Cluster {
  clusterName: string;
  clusterArn: string;
  status: ClusterStatus;
  createdAt: Date;
  settings: { name: string; value: string }[];
  tags: Tag[];
}

export type TaskDefinitionStatus = 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
export type NetworkMode = 'bridge' | 'host' | 'awsvpc' | 'none';
export type Compatibility = 'EC2' | 'FARGATE' | 'EXTERNAL' | 'MANAGED_INSTANCES';

export interface PortMapping {
  containerPort?: number;
  hostPort?: number;
  protocol?: 'tcp' | 'udp';
  name?: string;
  appProtocol?: string;
  containerPortRange?: string;
}

export interface HealthCheck {
  command: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}

export interface LogConfiguration {
  logDriver: string;
  options?: Record<string, string>;
  secretOptions?: { name: string; valueFrom: string }[];
}

/**
 * A container definition as registered (defaults applied). The members the scheduler uses
 * are typed; the rest of the model's members are kept as registered.
 */
export interface ContainerDefinition {
  name: string;
  image: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  essential: boolean;
  portMappings: PortMapping[];
  environment: { name?: string; value?: string }[];
  secrets?: { name: string; valueFrom: string }[];
  command?: string[];
  entryPoint?: string[];
  workingDirectory?: string;
  user?: string;
  healthCheck?: HealthCheck;
  logConfiguration?: LogConfiguration;
  stopTimeout?: number;
  startTimeout?: number;
  dockerLabels?: Record<string, string>;
  mountPoints: unknown[];
  volumesFrom: unknown[];
  systemControls: unknown[];
  [member: string]: unknown;
}

/** What RegisterTaskDefinition stores besides family and revision: AWS's TaskDefinition members. */
export interface TaskDefinitionDocument {
  containerDefinitions: ContainerDefinition[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  /** As registered; absent means bridge (EC2's default). */
  networkMode?: NetworkMode;
  volumes: unknown[];
  placementConstraints: unknown[];
  requiresCompatibilities?: Compatibility[];
  compatibilities: Compatibility[];
  requiresAttributes: { name: string }[];
  /** Task-level CPU units, normalised ("1 vCPU" → "1024"). */
  cpu?: string;
  /** Task-level memory in MiB, normalised ("1GB" → "1024"). */
  memory?: string;
  pidMode?: string;
  ipcMode?: string;
  ephemeralStorage?: { sizeInGiB: number };
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
}

export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: TaskDefinitionStatus;
  registeredAt: Date;
  registeredBy: string;
  deregisteredAt?: Date;
  document: TaskDefinitionDocument;
  tags: Tag[];
}

export type ServiceStatus = 'ACTIVE' | 'DRAINING' | 'INACTIVE';

export interface AwsVpcConfiguration {
  subnets: string[];
  securityGroups?: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

export interface NetworkConfiguration {
  awsvpcConfiguration: AwsVpcConfiguration;
}

export interface DeploymentConfiguration {
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  maximumPercent: number;
  minimumHealthyPercent: number;
}

export interface Service {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: ServiceStatus;
  desiredCount: number;
  launchType: 'FARGATE';
  platformVersion: string;
  taskDefinition: string;
  deploymentConfiguration: DeploymentConfiguration;
  networkConfiguration?: NetworkConfiguration;
  healthCheckGracePeriodSeconds?: number;
  createdAt: Date;
  createdBy: string;
  tags: Tag[];
  propagateTags: 'NONE' | 'SERVICE' | 'TASK_DEFINITION';
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  /** The normalised CreateService request, to tell an idempotent retry from a conflict. */
  creationFingerprint: string;
}

export type DeploymentStatus = 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** One deployment of a service. Running and pending counts are computed from tasks. */
export interface Deployment {
  /** ecs-svc/ and 19 digits; tasks carry it in startedBy. */
  id: string;
  serviceArn: string;
  status: DeploymentStatus;
  taskDefinition: string;
  desiredCount: number;
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  launchType: 'FARGATE';
  platformVersion: string;
  networkConfiguration?: NetworkConfiguration;
  createdAt: Date;
  updatedAt: Date;
  /**
   * dockyard-internal, never on the wire: who started it with CreateService or UpdateService
   * (the calling access key, and the CI run its session descends from). Absent for the
   * scheduler's own rollbacks.
   */
  initiatedBy?: DeploymentInitiator;
}

/** The caller behind a deployment (see Deployment.initiatedBy). */
export interface DeploymentInitiator {
  accessKeyId: string;
  /** The `run_id` of the CI job token the calling session descends from. */
  ciRunId?: string;
}

export interface ServiceEvent {
  id: string;
  createdAt: Date;
  message: string;
}

export type TaskStatus =
  'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';
export type DesiredStatus = 'RUNNING' | 'PENDING' | 'STOPPED';
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
export type StopCode =
  | 'TaskFailedToStart'
  | 'EssentialContainerExited'
  | 'UserInitiated'
  | 'ServiceSchedulerInitiated'
  | 'SpotInterruption'
  | 'TerminationNotice'
  | 'InfrastructureHealth';

export interface TaskContainer {
  containerArn: string;
  taskArn: string;
  name: string;
  image: string;
  imageDigest?: string;
  /** The engine's container id, once created. */
  runtimeId?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  healthStatus: HealthStatus;
  networkInterfaces: { attachmentId: string; privateIpv4Address?: string }[];
  cpu?: string;
  memory?: string;
}

/** The task's ENI: details are subnetId, networkInterfaceId, macAddress, privateIPv4Address, privateDnsName. */
export interface Attachment {
  id: string;
  type: 'ElasticNetworkInterface';
  status: 'PRECREATED' | 'ATTACHING' | 'ATTACHED' | 'DETACHING' | 'DETACHED' | 'DELETED' | 'FAILED';
  details: { name: string; value: string }[];
}

export interface Task {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  /** service:NAME or family:FAMILY (or RunTask's group). */
  group: string;
  /** The deployment id for a service's task, or RunTask's startedBy. */
  startedBy?: string;
  lastStatus: TaskStatus;
  desiredStatus: DesiredStatus;
  healthStatus: HealthStatus;
  stopCode?: StopCode;
  stoppedReason?: string;
  launchType: 'FARGATE';
  platformVersion: string;
  platformFamily: string;
  cpu?: string;
  memory?: string;
  connectivity?: 'CONNECTED' | 'DISCONNECTED';
  connectivityAt?: Date;
  createdAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  executionStoppedAt?: Date;
  stoppedAt?: Date;
  containers: TaskContainer[];
  attachments: Attachment[];
  availabilityZone?: string;
  /** The task's network configuration (RunTask's or the deployment's). */
  networkConfiguration?: NetworkConfiguration;
  overrides: TaskOverride;
  /** Incremented on every write, as AWS's task version is. */
  version: number;
  tags: Tag[];
  /**
   * dockyard-internal, never on the wire: when the task's health checks last turned it
   * HEALTHY (the console draws a rollout with it; ECS keeps no such time).
   */
  healthyAt?: Date;
}

/** RunTask's overrides, applied by the scheduler when it starts the containers. */
export interface ContainerOverride {
  name: string;
  command?: string[];
  environment?: { name?: string; value?: string }[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

export interface TaskOverride {
  containerOverrides: ContainerOverride[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  cpu?: string;
  memory?: string;
}

/** Task states before RUNNING: a task in one of them counts as pending. */
export const PENDING_STATES: readonly TaskStatus[] = ['PROVISIONING', 'PENDING', 'ACTIVATING'];
