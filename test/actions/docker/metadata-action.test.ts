/**
 * metadata-action's computation against the tables of its README (metadata-readme-cases.ts)
 * and the documented behaviour of flavor, priorities, sha, edge, schedule dates, images,
 * labels, annotations and the JSON output; plus its error messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Meta, type MetaContext } from '../../../src/actions/docker/metadata-action/meta.js';
import { formatMoment } from '../../../src/actions/docker/metadata-action/moment-format.js';
import * as pep440 from '../../../src/actions/docker/metadata-action/pep440.js';
import * as semver from '../../../src/actions/docker/metadata-action/semver.js';
import { isRawStatement, renderTemplate } from '../../../src/actions/docker/metadata-action/template.js';
import { getList, parseCsv } from '../../../src/actions/docker/csv.js';
import { README_CASES } from './metadata-readme-cases.js';

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37';
const NOW = new Date('2020-01-10T00:30:00Z');
const repo = {
  name: 'app',
  description: 'An app',
  html_url: 'https://github.com/octo/app',
  default_branch: 'master',
  license: { spdx_id: 'MIT' },
};

function meta(
  options: {
    tags?: string[];
    images?: string[];
    flavor?: string[];
    labels?: string[];
    annotations?: string[];
    eventName?: string;
    ref?: string;
    major?: number;
    payload?: Record<string, unknown>;
    shortShaLength?: string;
  },
  warnings: string[] = [],
): Meta {
  const context: MetaContext = {
    eventName: options.eventName ?? 'push',
    sha: SHA,
    ref: options.ref ?? 'refs/heads/master',
    commitDate: new Date('2020-01-09T12:00:00Z'),
    payload: options.payload ?? { repository: { default_branch: 'master' } },
  };
  return new Meta(
    {
      images: options.images ?? [],
      tags: options.tags ?? [],
      flavor: options.flavor ?? [],
      labels: options.labels ?? [],
      annotations: options.annotations ?? [],
    },
    context,
    repo,
    {
      major: options.major ?? 5,
      now: NOW,
      ...(options.shortShaLength ? { shortShaLength: options.shortShaLength } : {}),
      warn: (m) => warnings.push(m),
    },
  );
}

describe('metadata-action: the README tables', () => {
  for (const c of README_CASES) {
    it(c.name, () => {
      const m = meta({
        tags: c.tags,
        ...(c.images ? { images: c.images } : {}),
        ...(c.flavor ? { flavor: c.flavor } : {}),
        eventName: c.eventName,
        ref: c.ref,
      });
      assert.deepEqual(m.getTags(), c.expected);
    });
  }
});

describe('metadata-action: tags', () => {
  it('type=sha: short by default with the sha- prefix, long on request, DOCKER_METADATA_SHORT_SHA_LENGTH', () => {
    assert.deepEqual(meta({ tags: ['type=sha'], images: ['name/app'] }).getTags(), ['name/app:sha-860c190']);
    assert.deepEqual(meta({ tags: ['type=sha,format=long'] }).getTags(), [`sha-${SHA}`]);
    assert.deepEqual(meta({ tags: ['type=sha'], shortShaLength: '12' }).getTags(), ['sha-860c1904a1ce']);
    assert.throws(
      () => meta({ tags: ['type=sha'], shortShaLength: 'x' }),
      /DOCKER_METADATA_SHORT_SHA_LENGTH is not a valid number: x/,
    );
  });

  it('orders by priority: the highest becomes the version, the rest partial tags', () => {
    const m = meta({
      tags: ['type=sha', 'type=ref,event=branch', 'type=raw,value=custom,priority=2000'],
      images: ['name/app'],
    });
    assert.equal(m.version.main, 'custom');
    assert.deepEqual(m.getTags(), ['name/app:custom', 'name/app:master', 'name/app:sha-860c190']);
    assert.deepEqual(m.getTags(true), ['custom', 'master', 'sha-860c190']);
  });

  it('type=edge follows the default branch (or the one named)', () => {
    assert.deepEqual(meta({ tags: ['type=edge'] }).getTags(), ['edge']);
    assert.deepEqual(meta({ tags: ['type=edge'], ref: 'refs/heads/dev' }).getTags(), []);
    assert.deepEqual(meta({ tags: ['type=edge,branch=dev'], ref: 'refs/heads/dev' }).getTags(), ['edge']);
  });

  it('type=schedule: nightly by default, date patterns with a time zone, only on schedule events', () => {
    assert.deepEqual(meta({ tags: ['type=schedule'], eventName: 'schedule' }).getTags(), ['nightly']);
    assert.deepEqual(meta({ tags: ["type=schedule,pattern={{date 'YYYYMMDD'}}"], eventName: 'schedule' }).getTags(), [
      '20200110',
    ]);
    assert.deepEqual(
      meta({
        tags: ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}"],
        eventName: 'schedule',
      }).getTags(),
      ['20200110-093000'],
    );
    assert.deepEqual(meta({ tags: ['type=schedule'], eventName: 'push' }).getTags(), []);
  });

  it('raw values with expressions, enable conditions and commit_date', () => {
    const m = meta({
      tags: [
        'type=raw,value={{branch}}-{{sha}}',
        'type=raw,value=latest,enable={{is_default_branch}}',
        "type=raw,value={{commit_date 'YYYY-MM-DD'}}",
      ],
    });
    assert.deepEqual(m.getTags(), ['master-860c190', 'latest', '2020-01-09']);
    assert.deepEqual(
      meta({ tags: ['type=raw,value=latest,enable={{is_default_branch}}'], ref: 'refs/heads/dev' }).getTags(),
      [],
    );
    assert.deepEqual(
      meta({ tags: ['type=raw,value=x,enable={{is_not_default_branch}}'], ref: 'refs/heads/dev' }).getTags(),
      ['x'],
    );
  });

  it('bare values are raw tags; tag text is sanitized', () => {
    assert.deepEqual(meta({ tags: ['foo', 'bar'] }).getTags(), ['foo', 'bar']);
    assert.deepEqual(meta({ tags: ['type=raw,value=feat/x y'] }).getTags(), ['feat-x-y']);
  });

  it('flavor: latest, prefix and suffix (and onlatest)', () => {
    assert.deepEqual(
      meta({ tags: ['type=ref,event=tag'], ref: 'refs/tags/v1.0.0', flavor: ['latest=false'] }).getTags(),
      ['v1.0.0'],
    );
    assert.deepEqual(meta({ tags: ['type=ref,event=branch'], flavor: ['latest=true'] }).getTags(), [
      'master',
      'latest',
    ]);
    assert.deepEqual(
      meta({
        tags: ['type=ref,event=tag'],
        ref: 'refs/tags/v1.0.0',
        flavor: ['prefix=app-,onlatest=true', 'suffix=-alpine'],
      }).getTags(),
      ['app-v1.0.0-alpine', 'app-latest'],
    );
    assert.deepEqual(
      meta({ tags: ['type=ref,event=tag,prefix=x-'], ref: 'refs/tags/v1.0.0', flavor: ['prefix=app-'] }).getTags(),
      ['x-v1.0.0', 'latest'],
    );
  });

  it('images: the old comma list, name=/enable=, lower-cased names', () => {
    assert.deepEqual(meta({ tags: ['type=raw,value=1'], images: ['Name/App,ghcr.io/octo/app'] }).getTags(), [
      'name/app:1',
      'ghcr.io/octo/app:1',
    ]);
    assert.deepEqual(meta({ tags: ['type=raw,value=1'], images: ['name=a/b', 'name=c/d,enable=false'] }).getTags(), [
      'a/b:1',
    ]);
  });

  it("a semver that is not one is skipped with the action's warning", () => {
    const warnings: string[] = [];
    assert.deepEqual(
      meta({ tags: ['type=semver,pattern={{version}}'], ref: 'refs/tags/release-1' }, warnings).getTags(),
      [],
    );
    assert.deepEqual(warnings, ['release-1 is not a valid semver. More info: https://semver.org/']);
  });

  it('v4 differs: no match attribute, labels without expressions, JSON without annotations', () => {
    const m = meta({
      tags: ['type=semver,pattern={{version}},match=v(\\d.\\d.\\d)$'],
      ref: 'refs/tags/p1/v1.2.3',
      labels: ['x={{branch}}'],
      major: 4,
    });
    assert.deepEqual(m.getTags(), []);
    assert.ok(m.getLabels().includes('x={{branch}}'));
    assert.deepEqual(Object.keys(m.getJson(['manifest']) as object), ['tags', 'labels']);
  });
});

describe('metadata-action: labels, annotations, JSON, bake', () => {
  it('the OCI labels from the repository and run, custom ones merged, sorted by key', () => {
    const m = meta({
      tags: ['type=ref,event=tag'],
      ref: 'refs/tags/v1.2.3',
      labels: ['org.opencontainers.image.title=Custom', 'maintainer={{branch}}x'],
    });
    assert.deepEqual(m.getLabels(), [
      'maintainer=x',
      'org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
      'org.opencontainers.image.description=An app',
      'org.opencontainers.image.licenses=MIT',
      `org.opencontainers.image.revision=${SHA}`,
      'org.opencontainers.image.source=https://github.com/octo/app',
      'org.opencontainers.image.title=Custom',
      'org.opencontainers.image.url=https://github.com/octo/app',
      'org.opencontainers.image.version=v1.2.3',
    ]);
  });

  it('JSON output: tags, tag-names, labels object and annotations per level', () => {
    const m = meta({ tags: ['type=raw,value=1'], images: ['name/app'], annotations: ['a=b'] });
    const json = m.getJson(['manifest', 'index']) as {
      tags: string[];
      'tag-names': string[];
      labels: Record<string, string>;
      annotations: string[];
    };
    assert.deepEqual(json.tags, ['name/app:1']);
    assert.deepEqual(json['tag-names'], ['1']);
    assert.equal(json.labels['org.opencontainers.image.version'], '1');
    assert.ok(json.annotations.includes('manifest:a=b') && json.annotations.includes('index:a=b'));
    assert.deepEqual(m.bakeDefinition('tags'), {
      tags: ['name/app:1'],
      args: { DOCKER_META_IMAGES: 'name/app', DOCKER_META_VERSION: '1' },
    });
  });
});

describe('metadata-action: parsing and its errors', () => {
  it('refuses what the action refuses, with its messages', () => {
    assert.throws(() => meta({ tags: ['type=unknown'] }), /^Error: Unknown tag type attribute: unknown$/);
    assert.throws(() => meta({ tags: ['type=semver'] }), /^Error: Missing pattern attribute for type=semver$/);
    assert.throws(() => meta({ tags: ['type=ref'] }), /^Error: Missing event attribute for type=ref$/);
    assert.throws(() => meta({ tags: ['type=ref,event=push'] }), /^Error: Invalid event for type=ref,event=push$/);
    assert.throws(() => meta({ tags: ['type=match,pattern=x,group=a'] }), /^Error: Invalid match group/);
    assert.throws(() => meta({ tags: ['type=sha,format=medium'] }), /^Error: Invalid format for/);
    assert.throws(() => meta({ flavor: ['latest=maybe'] }), /^Error: Invalid latest flavor entry: latest=maybe$/);
    assert.throws(() => meta({ flavor: ['colour=red'] }), /^Error: Unknown flavor entry: colour=red$/);
    assert.throws(
      () => meta({ images: ['name=a,size=2', 'name=b'] }),
      /^Error: Unknown image attribute: name=a,size=2$/,
    );
    assert.throws(
      () => meta({ tags: ['type=raw,value=x,enable=maybe'] }),
      /^Error: Invalid value for enable attribute: maybe$/,
    );
  });

  it('list inputs: lines, commas unless ignored, # comments, quoted fields', () => {
    assert.deepEqual(getList('a,b\nc'), ['a', 'b', 'c']);
    assert.deepEqual(getList('type=raw,value=a\n# comment\ntype=sha', { ignoreComma: true, comment: '#' }), [
      'type=raw,value=a',
      'type=sha',
    ]);
    assert.deepEqual(parseCsv('"a,b",c'), [['a,b', 'c']]);
    assert.deepEqual(getList('"KEY=a,b"\nX=1', { ignoreComma: true }), ['KEY=a,b', 'X=1']);
  });

  it('templates, semver, pep440 and moment formats as the libraries answer', () => {
    assert.equal(renderTemplate('{{a}}-{{b}}', { a: 'x', b: () => 'y' }), 'x-y');
    assert.equal(renderTemplate('{{missing}}', {}), '');
    assert.equal(renderTemplate('{{v}}', { v: "a&b'" }), 'a&amp;b&#x27;');
    assert.throws(() => renderTemplate('{{#if x}}y{{/if}}', {}), /Unsupported Handlebars expression/);
    assert.ok(isRawStatement('{{raw}}') && !isRawStatement('v{{raw}}'));
    assert.equal(semver.valid('v1.2.3'), '1.2.3');
    assert.equal(semver.valid('1.2'), null);
    assert.deepEqual(semver.prerelease('1.2.3-rc.1'), ['rc', 1]);
    assert.equal(pep440.clean('v1.0-RC1'), '1.0rc1');
    assert.equal(pep440.valid('1.0.0+local.1'), true);
    assert.equal(formatMoment(NOW, 'YYYY-MM-DD[T]HH:mm:ss Z', 'America/New_York'), '2020-01-09T19:30:00 -05:00');
    assert.equal(formatMoment(NOW, 'ddd Do MMM, W', 'UTC'), 'Fri 10th Jan, 2');
  });
});
