/**
 * Running a built-in action the way a runner does, for the action tests: a job with its own
 * workspace and RUNNER_TEMP, INPUT_ variables from the action.yml defaults (the few default
 * expressions the built-ins use are evaluated here) overridden by the step's `with:`, the
 * GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_PATH files parsed after each step, exported
 * variables carried to later steps, and STATE_ variables handed to the post step.
 *
 * The environment is built from scratch (PATH only from the test process), so no AWS profile,
 * instance metadata or credentials of the host leak into a step.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root (this file runs from dist/test/actions). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The built-in action.yml files, by `uses:` name. */
export const ACTIONS = {
  configureAwsCredentials: 'aws-actions/configure-aws-credentials/v4',
  ecrLogin: 'aws-actions/amazon-ecr-login/v2',
  ecrLoginV1: 'aws-actions/amazon-ecr-login/v1',
  renderTaskDefinition: 'aws-actions/amazon-ecs-render-task-definition/v1',
  deployTaskDefinition: 'aws-actions/amazon-ecs-deploy-task-definition/v2',
  deployTaskDefinitionV1: 'aws-actions/amazon-ecs-deploy-task-definition/v1',
  checkout: 'actions/checkout/v4',
} as const;

interface ActionMetadata {
  inputs?: Record<string, { default?: unknown } | null>;
  runs: { using: string; main: string; post?: string };
}

/** The engine the docker client talks to in these tests. */
export const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///run/podman/podman.sock';

/** What one step did. */
export interface StepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  exported: Record<string, string>;
  state: Record<string, string>;
  path: string[];
  /** Values announced with ::add-mask::. */
  masks: string[];
  /** Messages of ::error:: commands. */
  errors: string[];
  /** Messages of ::warning:: commands. */
  warnings: string[];
}

/** The `github` context values default expressions may use. */
export interface GithubContext {
  repository: string;
  token: string;
  sha: string;
  ref: string;
  workflow: string;
  actor: string;
  serverUrl: string;
}

export interface StepOptions {
  /** The step's `with:`. */
  inputs?: Record<string, string>;
  /** The step's `env:`. */
  env?: Record<string, string>;
}

export class TestJob {
  readonly root: string;
  readonly workspace: string;
  readonly runnerTemp: string;
  readonly github: GithubContext;
  /** Variables every step sees: the job's env plus whatever earlier steps exported. */
  readonly env: Record<string, string>;

  constructor(options: { env?: Record<string, string>; github?: Partial<GithubContext> } = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'dockyard-action-'));
    this.workspace = join(this.root, 'workspace');
    this.runnerTemp = join(this.root, 'temp');
    mkdirSync(this.workspace);
    mkdirSync(this.runnerTemp);
    mkdirSync(join(this.root, 'home'));
    this.github = {
      repository: 'your-username/ecsapp',
      token: 'ghs_testtoken',
      sha: 'f'.repeat(40),
      ref: 'refs/heads/main',
      workflow: 'Deploy to ECS',
      actor: 'your-username',
      serverUrl: 'https://github.com',
      ...options.github,
    };
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(this.root, 'home'),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: this.github.repository,
      GITHUB_REPOSITORY_OWNER: this.github.repository.split('/')[0] ?? '',
      GITHUB_WORKFLOW: this.github.workflow,
      GITHUB_ACTOR: this.github.actor,
      GITHUB_SHA: this.github.sha,
      GITHUB_REF: this.github.ref,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SERVER_URL: this.github.serverUrl,
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_RUN_ID: '1',
      RUNNER_TEMP: this.runnerTemp,
      // The SDK's credential chain must end at "Could not load credentials from any providers"
      // without asking a real instance-metadata service or reading the host's ~/.aws.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: join(this.root, 'no-aws-credentials'),
      AWS_CONFIG_FILE: join(this.root, 'no-aws-config'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.env,
    };
  }

  /** Runs an action's main program as step `id`; exported variables carry over to later steps. */
  async run(action: string, id: string, options: StepOptions = {}): Promise<StepResult> {
    return this.runPhase(action, 'main', id, options, {});
  }

  /** Runs an action's post program with the state its main step saved. */
  async post(action: string, id: string, main: StepResult, options: StepOptions = {}): Promise<StepResult> {
    return this.runPhase(action, 'post', id, options, main.state);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private async runPhase(
    action: string,
    phase: 'main' | 'post',
    id: string,
    options: StepOptions,
    state: Record<string, string>,
  ): Promise<StepResult> {
    const actionDir = join(ROOT, 'builtin-actions', action);
    const metadata = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as ActionMetadata;
    const program = phase === 'main' ? metadata.runs.main : metadata.runs.post;
    if (!program) throw new Error(`${action} has no ${phase} program`);
    const files = { GITHUB_ENV: '', GITHUB_OUTPUT: '', GITHUB_STATE: '', GITHUB_PATH: '' };
    const commandDir = mkdtempSync(join(this.runnerTemp, `_${id}-${phase}-`));
    for (const name of Object.keys(files) as (keyof typeof files)[]) {
      files[name] = join(commandDir, name.toLowerCase());
      writeFileSync(files[name], '');
    }
    const env: Record<string, string> = {
      ...this.env,
      ...options.env,
      ...files,
      GITHUB_ACTION: id,
      GITHUB_ACTION_PATH: actionDir,
    };
    for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
      const fallback = spec?.default;
      if (fallback !== undefined && fallback !== null)
        env[inputVariable(name)] = this.evaluateDefault(String(fallback));
    }
    for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputVariable(name)] = value;
    for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value;

    const { exitCode, stdout, stderr } = await runNode(join(actionDir, program), env, this.workspace);
    const exported = parseFileCommand(readFileSync(files.GITHUB_ENV, 'utf8'));
    Object.assign(this.env, exported);
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      exported,
      state: parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8')),
      path: readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean),
      masks: workflowCommands(stdout, 'add-mask'),
      errors: workflowCommands(stdout, 'error'),
      warnings: workflowCommands(stdout, 'warning'),
    };
  }

  /** The default expressions the built-ins' action.yml files use. */
  private evaluateDefault(value: string): string {
    return value.replace(/\$\{\{\s*github\.(\w+)\s*\}\}/g, (whole, key: string) => {
      const known: Record<string, string> = {
        repository: this.github.repository,
        token: this.github.token,
        sha: this.github.sha,
        ref: this.github.ref,
        server_url: this.github.serverUrl,
      };
      const found = known[key];
      if (found === undefined) throw new Error(`no test value for ${whole}`);
      return found;
    });
  }
}

/** The registries a job's docker config file holds credentials for. */
export function dockerAuths(job: TestJob): string[] {
  const file = join(job.env.HOME ?? '', '.docker', 'config.json');
  if (!existsSync(file)) return [];
  return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {});
}

/** INPUT_<NAME>: upper-cased, spaces to `_`, hyphens kept (the runner's rule). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a file-command file: `name<<DELIM` heredocs and plain `name=value` lines. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      result[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

/** Messages of `::command::message` lines on stdout (`::command key=v::message` too). */
function workflowCommands(stdout: string, command: string): string[] {
  const found: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = new RegExp(`^::${command}(?: [^:]*)?::(.*)$`).exec(line);
    if (match) found.push(unescapeData(match[1] ?? ''));
  }
  return found;
}

function unescapeData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function runNode(
  script: string,
  env: Record<string, string>,
  cwd: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ exitCode: code ?? -1, stdout, stderr }));
  });
}
