/**
 * A static-key deploy workflow turned into a keyless one, as text edits: every
 * configure-aws-credentials step that passes aws-access-key-id/aws-secret-access-key (and
 * aws-session-token) gets `role-to-assume: <role ARN>` instead, and every job with such a step
 * may ask for an OIDC token (`id-token: write`) at the level its permissions come from.
 *
 * The edits are whole lines of the original text, found through the file's outline (the `yaml`
 * Document API's ranges, yaml-outline.ts); everything else stays byte for byte: comments,
 * quoting, blank lines, line endings. Where a job's permissions come from:
 *   - its own `permissions:` → `id-token: write` is set there;
 *   - else the workflow's, when every job that inherits them configures credentials → set there;
 *   - else a `permissions:` block is added to the job, before `steps:`: the inherited scopes (or,
 *     with none anywhere, `contents: read`, which checkout needs) and `id-token: write`.
 * `write-all` already grants id-token; `read-all` becomes every scope read plus id-token write.
 *
 * Pure: no I/O. MigrationError says why a file cannot be migrated.
 */
import type { OutlineEntry, OutlineNode } from '../workflow/index.js';
import { PERMISSION_SCOPES } from '../workflow/index.js';

/** Replaces lines [start, end) of the original (0-based) with `lines` (no line endings). */
export interface LineEdit {
  start: number;
  end: number;
  lines: string[];
}

export interface OidcMigration {
  /** The migrated file. */
  text: string;
  /** The edits, in file order, for a diff. */
  edits: LineEdit[];
  /** What changed, one line each (`job deploy, step "Configure AWS credentials": keys → role`). */
  changes: string[];
  /** What the user should know or still do. */
  notes: string[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const CREDENTIALS_ACTION = /^aws-actions\/configure-aws-credentials@/;
const KEY_INPUTS = ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'];
const KEY_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

type MapNode = Extract<OutlineNode, { kind: 'map' }>;

/** The text as lines, with offsets → positions. */
class Text {
  readonly lines: string[];
  readonly eol: string;
  readonly endsWithNewline: boolean;
  private readonly starts: number[] = [0];

  constructor(readonly content: string) {
    this.eol = content.includes('\r\n') ? '\r\n' : '\n';
    this.endsWithNewline = content.endsWith('\n');
    for (let i = 0; i < content.length; i++) if (content[i] === '\n') this.starts.push(i + 1);
    const body = this.endsWithNewline ? content.slice(0, -1) : content;
    this.lines = body.split('\n').map((line) => line.replace(/\r$/, ''));
  }

  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  columnOf(offset: number): number {
    return offset - (this.starts[this.lineOf(offset)] as number);
  }

  /** The line's text before `offset`. */
  before(offset: number): string {
    return this.content.slice(this.starts[this.lineOf(offset)], offset);
  }

  /** The line's text after `offset` (without the line ending). */
  after(offset: number): string {
    const line = this.lineOf(offset);
    return (this.lines[line] as string).slice(offset - (this.starts[line] as number));
  }

  slice(range: [number, number]): string {
    return this.content.slice(range[0], range[1]);
  }
}

const asMap = (node: OutlineNode | null | undefined): MapNode | undefined => (node?.kind === 'map' ? node : undefined);
const entryOf = (map: MapNode | undefined, key: string): OutlineEntry | undefined =>
  map?.entries.find((e) => e.key === key);
const scalarText = (node: OutlineNode | null | undefined): string | undefined =>
  node?.kind === 'scalar' && node.value !== null ? String(node.value) : undefined;

/** The last offset an entry's text covers: its value's end, or its key's for `key:` alone. */
function entryEnd(entry: OutlineEntry): number {
  return entry.value && entry.value.range[1] > entry.keyRange[1] ? entry.value.range[1] : entry.keyRange[1];
}

interface CredentialStep {
  job: string;
  name: string;
  withEntry: OutlineEntry;
}

export function migrateWorkflowText(content: string, root: OutlineNode | null, roleArn: string): OidcMigration {
  const text = new Text(content);
  const top = asMap(root);
  const jobs = asMap(entryOf(top, 'jobs')?.value);
  if (!top || !jobs) throw new MigrationError('it has no jobs');
  const edits: LineEdit[] = [];
  const changes: string[] = [];
  const notes: string[] = [];

  keyVariableNotes('the workflow', asMap(entryOf(top, 'env')?.value), [], notes);
  const needing = new Map<string, MapNode>();
  for (const jobEntry of jobs.entries) {
    const job = asMap(jobEntry.value);
    const steps = entryOf(job, 'steps')?.value;
    if (!job || steps?.kind !== 'seq') continue;
    steps.items.forEach((item, index) => {
      const step = asMap(item);
      const withEntry = entryOf(step, 'with');
      const uses = scalarText(entryOf(step, 'uses')?.value);
      if (!step || !uses || !CREDENTIALS_ACTION.test(uses) || !withEntry) return;
      const inputs = asMap(withEntry.value);
      if (!inputs?.entries.some((e) => e.key === 'aws-access-key-id')) return;
      const name = scalarText(entryOf(step, 'name')?.value) ?? `#${index + 1}`;
      edits.push(...credentialEdits(text, { job: jobEntry.key, name, withEntry }, roleArn));
      changes.push(`job ${jobEntry.key}, step "${name}": access keys → role-to-assume ${roleArn}`);
      needing.set(jobEntry.key, job);
    });
    keyVariableNotes(`job ${jobEntry.key}`, asMap(entryOf(job, 'env')?.value), stepEnvs(jobEntry.key, job), notes);
  }
  if (needing.size === 0) throw new MigrationError('no configure-aws-credentials step passes aws-access-key-id');

  const topPermissions = entryOf(top, 'permissions');
  const inheriting = jobs.entries.filter(
    (e) => !entryOf(asMap(e.value), 'permissions') && entryOf(asMap(e.value), 'steps'),
  );
  const topServesAll = topPermissions !== undefined && inheriting.every((e) => needing.has(e.key));
  let topDone = false;
  for (const [jobName, job] of needing) {
    const own = entryOf(job, 'permissions');
    if (own) {
      const edit = grantIdToken(text, own);
      if (edit) edits.push(edit);
      changes.push(
        edit
          ? `job ${jobName}: id-token: write added to its permissions`
          : `job ${jobName}: its permissions already grant id-token: write`,
      );
    } else if (topPermissions && topServesAll) {
      if (topDone) continue;
      topDone = true;
      const edit = grantIdToken(text, topPermissions);
      if (edit) edits.push(edit);
      changes.push(
        edit
          ? 'workflow: id-token: write added to its permissions'
          : 'workflow: its permissions already grant id-token: write',
      );
    } else if (topPermissions && scalarText(topPermissions.value) === 'write-all') {
      changes.push(`job ${jobName}: the workflow's write-all already grants id-token: write`);
    } else {
      edits.push(jobPermissionsBlock(text, job, topPermissions));
      if (topPermissions) {
        changes.push(`job ${jobName}: a permissions block (the workflow's, plus id-token: write)`);
      } else {
        changes.push(`job ${jobName}: permissions id-token: write, contents: read`);
        notes.push(
          `job ${jobName} had GitHub's default token permissions; now it has contents: read and id-token: write only: add any other scope its steps need`,
        );
      }
    }
  }

  edits.sort((a, b) => a.start - b.start);
  for (let i = 1; i < edits.length; i++) {
    if ((edits[i] as LineEdit).start < (edits[i - 1] as LineEdit).end)
      throw new MigrationError('two of its changes fall on the same lines; edit it by hand');
  }
  return { text: applyEdits(text, edits), edits, changes, notes };
}

/** The key inputs go; role-to-assume (new, or the one the keys assumed) names the role. */
function credentialEdits(text: Text, step: CredentialStep, roleArn: string): LineEdit[] {
  const inputs = asMap(step.withEntry.value) as MapNode;
  const existingRole = entryOf(inputs, 'role-to-assume');
  if (inputs.flow) {
    const parts: string[] = [];
    for (const entry of inputs.entries) {
      if (entry.key === 'role-to-assume' || (entry.key === 'aws-access-key-id' && !existingRole))
        parts.push(`role-to-assume: ${roleArn}`);
      else if (!KEY_INPUTS.includes(entry.key)) parts.push(text.slice([entry.keyRange[0], entryEnd(entry)]));
    }
    return [replaceInLines(text, inputs.range, `{ ${parts.join(', ')} }`)];
  }
  const edits: LineEdit[] = [];
  for (const entry of inputs.entries) {
    const replaces = entry.key === 'role-to-assume' || (entry.key === 'aws-access-key-id' && !existingRole);
    if (!replaces && !KEY_INPUTS.includes(entry.key)) continue;
    const [start, end] = entryLines(text, entry);
    edits.push({
      start,
      end,
      lines: replaces ? [`${' '.repeat(text.columnOf(entry.keyRange[0]))}role-to-assume: ${roleArn}`] : [],
    });
  }
  return edits;
}

/** The lines a block mapping entry occupies; it must begin its line. */
function entryLines(text: Text, entry: OutlineEntry): [number, number] {
  const line = text.lineOf(entry.keyRange[0]);
  if (text.before(entry.keyRange[0]).trim() !== '')
    throw new MigrationError(`line ${line + 1} holds more than "${entry.key}"; edit it by hand`);
  return [line, text.lineOf(Math.max(entryEnd(entry) - 1, entry.keyRange[0])) + 1];
}

/** Replaces `range` within its lines by `replacement`, keeping what surrounds it on the first and last line. */
function replaceInLines(text: Text, range: [number, number], replacement: string): LineEdit {
  const start = text.lineOf(range[0]);
  const last = text.lineOf(Math.max(range[1] - 1, range[0]));
  return { start, end: last + 1, lines: [`${text.before(range[0])}${replacement}${text.after(range[1])}`] };
}

/** An edit that makes a `permissions:` entry grant id-token: write; undefined when it already does. */
function grantIdToken(text: Text, entry: OutlineEntry): LineEdit | undefined {
  const value = entry.value;
  const scalar = scalarText(value);
  if (scalar === 'write-all') return undefined;
  const map = asMap(value);
  if (map && !map.flow && map.entries.length > 0) {
    const idToken = entryOf(map, 'id-token');
    if (scalarText(idToken?.value) === 'write') return undefined;
    const column = text.columnOf((map.entries[0] as OutlineEntry).keyRange[0]);
    if (idToken) {
      const [start, end] = entryLines(text, idToken);
      return { start, end, lines: [`${' '.repeat(column)}id-token: write`] };
    }
    const last = map.entries[map.entries.length - 1] as OutlineEntry;
    const after = entryLines(text, last)[1];
    return { start: after, end: after, lines: [`${' '.repeat(column)}id-token: write`] };
  }
  if (map) {
    // A flow mapping ({} included) is rewritten as one.
    const parts = map.entries.filter((e) => e.key !== 'id-token').map((e) => text.slice([e.keyRange[0], entryEnd(e)]));
    return replaceInLines(text, map.range, `{ ${[...parts, 'id-token: write'].join(', ')} }`);
  }
  // read-all (or nothing): every scope read, id-token write.
  const [start, end] = entryLines(text, entry);
  const column = text.columnOf(entry.keyRange[0]);
  const scopes = PERMISSION_SCOPES.map(
    (scope) =>
      `${' '.repeat(column + 2)}${scope}: ${scope === 'id-token' ? 'write' : scalar === 'read-all' ? 'read' : 'none'}`,
  );
  return { start, end, lines: [`${' '.repeat(column)}permissions:`, ...scopes] };
}

/** A `permissions:` block for a job that has none, before its `steps:`: the inherited scopes and id-token: write. */
function jobPermissionsBlock(text: Text, job: MapNode, inherited: OutlineEntry | undefined): LineEdit {
  const steps = entryOf(job, 'steps') as OutlineEntry;
  const [line] = entryLines(text, steps);
  const column = text.columnOf(steps.keyRange[0]);
  const indent = ' '.repeat(column + 2);
  const scopes = new Map<string, string>();
  const inheritedMap = asMap(inherited?.value);
  if (inheritedMap) for (const e of inheritedMap.entries) scopes.set(e.key, scalarText(e.value) ?? 'none');
  else if (scalarText(inherited?.value) === 'read-all')
    for (const scope of PERMISSION_SCOPES) scopes.set(scope, 'read');
  else scopes.set('contents', 'read');
  scopes.set('id-token', 'write');
  const ordered = [['id-token', 'write'], ...[...scopes].filter(([scope]) => scope !== 'id-token')];
  return {
    start: line,
    end: line,
    lines: [`${' '.repeat(column)}permissions:`, ...ordered.map(([scope, level]) => `${indent}${scope}: ${level}`)],
  };
}

/** Each step's `env`, named for messages. */
function stepEnvs(jobName: string, job: MapNode | undefined): [string, MapNode | undefined][] {
  const steps = entryOf(job, 'steps')?.value;
  if (steps?.kind !== 'seq') return [];
  return steps.items.map((item, index) => {
    const step = asMap(item);
    return [
      `job ${jobName}, step "${scalarText(entryOf(step, 'name')?.value) ?? `#${index + 1}`}"`,
      asMap(entryOf(step, 'env')?.value),
    ];
  });
}

/** Keys passed as environment variables to other tools are not this migration's to change: say so. */
function keyVariableNotes(
  where: string,
  env: MapNode | undefined,
  steps: [string, MapNode | undefined][],
  notes: string[],
): void {
  for (const [place, map] of [[where, env] as [string, MapNode | undefined], ...steps]) {
    const names = map?.entries.map((e) => e.key).filter((key) => KEY_VARIABLES.includes(key)) ?? [];
    if (names.length > 0)
      notes.push(
        `${place} still sets ${names.join(' and ')} in env: not changed; with the role, configure-aws-credentials exports credentials for later steps`,
      );
  }
}

function applyEdits(text: Text, edits: readonly LineEdit[]): string {
  const lines = [...text.lines];
  for (const edit of [...edits].reverse()) lines.splice(edit.start, edit.end - edit.start, ...edit.lines);
  return lines.join(text.eol) + (text.endsWithNewline ? text.eol : '');
}
