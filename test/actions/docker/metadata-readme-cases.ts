/**
 * Cases derived from docker/metadata-action's README (v5.10.0): each documented table row — the
 * tags input, the event and ref, and the tags or values the README says come out.
 */

/** One documented row. */
export interface ReadmeCase {
  name: string;
  images?: string[];
  tags: string[];
  flavor?: string[];
  eventName: string;
  ref: string;
  expected: string[];
}

const basic = [
  'type=ref,event=branch',
  'type=ref,event=pr',
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
];

export const README_CASES: ReadmeCase[] = [
  // "Basic" example: images name/app and the default tags input.
  {
    name: 'basic: pull request',
    images: ['name/app'],
    tags: [],
    eventName: 'pull_request',
    ref: 'refs/pull/2/merge',
    expected: ['name/app:pr-2'],
  },
  {
    name: 'basic: push master',
    images: ['name/app'],
    tags: [],
    eventName: 'push',
    ref: 'refs/heads/master',
    expected: ['name/app:master'],
  },
  {
    name: 'basic: push releases/v1',
    images: ['name/app'],
    tags: [],
    eventName: 'push',
    ref: 'refs/heads/releases/v1',
    expected: ['name/app:releases-v1'],
  },
  {
    name: 'basic: push tag v1.2.3',
    images: ['name/app'],
    tags: [],
    eventName: 'push',
    ref: 'refs/tags/v1.2.3',
    expected: ['name/app:v1.2.3', 'name/app:latest'],
  },
  {
    name: 'basic: push tag beta',
    images: ['name/app'],
    tags: [],
    eventName: 'push',
    ref: 'refs/tags/v2.0.8-beta.67',
    expected: ['name/app:v2.0.8-beta.67', 'name/app:latest'],
  },
  {
    name: 'basic: workflow_dispatch',
    images: ['name/app'],
    tags: [],
    eventName: 'workflow_dispatch',
    ref: 'refs/heads/master',
    expected: ['name/app:master'],
  },
  // "Semver" example.
  {
    name: 'semver example: pull request',
    images: ['name/app'],
    tags: basic,
    eventName: 'pull_request',
    ref: 'refs/pull/2/merge',
    expected: ['name/app:pr-2'],
  },
  {
    name: 'semver example: master',
    images: ['name/app'],
    tags: basic,
    eventName: 'push',
    ref: 'refs/heads/master',
    expected: ['name/app:master'],
  },
  {
    name: 'semver example: releases/v1',
    images: ['name/app'],
    tags: basic,
    eventName: 'push',
    ref: 'refs/heads/releases/v1',
    expected: ['name/app:releases-v1'],
  },
  {
    name: 'semver example: v1.2.3',
    images: ['name/app'],
    tags: basic,
    eventName: 'push',
    ref: 'refs/tags/v1.2.3',
    expected: ['name/app:1.2.3', 'name/app:1.2', 'name/app:latest'],
  },
  {
    name: 'semver example: beta',
    images: ['name/app'],
    tags: basic,
    eventName: 'push',
    ref: 'refs/tags/v2.0.8-beta.67',
    expected: ['name/app:2.0.8-beta.67'],
  },
  // type=semver table.
  ...(
    [
      ['v1.2.3', '{{raw}}', '', 'v1.2.3'],
      ['v1.2.3', '{{version}}', '', '1.2.3'],
      ['v1.2.3', '{{major}}.{{minor}}', '', '1.2'],
      ['v1.2.3', 'v{{major}}', '', 'v1'],
      ['v1.2.3', '{{minor}}', '', '2'],
      ['v1.2.3', '{{patch}}', '', '3'],
      ['p1/v1.2.3', '{{version}}', 'v(\\d.\\d.\\d)$', '1.2.3'],
      ['v2.0.8-beta.67', '{{raw}}', '', 'v2.0.8-beta.67'],
      ['v2.0.8-beta.67', '{{version}}', '', '2.0.8-beta.67'],
      ['v2.0.8-beta.67', '{{major}}', '', '2.0.8-beta.67'],
      ['v2.0.8-beta.67', '{{major}}.{{minor}}', '', '2.0.8-beta.67'],
    ] as const
  ).map(([tag, pattern, match, out]) => ({
    name: `semver ${tag} ${pattern}${match ? ` match ${match}` : ''}`,
    tags: [`type=semver,pattern=${pattern}${match ? `,match=${match}` : ''}`],
    // The table lists the pattern's output; a release would add `latest` under latest=auto.
    flavor: ['latest=false'],
    eventName: 'push',
    ref: `refs/tags/${tag}`,
    expected: [out],
  })),
  // type=pep440 table.
  ...(
    [
      ['1.2.3', '{{raw}}', '', '1.2.3'],
      ['1.2.3', '{{version}}', '', '1.2.3'],
      ['v1.2.3', '{{version}}', '', '1.2.3'],
      ['1.2.3', '{{major}}.{{minor}}', '', '1.2'],
      ['1.2.3', 'v{{major}}', '', 'v1'],
      ['v1.2.3rc2', '{{raw}}', '', 'v1.2.3rc2'],
      ['1.2.3rc2', '{{version}}', '', '1.2.3rc2'],
      ['p1/v1.2.3', '{{version}}', 'v(\\d.\\d.\\d)$', '1.2.3'],
      ['1.2.3rc2', '{{major}}.{{minor}}', '', '1.2.3rc2'],
      ['1.2.3post1', '{{major}}.{{minor}}', '', '1.2.3.post1'],
      ['1.2.3beta2', '{{major}}.{{minor}}', '', '1.2.3b2'],
      ['1.0dev4', '{{major}}.{{minor}}', '', '1.0.dev4'],
    ] as const
  ).map(([tag, pattern, match, out]) => ({
    name: `pep440 ${tag} ${pattern}${match ? ` match ${match}` : ''}`,
    tags: [`type=pep440,pattern=${pattern}${match ? `,match=${match}` : ''}`],
    flavor: ['latest=false'],
    eventName: 'push',
    ref: `refs/tags/${tag}`,
    expected: [out],
  })),
  // type=match table.
  ...(
    [
      ['v1.2.3', '\\d.\\d.\\d', '0', '1.2.3'],
      ['v2.0.8-beta.67', 'v(.*)', '1', '2.0.8-beta.67'],
      ['v2.0.8-beta.67', 'v(\\d.\\d)', '1', '2.0'],
      ['20200110-RC2', '\\d+', '0', '20200110'],
      ['p1/v1.2.3', 'p1/v(\\d.\\d.\\d)', '1', '1.2.3'],
    ] as const
  ).map(([tag, pattern, group, out]) => ({
    name: `match ${tag} ${pattern} group ${group}`,
    tags: [`type=match,pattern=${pattern},group=${group}`],
    flavor: ['latest=false'],
    eventName: 'push',
    ref: `refs/tags/${tag}`,
    expected: [out],
  })),
  // type=ref table (event=branch, tag and pr together).
  ...(
    [
      ['pull_request', 'refs/pull/2/merge', 'pr-2'],
      ['push', 'refs/heads/master', 'master'],
      ['push', 'refs/heads/my/branch', 'my-branch'],
      ['push', 'refs/tags/v1.2.3', 'v1.2.3'],
      ['push', 'refs/tags/v2.0.8-beta.67', 'v2.0.8-beta.67'],
      ['workflow_dispatch', 'refs/heads/master', 'master'],
    ] as const
  ).map(([eventName, ref, out]) => ({
    name: `ref ${eventName} ${ref}`,
    tags: ['type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr'],
    flavor: ['latest=false'],
    eventName,
    ref,
    expected: [out],
  })),
  // {{branch}} and {{tag}} global expressions, through type=raw.
  ...(
    [
      ['pull_request', 'refs/pull/2/merge', []],
      ['push', 'refs/heads/master', ['master']],
      ['push', 'refs/heads/my/branch', ['my-branch']],
      ['push', 'refs/tags/v1.2.3', []],
    ] as const
  ).map(([eventName, ref, out]) => ({
    name: `{{branch}} ${ref}`,
    tags: ['type=raw,value={{branch}}'],
    eventName,
    ref,
    expected: [...out],
  })),
  ...(
    [
      ['pull_request', 'refs/pull/2/merge', []],
      ['push', 'refs/heads/master', []],
      ['push', 'refs/tags/v1.2.3', ['v1.2.3']],
    ] as const
  ).map(([eventName, ref, out]) => ({
    name: `{{tag}} ${ref}`,
    tags: ['type=raw,value={{tag}}'],
    eventName,
    ref,
    expected: [...out],
  })),
];
