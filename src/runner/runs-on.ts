/**
 * Which runner takes a job: its evaluated `runs-on` matched against the runners dockyard has,
 * as GitHub matches labels. Pure.
 *
 * dockyard's runners: one per image that labels are mapped to (the default runner image serves
 * ubuntu-latest, ubuntu-24.04 and ubuntu-22.04; `--runner-image LABEL=IMAGE` and
 * `dockyard runner-image map` add or change mappings, as nektos/act's `-P` does), whose labels
 * are the labels mapped to that image; and this host, whose labels are those of a self-hosted
 * runner (`self-hosted`, `Linux`, the architecture such as `X64`).
 *
 * Reproduced from GitHub: `runs-on` is a label, a list of labels or `{group, labels}`; a runner
 * takes the job only when it has every label listed; labels match case-insensitively.
 * By design: where GitHub leaves the job "Waiting for a runner to pick up this job..." forever,
 * dockyard answers at once with GitHub's "No runner matching the specified labels was found:
 * …" and says which labels it serves and how to map another. The only runner group is
 * `Default`. ubuntu-20.04 (retired by GitHub in April 2025) is not mapped unless mapped by hand.
 */
import type { Json } from '../workflow/contract.js';

/** The labels of GitHub's hosted Linux images that the default runner image stands in for. */
export const DEFAULT_RUNNER_LABELS = ['ubuntu-latest', 'ubuntu-24.04', 'ubuntu-22.04'] as const;

/** The label that means "this host". */
export const SELF_HOSTED_LABEL = 'self-hosted';

/** Bounds on what a workflow can ask for. */
const MAX_LABELS = 100;
const MAX_LABEL_LENGTH = 256;

/** Where a job runs. */
export type RunsOnResolution =
  | { kind: 'container'; image: string; labels: string[] }
  | { kind: 'host'; labels: string[] }
  | { kind: 'unknown'; message: string };

/** The labels of this host as a self-hosted runner: `self-hosted`, the OS and the architecture, as GitHub's runner spells them. */
export function hostRunnerLabels(arch: string = process.arch): string[] {
  const architecture =
    ({ x64: 'X64', arm64: 'ARM64', arm: 'ARM' } as Record<string, string>)[arch] ?? arch.toUpperCase();
  return [SELF_HOSTED_LABEL, 'Linux', architecture];
}

type Requested = { labels: string[]; group?: string };

/** Reads the evaluated `runs-on` value; a string when it has no form GitHub accepts. */
function requested(runsOn: Json | undefined): Requested | string {
  const listOf = (value: Json | undefined, what: string): string[] | string => {
    const items = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    if (items.length > MAX_LABELS) return `${what} lists ${items.length} labels; at most ${MAX_LABELS} are accepted.`;
    const labels: string[] = [];
    for (const item of items) {
      if (typeof item !== 'string' || item.trim() === '')
        return `${what} must be a label or a list of labels (non-empty strings), not ${JSON.stringify(item)?.slice(0, 80)}.`;
      if (item.length > MAX_LABEL_LENGTH)
        return `A runner label is at most ${MAX_LABEL_LENGTH} characters; ${what} has one of ${item.length}.`;
      labels.push(item.trim());
    }
    return labels;
  };
  if (runsOn !== null && typeof runsOn === 'object' && !Array.isArray(runsOn)) {
    const unknownKey = Object.keys(runsOn).find((key) => key !== 'group' && key !== 'labels');
    if (unknownKey !== undefined)
      return `runs-on takes the keys group and labels, not ${JSON.stringify(unknownKey.slice(0, 80))}.`;
    const { group } = runsOn;
    if (group !== undefined && (typeof group !== 'string' || group.trim() === ''))
      return 'runs-on.group must be the name of a runner group.';
    const labels = listOf(runsOn.labels, 'runs-on.labels');
    if (typeof labels === 'string') return labels;
    return group === undefined ? { labels } : { labels, group: group.trim() };
  }
  const labels = listOf(runsOn, 'runs-on');
  return typeof labels === 'string' ? labels : { labels };
}

/** Labels in their first spelling, without repeats (GitHub compares them case-insensitively). */
function distinct(labels: string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((label) => {
    const key = label.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Matches a job's evaluated `runs-on` against the label→image `mappings` (defaults included,
 * see ./runner-images.ts) and this host's self-hosted labels.
 */
export function resolveRunsOn(
  runsOn: Json | undefined,
  mappings: Readonly<Record<string, string>>,
  hostLabels: readonly string[] = hostRunnerLabels(),
): RunsOnResolution {
  const asked = requested(runsOn);
  if (typeof asked === 'string') return { kind: 'unknown', message: asked };
  const labels = distinct(asked.labels);
  if (asked.group !== undefined && asked.group.toLowerCase() !== 'default') {
    return {
      kind: 'unknown',
      message: `No runner group named "${asked.group}" was found: dockyard's runners are all in the Default group. ${served(mappings, hostLabels)}`,
    };
  }
  const byImage = runnersOf(mappings);
  if (labels.length === 0) {
    if (asked.group === undefined)
      return { kind: 'unknown', message: `runs-on names no runner label. ${served(mappings, hostLabels)}` };
    // Any runner of the group: the one ubuntu-latest names, as the hosted default.
    const image = imageFor(mappings, 'ubuntu-latest');
    return image
      ? { kind: 'container', image, labels: [] }
      : {
          kind: 'unknown',
          message: `The Default runner group has no runner for ubuntu-latest. ${served(mappings, hostLabels)}`,
        };
  }
  const wanted = labels.map((l) => l.toLowerCase());
  if (wanted.includes(SELF_HOSTED_LABEL)) {
    const host = new Set(hostLabels.map((l) => l.toLowerCase()));
    if (wanted.every((l) => host.has(l))) return { kind: 'host', labels };
    return {
      kind: 'unknown',
      message: `${noMatch(labels)} This host's self-hosted runner has the labels ${hostLabels.join(', ')}. ${served(mappings, hostLabels)}`,
    };
  }
  const matching = [...byImage].filter(([, runnerLabels]) => wanted.every((l) => runnerLabels.has(l)));
  const first = matching[0];
  if (first) return { kind: 'container', image: first[0], labels };
  return { kind: 'unknown', message: `${noMatch(labels)} ${hints(wanted, mappings)}${served(mappings, hostLabels)}` };
}

/** GitHub's words for a job no runner can take. */
function noMatch(labels: string[]): string {
  return `No runner matching the specified labels was found: ${labels.join(', ')}.`;
}

/** Each image with the labels mapped to it (lower-case → as spelt): one runner per image. */
function runnersOf(mappings: Readonly<Record<string, string>>): Map<string, Map<string, string>> {
  const runners = new Map<string, Map<string, string>>();
  for (const [label, image] of Object.entries(mappings)) {
    const labels = runners.get(image) ?? new Map<string, string>();
    labels.set(label.toLowerCase(), label);
    runners.set(image, labels);
  }
  return runners;
}

function imageFor(mappings: Readonly<Record<string, string>>, label: string): string | undefined {
  const key = Object.keys(mappings).find((l) => l.toLowerCase() === label);
  return key === undefined ? undefined : mappings[key];
}

/** Why a well-known label is not served. */
function hints(wanted: string[], mappings: Readonly<Record<string, string>>): string {
  const out: string[] = [];
  if (wanted.includes('ubuntu-20.04') && imageFor(mappings, 'ubuntu-20.04') === undefined) {
    out.push(
      'GitHub retired the ubuntu-20.04 image in April 2025; map the label to an image if this workflow still needs it.',
    );
  }
  if (wanted.some((l) => /^(windows|macos)-/.test(l)))
    out.push('dockyard runs jobs in Linux containers or on this Linux host: it has no Windows or macOS runner.');
  if (wanted.length > 1 && wanted.every((l) => imageFor(mappings, l) !== undefined))
    out.push('Each of these labels is served, but by different runners, and one runner must have them all.');
  return out.map((s) => `${s} `).join('');
}

/** What dockyard serves, and how to serve another label. */
function served(mappings: Readonly<Record<string, string>>, hostLabels: readonly string[]): string {
  const runners = [...runnersOf(mappings)].map(
    ([image, labels]) => `${[...labels.values()].join(', ')} (image ${image})`,
  );
  runners.push(`${SELF_HOSTED_LABEL} (this host: ${hostLabels.join(', ')})`);
  return `dockyard serves ${runners.join('; ')}. Map another label with \`dockyard runner-image map LABEL=IMAGE\` or \`dockyard up --runner-image LABEL=IMAGE\`.`;
}
