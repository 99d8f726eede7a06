/**
 * metadata-action's list inputs parsed as it parses them: `tags` entries (`type=…,attr=…`, raw
 * values otherwise), `flavor` (latest, prefix, suffix, onlatest) and `images` (old comma list or
 * `name=…,enable=…` entries), with its defaults, priorities and error messages.
 */
import { parseCsv } from '../csv.js';

/** The tag types, highest default priority first. */
export const TAG_TYPES = ['schedule', 'semver', 'pep440', 'match', 'edge', 'ref', 'raw', 'sha'] as const;
export type TagType = (typeof TAG_TYPES)[number];

/** Default priorities by type. */
export const DEFAULT_PRIORITIES: Record<TagType, string> = {
  schedule: '1000',
  semver: '900',
  pep440: '900',
  match: '800',
  edge: '700',
  ref: '600',
  raw: '200',
  sha: '100',
};

/** One parsed `tags` entry. */
export interface Tag {
  type: TagType;
  attrs: Record<string, string>;
}

/** `type=…,attr=…` as the action logs it. */
export function tagToString(tag: Tag): string {
  return [`type=${tag.type}`, ...Object.entries(tag.attrs).map(([k, v]) => `${k}=${v}`)].join(',');
}

function fieldsOf(entry: string): string[] {
  return parseCsv(entry)[0] ?? [];
}

const has = (attrs: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(attrs, key);

/** Parses one `tags` entry (tag.ts Parse). */
export function parseTag(entry: string): Tag {
  const attrs: Record<string, string> = {};
  let type: TagType | undefined;
  for (const field of fieldsOf(entry)) {
    const eq = field.indexOf('=');
    // Split on the first `=` only when the key has no `=` (tag.ts splits at /(?<=^[^=]+?)=/).
    if (eq <= 0) {
      attrs.value = field.trim();
      continue;
    }
    const key = field.slice(0, eq).trim().toLowerCase();
    const value = field.slice(eq + 1).trim();
    if (key === 'type') {
      if (!(TAG_TYPES as readonly string[]).includes(value)) throw new Error(`Unknown tag type attribute: ${value}`);
      type = value as TagType;
    } else attrs[key] = value;
  }
  const t: TagType = type ?? 'raw';
  switch (t) {
    case 'schedule':
      if (!has(attrs, 'pattern')) attrs.pattern = 'nightly';
      break;
    case 'semver':
    case 'pep440':
      if (!has(attrs, 'pattern')) throw new Error(`Missing pattern attribute for ${entry}`);
      if (!has(attrs, 'value')) attrs.value = '';
      if (!has(attrs, 'match')) attrs.match = '';
      break;
    case 'match':
      if (!has(attrs, 'pattern')) throw new Error(`Missing pattern attribute for ${entry}`);
      if (!has(attrs, 'group')) attrs.group = '0';
      if (Number.isNaN(+(attrs.group ?? ''))) throw new Error(`Invalid match group for ${entry}`);
      if (!has(attrs, 'value')) attrs.value = '';
      break;
    case 'edge':
      if (!has(attrs, 'branch')) attrs.branch = '';
      break;
    case 'ref':
      if (!has(attrs, 'event')) throw new Error(`Missing event attribute for ${entry}`);
      if (!['branch', 'tag', 'pr'].includes(attrs.event ?? '')) throw new Error(`Invalid event for ${entry}`);
      if (attrs.event === 'pr' && !has(attrs, 'prefix')) attrs.prefix = 'pr-';
      break;
    case 'raw':
      if (!has(attrs, 'value')) throw new Error(`Missing value attribute for ${entry}`);
      break;
    case 'sha':
      if (!has(attrs, 'prefix')) attrs.prefix = 'sha-';
      if (!has(attrs, 'format')) attrs.format = 'short';
      if (!['short', 'long'].includes(attrs.format ?? '')) throw new Error(`Invalid format for ${entry}`);
      break;
  }
  if (!has(attrs, 'enable')) attrs.enable = 'true';
  if (!has(attrs, 'priority')) attrs.priority = DEFAULT_PRIORITIES[t];
  return { type: t, attrs };
}

/** The `tags` input: defaults when empty, sorted by priority (stable, highest first). */
export function parseTags(entries: string[]): Tag[] {
  const list =
    entries.length > 0
      ? entries
      : ['type=schedule', 'type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr'];
  return list.map(parseTag).sort((a, b) => Number(b.attrs.priority) - Number(a.attrs.priority) || 0);
}

/** The `flavor` input. */
export interface Flavor {
  latest: string;
  prefix: string;
  prefixLatest: boolean;
  suffix: string;
  suffixLatest: boolean;
}

export function parseFlavor(entries: string[]): Flavor {
  const flavor: Flavor = { latest: 'auto', prefix: '', prefixLatest: false, suffix: '', suffixLatest: false };
  for (const entry of entries) {
    let onlatestFor = '';
    for (const field of fieldsOf(entry)) {
      const parts = field.split('=').map((p) => p.trim());
      if (parts.length === 1) throw new Error(`Invalid flavor entry: ${entry}`);
      const key = (parts[0] ?? '').toLowerCase();
      const value = parts[1] ?? '';
      switch (key) {
        case 'latest':
          flavor.latest = value;
          if (!['auto', 'true', 'false'].includes(value)) throw new Error(`Invalid latest flavor entry: ${entry}`);
          break;
        case 'prefix':
          flavor.prefix = value;
          onlatestFor = 'prefix';
          break;
        case 'suffix':
          flavor.suffix = value;
          onlatestFor = 'suffix';
          break;
        case 'onlatest':
          if (!['true', 'false'].includes(value)) throw new Error(`Invalid value for onlatest attribute: ${value}`);
          if (onlatestFor === 'prefix') flavor.prefixLatest = value === 'true';
          if (onlatestFor === 'suffix') flavor.suffixLatest = value === 'true';
          break;
        default:
          throw new Error(`Unknown flavor entry: ${entry}`);
      }
    }
  }
  return flavor;
}

/** One `images` entry. */
export interface Image {
  name: string;
  enable: boolean;
}

export function parseImages(entries: string[]): Image[] {
  if (entries.length === 1) {
    const fields = fieldsOf(entries[0] ?? '');
    if (fields.every((f) => f.split('=').length === 1)) return fields.map((f) => ({ name: f.trim(), enable: true }));
  }
  return entries.map((entry) => {
    const image: Image = { name: '', enable: true };
    for (const field of fieldsOf(entry)) {
      const parts = field.split('=').map((p) => p.trim());
      if (parts.length === 1) {
        image.name = parts[0] ?? '';
        continue;
      }
      const key = (parts[0] ?? '').toLowerCase();
      if (key === 'name') image.name = parts[1] ?? '';
      else if (key === 'enable') {
        if (!['true', 'false'].includes(parts[1] ?? '')) throw new Error(`Invalid enable attribute value: ${entry}`);
        image.enable = parts[1] === 'true';
      } else throw new Error(`Unknown image attribute: ${entry}`);
    }
    if (image.name.length === 0) throw new Error(`Image name attribute empty: ${entry}`);
    return image;
  });
}
