/**
 * What the console's server sends its pages: the JSON of each view (GET /api/…, and the
 * `snapshot` events of a page's stream) and the stream's other events. Types only: the
 * browser code (web/) imports them too, so both sides agree at compile time. Times are ISO
 * strings; optional members are absent rather than null.
 */
import type { AnnotationView, Conclusion, RunStatus, RunSummary, StepSummary } from '../control/contract.js';
import type { WebIdentityDecision } from '../services/sts/decisions.js';
import type { TrustVerdict } from '../trust/verdict.js';

export type { TrustVerdict, VerdictCondition, VerdictStatement } from '../trust/verdict.js';

/** Where the console is served. */
export const CONSOLE_PREFIX = '/_dockyard/console';

/** The pages' stream (Server-Sent Events): what a page asks for with ?view=… and its parameters. */
export type LiveViewName =
  'services' | 'service' | 'task' | 'repositories' | 'repository' | 'run' | 'trust' | 'role' | 'images' | 'image';

// --- Services ------------------------------------------------------------------------

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface ServicesView {
  clusters: { name: string; services: ServiceSummary[] }[];
}

export interface ServiceSummary {
  cluster: string;
  name: string;
  status: string;
  desired: number;
  running: number;
  pending: number;
  /** The PRIMARY deployment's. */
  rollout?: RolloutState;
  rolloutReason?: string;
  deployments: number;
  /** The stable endpoint, http://127.0.0.1:PORT/, once the runtime gave it a port. */
  endpoint?: string;
  /** Each RUNNING task of the PRIMARY deployment, where it answers. */
  taskUrls: string[];
  lastEvent?: ServiceEventView;
}

export interface ServiceEventView {
  at: string;
  message: string;
}

export interface ServiceView extends ServiceSummary {
  arn: string;
  taskDefinition: string;
  createdAt: string;
  deploymentList: DeploymentView[];
  events: ServiceEventView[];
  tasks: TaskSummary[];
  timeline: Timeline;
}

export interface DeploymentView {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desired: number;
  running: number;
  pending: number;
  failed: number;
  rollout: RolloutState;
  rolloutReason: string;
  createdAt: string;
  updatedAt: string;
  /** The workflow run whose job started it (UpdateService with that run's credentials). */
  runId?: number;
}

export interface TaskSummary {
  id: string;
  cluster: string;
  deployment?: string;
  taskDefinition: string;
  lastStatus: string;
  desiredStatus: string;
  health: string;
  createdAt: string;
  startedAt?: string;
  healthyAt?: string;
  stoppingAt?: string;
  stoppedAt?: string;
  stopCode?: string;
  stoppedReason?: string;
  /** Where it answers, while it runs. */
  url?: string;
  /** Stopped for a reason other than a deployment or a user replacing it. */
  abnormal: boolean;
}

export interface TaskView extends TaskSummary {
  arn: string;
  service?: string;
  containers: ContainerView[];
}

export interface ContainerView {
  name: string;
  image: string;
  lastStatus: string;
  health: string;
  exitCode?: number;
  reason?: string;
  /** Its CloudWatch Logs stream (awslogs). */
  logs?: { group: string; stream: string };
}

/** The rolling update drawn over time: one lane per task, coloured by its deployment. */
export interface Timeline {
  from: string;
  to: string;
  deployments: { id: string; status: string; taskDefinition: string; createdAt: string }[];
  lanes: TimelineLane[];
  /** Lanes left out (the oldest tasks) to keep the drawing readable. */
  omitted: number;
}

export interface TimelineLane {
  task: string;
  deployment: number;
  segments: { phase: 'pending' | 'running' | 'healthy' | 'draining'; from: string; to: string }[];
  stoppedAt?: string;
  abnormal: boolean;
}

export interface LogLine {
  id: number;
  time: string;
  message: string;
}

// --- Pipelines: the control API's run shapes (what `dockyard runs view` reads), and a little more.

export type { AnnotationView, Conclusion, RunStatus } from '../control/contract.js';

export interface RepositoriesView {
  repositories: { name: string; cloneUrl: string; latest?: RunRow }[];
}

export interface RepositoryView {
  name: string;
  cloneUrl: string;
  runs: RunRow[];
}

export interface RunRow extends RunSummary {
  /** `run-name:` or the head commit's first line, as GitHub titles a run. */
  title: string;
}

export interface RunPage extends RunRow {
  /** The attempt shown (the latest unless asked). */
  attempt: number;
  jobs: JobView[];
  annotations: AnnotationView[];
  /** What STS decided for this run's tokens (its deployments' credentials). */
  decisions: DecisionView[];
}

export interface JobView {
  id: number;
  key: string;
  name: string;
  status: RunStatus;
  conclusion?: Conclusion;
  startedAt?: string;
  completedAt?: string;
  steps: StepView[];
}

export interface StepView extends StepSummary {
  /** Whether it wrote lines (a skipped step has none). */
  hasLog: boolean;
}

/** A step's log as stored (masked), and whether more is to come. */
export interface StepLog {
  job: number;
  step: number;
  text: string;
  complete: boolean;
  /** Only the end of a long log is sent. */
  truncated: boolean;
}

// --- Trust ---------------------------------------------------------------------------

export interface TrustView {
  providers: { arn: string; url: string; clientIds: string[]; createdAt: string }[];
  roles: RoleRow[];
  decisions: DecisionView[];
  /** Recent runs, whose token claims a check can use. */
  runs: RunRow[];
}

export interface RoleRow {
  name: string;
  arn: string;
  /** The identity providers its trust policy names (Federated principals). */
  federated: string[];
  createdAt: string;
  description?: string;
}

export interface RoleView extends RoleRow {
  trustPolicy: string;
  decisions: DecisionView[];
}

/** Would STS admit this token? (`dockyard trust check`'s answer.) */
export interface TrustCheckResult {
  roleArn: string;
  admitted: boolean;
  error?: { code: string; message: string };
  tokenProblem?: string;
  subject?: string;
  audience?: string;
  verdict?: TrustVerdict;
  claims?: Record<string, unknown>;
  /** The explanation, line by line, exactly as `dockyard trust check` prints it. */
  lines: string[];
}

/** One of STS's decisions, as kept (services/sts/decisions.ts), with what decided in one line. */
export interface DecisionView extends Omit<WebIdentityDecision, 'at' | 'reason'> {
  at: string;
  /** One line: what decided. */
  summary: string;
  verdict?: TrustVerdict;
}

// --- Images --------------------------------------------------------------------------

export interface ImagesView {
  repositories: { name: string; uri: string; createdAt: string; images: number; tagMutability: string }[];
}

export interface ImageRepositoryView {
  name: string;
  uri: string;
  images: ImageView[];
}

export interface ImageView {
  digest: string;
  tags: string[];
  sizeBytes: number;
  pushedAt: string;
  lastPulledAt?: string;
  mediaType: string;
  /** Task definitions whose containers name this image (by tag or digest). */
  usedBy: { taskDefinition: string; container: string; status: string }[];
}

// --- The stream ----------------------------------------------------------------------

/** Events of a page's stream besides `snapshot` (the view's JSON, whole). */
export interface StreamEvents {
  /** A task's container log: lines that arrived (after the first `log` with the latest lines). */
  'task-log': { container: string; lines: LogLine[]; reset: boolean };
  /** A run's step log: `reset` replaces what the page shows (the stored log so far). */
  'step-log': { job: number; step: number; text: string; reset: boolean; truncated: boolean; complete: boolean };
}
