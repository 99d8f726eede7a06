/**
 * metadata-action's computation (meta.ts of v5/v6, v4 where it differs): the version (main,
 * partials, latest) from the enabled tag entries in priority order, the tags per image, the OCI
 * labels and annotations with the custom ones, the JSON and bake-file contents. Pure apart from
 * the warnings it reports through `warn`.
 */
import { formatMoment } from './moment-format.js';
import { parseFlavor, parseImages, parseTags, type Flavor, type Image, type Tag } from './inputs.js';
import * as pep440 from './pep440.js';
import * as semver from './semver.js';
import { isRawStatement, renderTemplate, type HelperOptions, type TemplateContext } from './template.js';

/** The run's facts the computation reads. */
export interface MetaContext {
  eventName: string;
  sha: string;
  ref: string;
  commitDate: Date;
  payload: Record<string, unknown>;
}

/** The repository's facts (GitHub's repository API object, or the event payload's). */
export interface RepoData {
  name?: string;
  description?: string | null;
  html_url?: string;
  default_branch?: string;
  license?: { spdx_id?: string } | null;
}

export interface MetaInputs {
  images: string[];
  tags: string[];
  flavor: string[];
  labels: string[];
  annotations: string[];
}

export interface Version {
  main: string | undefined;
  partial: string[];
  latest: boolean | undefined;
}

export interface MetaOptions {
  /** `4` for metadata-action v4's behaviour (no `match`, no expressions in labels, 7-character short SHAs). */
  major: number;
  now: Date;
  shortShaLength?: string;
  warn: (message: string) => void;
}

export class Meta {
  readonly version: Version;
  private readonly images: Image[];
  private readonly tags: Tag[];
  readonly flavor: Flavor;

  constructor(
    private readonly inputs: MetaInputs,
    private readonly context: MetaContext,
    private readonly repo: RepoData,
    private readonly options: MetaOptions,
  ) {
    this.images = parseImages(inputs.images);
    this.tags = parseTags(inputs.tags);
    this.flavor = parseFlavor(inputs.flavor);
    this.version = this.computeVersion();
  }

  private latestFor(auto: boolean): boolean {
    return this.flavor.latest === 'auto' ? auto : this.flavor.latest === 'true';
  }

  private computeVersion(): Version {
    let version: Version = { main: undefined, partial: [], latest: undefined };
    for (const tag of this.tags) {
      const enabled = this.globalExp(tag.attrs.enable ?? 'true');
      if (!['true', 'false'].includes(enabled)) throw new Error(`Invalid value for enable attribute: ${enabled}`);
      if (enabled !== 'true') continue;
      switch (tag.type) {
        case 'schedule':
          version = this.schedule(version, tag);
          break;
        case 'semver':
          version = this.semverTag(version, tag);
          break;
        case 'pep440':
          version = this.pep440Tag(version, tag);
          break;
        case 'match':
          version = this.matchTag(version, tag);
          break;
        case 'ref':
          if (tag.attrs.event === 'branch') version = this.refBranch(version, tag);
          else if (tag.attrs.event === 'tag') version = this.refTag(version, tag);
          else version = this.refPr(version, tag);
          break;
        case 'edge':
          version = this.edge(version, tag);
          break;
        case 'raw':
          version = Meta.setVersion(
            version,
            this.setValue(this.globalExp(tag.attrs.value ?? ''), tag),
            this.latestFor(false),
          );
          break;
        case 'sha':
          if (this.context.sha) {
            const value = tag.attrs.format === 'short' ? this.shortSha(this.context.sha) : this.context.sha;
            version = Meta.setVersion(version, this.setValue(value, tag), this.latestFor(false));
          }
          break;
      }
    }
    version.partial = version.partial.filter((item, index) => version.partial.indexOf(item) === index);
    version.latest ??= false;
    return version;
  }

  private dateHelpers(): TemplateContext {
    const formatter = (date: Date) => (format: unknown, options?: HelperOptions) => {
      let tz = 'UTC';
      for (const [key, value] of Object.entries(options?.hash ?? {})) {
        if (key === 'tz') tz = value;
        else throw new Error(`Unknown ${key} attribute`);
      }
      return formatMoment(date, typeof format === 'string' ? format : 'YYYY-MM-DDTHH:mm:ssZ', tz);
    };
    return {
      date: formatter(this.options.now),
      ...(this.options.major >= 5 ? { commit_date: formatter(this.context.commitDate) } : {}),
    };
  }

  private schedule(version: Version, tag: Tag): Version {
    if (!/schedule/.test(this.context.eventName)) return version;
    const value = this.setValue(renderTemplate(tag.attrs.pattern ?? '', this.dateHelpers()), tag);
    return Meta.setVersion(version, value, this.latestFor(false));
  }

  /** The version text of a semver/pep440/match entry: its value or the tag, `match` applied (v5). */
  private versionSource(tag: Tag): string | undefined {
    if (!/^refs\/tags\//.test(this.context.ref) && (tag.attrs.value ?? '').length === 0) return undefined;
    let raw =
      (tag.attrs.value ?? '').length > 0
        ? this.globalExp(tag.attrs.value ?? '')
        : this.context.ref.replace(/^refs\/tags\//g, '');
    if (this.options.major >= 5 && (tag.attrs.match ?? '').length > 0) {
      const found = raw.match(tag.attrs.match ?? '');
      if (!found) this.options.warn(`${tag.attrs.match ?? ''} does not match ${raw}.`);
      else raw = found[1] ?? '';
    }
    return raw.replace(/\//g, '-');
  }

  private semverTag(version: Version, tag: Tag): Version {
    let raw = this.versionSource(tag);
    if (raw === undefined) return version;
    if (!semver.valid(raw)) {
      this.options.warn(`${raw} is not a valid semver. More info: https://semver.org/`);
      return version;
    }
    const parsed = semver.parse(raw, true);
    let latest = false;
    const context = { ...parsed } as TemplateContext;
    if (semver.prerelease(raw)) {
      raw = this.setValue(
        renderTemplate(isRawStatement(tag.attrs.pattern ?? '') ? (tag.attrs.pattern ?? '') : '{{version}}', context),
        tag,
      );
    } else {
      raw = this.setValue(renderTemplate(tag.attrs.pattern ?? '', context), tag);
      latest = true;
    }
    return Meta.setVersion(version, raw, this.latestFor(latest));
  }

  private pep440Tag(version: Version, tag: Tag): Version {
    let raw = this.versionSource(tag);
    if (raw === undefined) return version;
    const explained = pep440.explain(raw);
    if (!explained) {
      this.options.warn(`${raw} does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440`);
      return version;
    }
    let latest = false;
    if (explained.is_prerelease || explained.is_postrelease || explained.is_devrelease) {
      raw = this.setValue(isRawStatement(tag.attrs.pattern ?? '') ? raw : pep440.clean(raw), tag);
    } else {
      const source = raw;
      raw = this.setValue(
        renderTemplate(tag.attrs.pattern ?? '', {
          raw: () => source,
          version: () => pep440.clean(source),
          major: () => pep440.major(source),
          minor: () => pep440.minor(source),
          patch: () => pep440.patch(source),
        }),
        tag,
      );
      latest = true;
    }
    return Meta.setVersion(version, raw, this.latestFor(latest));
  }

  private matchTag(version: Version, tag: Tag): Version {
    if (!/^refs\/tags\//.test(this.context.ref) && (tag.attrs.value ?? '').length === 0) return version;
    const raw =
      (tag.attrs.value ?? '').length > 0
        ? this.globalExp(tag.attrs.value ?? '')
        : this.context.ref.replace(/^refs\/tags\//g, '');
    const pattern = tag.attrs.pattern ?? '';
    const asRegex = /^\/(.+)\/(.*)$/.exec(pattern);
    const found = asRegex ? raw.match(new RegExp(asRegex[1] ?? '', asRegex[2])) : raw.match(pattern);
    if (!found) {
      this.options.warn(`${pattern} does not match ${raw}.`);
      return version;
    }
    const group = found[Number(tag.attrs.group ?? '0')];
    if (group === undefined) {
      this.options.warn(`Group ${tag.attrs.group ?? ''} does not exist for ${pattern} pattern.`);
      return version;
    }
    return Meta.setVersion(version, this.setValue(group, tag), this.latestFor(true));
  }

  private refBranch(version: Version, tag: Tag): Version {
    if (!/^refs\/heads\//.test(this.context.ref)) return version;
    return Meta.setVersion(
      version,
      this.setValue(this.context.ref.replace(/^refs\/heads\//g, ''), tag),
      this.latestFor(false),
    );
  }

  private refTag(version: Version, tag: Tag): Version {
    if (!/^refs\/tags\//.test(this.context.ref)) return version;
    return Meta.setVersion(
      version,
      this.setValue(this.context.ref.replace(/^refs\/tags\//g, ''), tag),
      this.latestFor(true),
    );
  }

  private refPr(version: Version, tag: Tag): Version {
    if (!/^refs\/pull\//.test(this.context.ref)) return version;
    return Meta.setVersion(
      version,
      this.setValue(this.context.ref.replace(/^refs\/pull\//g, '').replace(/\/merge$/g, ''), tag),
      this.latestFor(false),
    );
  }

  private edge(version: Version, tag: Tag): Version {
    if (!/^refs\/heads\//.test(this.context.ref)) return version;
    const branch = this.context.ref.replace(/^refs\/heads\//g, '');
    if ((tag.attrs.branch ?? '').length === 0) tag.attrs.branch = this.repo.default_branch ?? '';
    if (tag.attrs.branch !== branch) return version;
    return Meta.setVersion(version, this.setValue('edge', tag), this.latestFor(false));
  }

  private static setVersion(version: Version, value: string, latest: boolean): Version {
    if (value.length === 0) return version;
    const clean = Meta.sanitizeTag(value);
    if (version.main === undefined) version.main = clean;
    else if (clean !== version.main) version.partial.push(clean);
    version.latest ??= latest;
    return version;
  }

  private setValue(value: string, tag: Tag): string {
    let out = value;
    if (Object.prototype.hasOwnProperty.call(tag.attrs, 'prefix'))
      out = `${this.globalExp(tag.attrs.prefix ?? '')}${out}`;
    else if (this.flavor.prefix.length > 0) out = `${this.globalExp(this.flavor.prefix)}${out}`;
    if (Object.prototype.hasOwnProperty.call(tag.attrs, 'suffix'))
      out = `${out}${this.globalExp(tag.attrs.suffix ?? '')}`;
    else if (this.flavor.suffix.length > 0) out = `${out}${this.globalExp(this.flavor.suffix)}`;
    return out;
  }

  /** The global expressions: branch, tag, sha, base_ref, is_default_branch, date, … */
  globalExp(value: string): string {
    const { ref, sha, payload, eventName } = this.context;
    const pull = payload.pull_request as { base?: { ref?: string } } | undefined;
    const repository = payload.repository as { default_branch?: string } | undefined;
    const isDefault = (): string => {
      const branch = ref.replace(/^refs\/heads\//g, '');
      if (!branch) return 'false';
      if (repository?.default_branch === branch) return 'true';
      return /create|discussion|issues|schedule/.test(eventName) ? 'true' : 'false';
    };
    return renderTemplate(value, {
      branch: () => (/^refs\/heads\//.test(ref) ? ref.replace(/^refs\/heads\//g, '') : ''),
      tag: () => (/^refs\/tags\//.test(ref) ? ref.replace(/^refs\/tags\//g, '') : ''),
      sha: () => this.shortSha(sha),
      base_ref: () => {
        if (/^refs\/tags\//.test(ref) && typeof payload.base_ref === 'string')
          return payload.base_ref.replace(/^refs\/heads\//g, '');
        if (/^refs\/pull\//.test(ref) && pull?.base?.ref !== undefined) return pull.base.ref;
        return '';
      },
      is_default_branch: isDefault,
      ...(this.options.major >= 5 ? { is_not_default_branch: () => (isDefault() === 'false' ? 'true' : 'false') } : {}),
      ...this.dateHelpers(),
    });
  }

  private shortSha(sha: string): string {
    let length = 7;
    const configured = this.options.major >= 5 ? this.options.shortShaLength : undefined;
    if (configured) {
      if (Number.isNaN(Number(configured)))
        throw new Error(`DOCKER_METADATA_SHORT_SHA_LENGTH is not a valid number: ${configured}`);
      length = Number(configured);
    }
    return length >= sha.length ? sha : sha.substring(0, length);
  }

  static sanitizeTag(tag: string): string {
    return tag.replace(/[^a-zA-Z0-9._-]+/g, '-');
  }

  /** Enabled image names, lower-cased. */
  imageNames(): string[] {
    return this.images.filter((i) => i.enable).map((i) => i.name.toLowerCase());
  }

  /** The tags output: `image:version` for each image (or bare versions without images). */
  getTags(namesOnly = false): string[] {
    if (!this.version.main) return [];
    if (namesOnly) return this.generateTags(this.version.main);
    const images = this.imageNames();
    if (images.length === 0) return this.generateTags(this.version.main);
    return images.flatMap((image) => this.generateTags(this.version.main ?? '', image));
  }

  private generateTags(version: string, image?: string): string[] {
    const prefix = image ? `${image}:` : '';
    const tags = [`${prefix}${version}`, ...this.version.partial.map((p) => `${prefix}${p}`)];
    if (this.version.latest) {
      const latest = `${this.flavor.prefixLatest ? this.flavor.prefix : ''}latest${this.flavor.suffixLatest ? this.flavor.suffix : ''}`;
      tags.push(`${prefix}${Meta.sanitizeTag(latest)}`);
    }
    return tags;
  }

  getLabels(): string[] {
    return this.withOciAnnotations(this.inputs.labels);
  }

  getAnnotations(): string[] {
    return this.withOciAnnotations(this.inputs.annotations);
  }

  private withOciAnnotations(extra: string[]): string[] {
    const all = [
      `org.opencontainers.image.title=${this.repo.name || ''}`,
      `org.opencontainers.image.description=${this.repo.description || ''}`,
      `org.opencontainers.image.url=${this.repo.html_url || ''}`,
      `org.opencontainers.image.source=${this.repo.html_url || ''}`,
      `org.opencontainers.image.version=${this.version.main || ''}`,
      `org.opencontainers.image.created=${this.options.now.toISOString()}`,
      `org.opencontainers.image.revision=${this.context.sha || ''}`,
      `org.opencontainers.image.licenses=${this.repo.license?.spdx_id || ''}`,
      ...extra.map((label) => (this.options.major >= 5 ? this.globalExp(label) : label)),
    ];
    const byKey = new Map<string, string>();
    for (const label of all) {
      const [key = '', ...values] = label.split('=');
      if (values.length > 0) byKey.set(key, values.join('='));
    }
    return [...byKey].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k}=${v}`);
  }

  /** Labels as an object (`key=value` lines). */
  labelObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const label of this.getLabels()) {
      const m = /([^=]*)=(.*)/.exec(label);
      if (m) out[m[1] ?? ''] = m[2] ?? '';
    }
    return out;
  }

  /** The `json` output. */
  getJson(levels: string[]): unknown {
    if (this.options.major < 5) return { tags: this.getTags(), labels: this.labelObject() };
    return {
      tags: this.getTags(),
      'tag-names': this.getTags(true),
      labels: this.labelObject(),
      annotations: levels.flatMap((level) => this.getAnnotations().map((a) => `${level}:${a}`)),
    };
  }

  /** A bake file's content for `kind` (tags, labels, annotations:LEVELS) or the combined one. */
  bakeDefinition(kind: 'tags' | 'labels' | 'all' | `annotations:${string}`): Record<string, unknown> {
    const args = { DOCKER_META_IMAGES: this.imageNames().join(','), DOCKER_META_VERSION: this.version.main };
    if (kind === 'tags') return { tags: this.getTags(), args };
    if (kind === 'labels') return { labels: this.labelObject() };
    if (kind === 'all') return { tags: this.getTags(), labels: this.labelObject(), args };
    const levels = kind.split(':')[1]?.split(',') ?? [];
    return { annotations: levels.flatMap((level) => this.getAnnotations().map((a) => `${level}:${a}`)) };
  }
}
