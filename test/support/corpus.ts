/**
 * Running the ECS deploy corpus (test/corpus, issue 12) against one real cloud: each entry's
 * copied files go into a hosted repository byte for byte (the starter template is filled in as a
 * user adding it does), beside the stand-ins its `standIns` asks for; the entry's recipe
 * (corpus-recipes.ts) provisions what the workflow expects in AWS and returns the secrets and
 * variables to set, which go in through the CLI as a user sets them; then its triggers run (a
 * push of a branch or tag, or a workflow_dispatch) and every run is read back, job by job, step by
 * step.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockyard, DOCKYARD_BIN } from './dockyard-cli.js';
import { runOk } from './run.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CORPUS_DIR = join(REPO_ROOT, 'test', 'corpus');

export interface CorpusFile {
  path: string;
  copied: boolean;
  repo?: string;
}

export interface CorpusEntry {
  name: string;
  entry: string;
  placeAt: string;
  corpusDir: string;
  files: CorpusFile[];
}

interface CorpusIndex {
  acceptanceProposal: string[];
  workflows: CorpusEntry[];
}

export function readCorpusIndex(): CorpusIndex {
  return JSON.parse(readFileSync(join(CORPUS_DIR, 'index.json'), 'utf8')) as CorpusIndex;
}

/** What a recipe hands back: the settings to store, and the triggers to fire in order. */
export interface Settings {
  secrets: Record<string, string>;
  vars: Record<string, string>;
}

export type Trigger = { push: string } | { dispatch: string; inputs?: Record<string, string> };

export interface StepView {
  name: string;
  status: string;
  conclusion?: string;
}
export interface RunView {
  id: number;
  workflowFile: string;
  event: string;
  status: string;
  conclusion?: string;
  jobs: { name: string; status: string; conclusion?: string; steps: StepView[] }[];
}

export interface EntryResult {
  name: string;
  ok: boolean;
  runs: RunView[];
  /** The first step (or run) that was not green and the log lines around its error. */
  firstFailure?: string;
  seconds: number;
}

/** The CLI against the cloud in `dataDir`; throws with its output unless it exits 0. */
export async function cliOk(dataDir: string, args: string[], cwd?: string): Promise<string> {
  const result = cwd
    ? await runOk(process.execPath, [DOCKYARD_BIN, ...args], { cwd, env: { DOCKYARD_DATA: dataDir } })
    : await dockyard(args, { DOCKYARD_DATA: dataDir });
  if (result.status !== 0) throw new Error(`dockyard ${args.join(' ')}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * A work tree holding the entry's copied files (the entry workflow at `placeAt`, `edit` applied
 * to it) and the stand-ins; the files of a second repository (`repo` set) are left out.
 */
export function entryWorkTree(
  entry: CorpusEntry,
  standIns: Record<string, string>,
  edit: (text: string) => string = (text) => text,
): string {
  const work = mkdtempSync(join(tmpdir(), `dockyard-corpus-${entry.name}-`));
  const dir = join(REPO_ROOT, entry.corpusDir);
  for (const file of entry.files) {
    if (!file.copied || file.repo !== undefined) continue;
    const target = file.path === entry.entry && !entry.placeAt.endsWith('/') ? entry.placeAt : file.path;
    mkdirSync(dirname(join(work, target)), { recursive: true });
    if (file.path === entry.entry) writeFileSync(join(work, target), edit(readFileSync(join(dir, file.path), 'utf8')));
    else copyFileSync(join(dir, file.path), join(work, target));
  }
  for (const [path, text] of Object.entries(standIns)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
    // Scripts the workflow runs are executables in their repositories.
    if (text.startsWith('#!')) chmodSync(join(work, path), 0o755);
  }
  return work;
}

export function git(work: string, args: string[]) {
  return runOk('git', ['-c', 'user.name=Corpus Test', '-c', 'user.email=corpus@example.com', ...args], {
    cwd: work,
    env: { GIT_TERMINAL_PROMPT: '0' },
  });
}

/** Settings through `dockyard secret set` and `dockyard var set`, as a user stores them. */
export async function storeSettings(dataDir: string, repository: string, settings: Settings): Promise<void> {
  for (const [name, value] of Object.entries(settings.secrets))
    await cliOk(dataDir, ['secret', 'set', name, '--repo', repository, '--body', value]);
  for (const [name, value] of Object.entries(settings.vars))
    await cliOk(dataDir, ['var', 'set', name, value, '--repo', repository]);
}

export async function runView(dataDir: string, id: number): Promise<RunView> {
  return JSON.parse(await cliOk(dataDir, ['runs', 'view', String(id), '--json'])) as RunView;
}

export async function runLog(dataDir: string, id: number): Promise<string> {
  return cliOk(dataDir, ['runs', 'view', String(id), '--log']);
}

/** The first step not green in a run, with the first error lines of its log. */
export async function firstFailure(dataDir: string, view: RunView): Promise<string | undefined> {
  if (view.conclusion === 'success' && view.jobs.every((job) => job.steps.every(green))) return undefined;
  const log = await runLog(dataDir, view.id).catch((error: Error) => error.message);
  const errors = log
    .split('\n')
    .filter((line) => /##\[error\]|Error|error:|refused|not supported|Unsupported/i.test(line))
    .slice(0, 4)
    // A log line is JOB<tab>TIME MESSAGE: the message is what says why.
    .map((line) =>
      line
        .replace(/^[^\t]*\t\S+ /, '')
        .trim()
        .slice(0, 300),
    );
  for (const job of view.jobs) {
    const step = job.steps.find((s) => !green(s));
    if (step || job.conclusion !== 'success')
      return `${view.workflowFile} (${view.event}) job "${job.name}" ${job.conclusion ?? job.status}, step "${step?.name ?? '-'}" ${step?.conclusion ?? step?.status ?? ''}: ${errors.join(' | ')}`;
  }
  return `${view.workflowFile} (${view.event}) ${view.conclusion ?? view.status}: ${errors.join(' | ')}`;
}

/** Green: succeeded, or skipped by its own `if:` (the step GitHub also shows grey). */
function green(step: StepView): boolean {
  return step.conclusion === 'success' || step.conclusion === 'skipped';
}
