/**
 * matchesPush and the filter-pattern language: GitHub's cheat-sheet examples, negation order,
 * branch-vs-tag filters, and path filters only when the changed files are known.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterPatternToRegExp, matchesFilterList, matchesPush, matchesPushFilter } from '../../src/workflow/index.js';
import type { PushFilter } from '../../src/workflow/index.js';
import { parse } from './helpers.js';

function matches(pattern: string, value: string): boolean {
  return filterPatternToRegExp(pattern).test(value);
}

describe('filter patterns', () => {
  it('* matches anything but /', () => {
    assert.equal(matches('*', 'main'), true);
    assert.equal(matches('*', 'feature/x'), false);
    assert.equal(matches('feature/*', 'feature/x'), true);
    assert.equal(matches('feature/*', 'feature/x/y'), false);
    assert.equal(matches('*.js', 'app.js'), true);
    assert.equal(matches('*.js', 'src/app.js'), false);
    assert.equal(matches('*', ''), true);
  });

  it('** matches anything, / included', () => {
    assert.equal(matches('**', 'a/b/c'), true);
    assert.equal(matches('feature/**', 'feature/x/y'), true);
    assert.equal(matches('feature/**', 'feature/'), true);
    assert.equal(matches('**.js', 'src/deep/app.js'), true);
    assert.equal(matches('**/docs/**', 'a/docs/b.md'), true);
    assert.equal(matches('**/docs/**', 'docs/b.md'), false);
    assert.equal(matches('docs/**/*.md', 'docs/a/b/c.md'), true);
  });

  it('? and + apply to the preceding character', () => {
    assert.equal(matches('v1?', 'v'), true);
    assert.equal(matches('v1?', 'v1'), true);
    assert.equal(matches('v1?', 'v11'), false);
    assert.equal(matches('v2+', 'v222'), true);
    assert.equal(matches('v2+', 'v'), false);
    assert.equal(matches('v[0-9]+.[0-9]+', 'v10.2'), true);
    assert.equal(matches('v[0-9]+.[0-9]+', 'v10.'), false);
  });

  it('[] matches one character of a set or range', () => {
    assert.equal(matches('[CB]at', 'Cat'), true);
    assert.equal(matches('[CB]at', 'Bat'), true);
    assert.equal(matches('[CB]at', 'Hat'), false);
    assert.equal(matches('[1-2]00', '200'), true);
    assert.equal(matches('[0-9a-f]', 'e'), true);
    assert.equal(matches('[0-9a-f]', 'g'), false);
  });

  it('treats regex syntax as text and honours \\ escapes', () => {
    assert.equal(matches('v1.0', 'v1.0'), true);
    assert.equal(matches('v1.0', 'v1x0'), false);
    assert.equal(matches('a(b)|c$', 'a(b)|c$'), true);
    assert.equal(matches('release\\*', 'release*'), true);
    assert.equal(matches('release\\*', 'release1'), false);
    assert.equal(matches('?x', '?x'), true);
  });

  it('applies negations in order, a later pattern winning', () => {
    assert.equal(matchesFilterList(['releases/**', '!releases/**-alpha'], 'releases/10'), true);
    assert.equal(matchesFilterList(['releases/**', '!releases/**-alpha'], 'releases/10-alpha'), false);
    assert.equal(
      matchesFilterList(['releases/**', '!releases/**-alpha', 'releases/beta-alpha'], 'releases/beta-alpha'),
      true,
    );
    assert.equal(matchesFilterList(['!main'], 'main'), false);
    assert.equal(matchesFilterList([], 'main'), false);
  });
});

describe('matchesPushFilter: refs', () => {
  const push = (filter: PushFilter, ref: string, changedFiles?: string[]) =>
    matchesPushFilter(filter, changedFiles === undefined ? { ref } : { ref, changedFiles });

  it('matches every branch and tag with no filters', () => {
    assert.equal(push({}, 'refs/heads/anything/at/all'), true);
    assert.equal(push({}, 'refs/tags/v1'), true);
  });

  it('ignores refs that are neither branches nor tags', () => {
    assert.equal(push({}, 'refs/notes/commits'), false);
    assert.equal(push({}, 'main'), false);
  });

  it('matches branches by name, without refs/heads/', () => {
    assert.equal(push({ branches: ['main'] }, 'refs/heads/main'), true);
    assert.equal(push({ branches: ['main'] }, 'refs/heads/maintenance'), false);
    assert.equal(push({ branches: ['refs/heads/main'] }, 'refs/heads/main'), false);
  });

  it('does not trigger tag pushes when only branch filters are given, and vice versa', () => {
    assert.equal(push({ branches: ['**'] }, 'refs/tags/v1'), false);
    assert.equal(push({ 'branches-ignore': ['x'] }, 'refs/tags/v1'), false);
    assert.equal(push({ tags: ['**'] }, 'refs/heads/main'), false);
    assert.equal(push({ 'tags-ignore': ['x'] }, 'refs/heads/main'), false);
  });

  it('applies each kind of filter to its own refs when both are given', () => {
    const filter = { branches: ['main'], tags: ['v*'] };
    assert.equal(push(filter, 'refs/heads/main'), true);
    assert.equal(push(filter, 'refs/heads/dev'), false);
    assert.equal(push(filter, 'refs/tags/v2'), true);
    assert.equal(push(filter, 'refs/tags/x2'), false);
  });

  it('excludes what -ignore lists match', () => {
    assert.equal(push({ 'branches-ignore': ['mona/octocat', 'releases/**-alpha'] }, 'refs/heads/mona/octocat'), false);
    assert.equal(
      push({ 'branches-ignore': ['mona/octocat', 'releases/**-alpha'] }, 'refs/heads/releases/1-alpha'),
      false,
    );
    assert.equal(push({ 'branches-ignore': ['mona/octocat', 'releases/**-alpha'] }, 'refs/heads/main'), true);
    assert.equal(push({ 'tags-ignore': ['v1.*'] }, 'refs/tags/v1.2'), false);
    assert.equal(push({ 'tags-ignore': ['v1.*'] }, 'refs/tags/v2.0'), true);
  });

  it('treats an empty list as matching nothing', () => {
    assert.equal(push({ branches: [] }, 'refs/heads/main'), false);
  });
});

describe('matchesPushFilter: paths', () => {
  const branch = 'refs/heads/main';

  it('requires one changed file to be selected by paths', () => {
    const filter = { paths: ['src/**', '!src/**/*.md'] };
    assert.equal(matchesPushFilter(filter, { ref: branch, changedFiles: ['README.md', 'src/app.ts'] }), true);
    assert.equal(matchesPushFilter(filter, { ref: branch, changedFiles: ['src/docs/a.md', 'README.md'] }), false);
    assert.equal(matchesPushFilter(filter, { ref: branch, changedFiles: [] }), false);
  });

  it('requires one changed file not ignored by paths-ignore', () => {
    const filter = { 'paths-ignore': ['docs/**', '**.md'] };
    assert.equal(matchesPushFilter(filter, { ref: branch, changedFiles: ['docs/a.txt', 'README.md'] }), false);
    assert.equal(matchesPushFilter(filter, { ref: branch, changedFiles: ['docs/a.txt', 'src/x.ts'] }), true);
  });

  it('skips path filters when the changed files are unknown', () => {
    assert.equal(matchesPushFilter({ paths: ['src/**'] }, { ref: branch }), true);
    assert.equal(matchesPushFilter({ 'paths-ignore': ['**'] }, { ref: branch }), true);
  });

  it('needs both the branch and the path filters to pass', () => {
    const filter = { branches: ['main'], paths: ['src/**'] };
    assert.equal(matchesPushFilter(filter, { ref: branch, changedFiles: ['src/a'] }), true);
    assert.equal(matchesPushFilter(filter, { ref: 'refs/heads/dev', changedFiles: ['src/a'] }), false);
    assert.equal(matchesPushFilter(filter, { ref: branch, changedFiles: ['lib/a'] }), false);
  });

  it('does not evaluate path filters for tags', () => {
    assert.equal(
      matchesPushFilter({ tags: ['v*'], paths: ['src/**'] }, { ref: 'refs/tags/v1', changedFiles: ['docs/x'] }),
      true,
    );
    assert.equal(matchesPushFilter({ paths: ['src/**'] }, { ref: 'refs/tags/v1', changedFiles: ['docs/x'] }), true);
  });
});

describe('matchesPush', () => {
  const jobs = 'jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n';

  it('is false for workflows without a push trigger', () => {
    assert.equal(matchesPush(parse(`on: workflow_dispatch\n${jobs}`), { ref: 'refs/heads/main' }), false);
    assert.equal(matchesPush(parse(`on: [pull_request]\n${jobs}`), { ref: 'refs/heads/main' }), false);
  });

  it('never matches a deleted ref', () => {
    assert.equal(matchesPush(parse(`on: push\n${jobs}`), { ref: 'refs/heads/main', deleted: true }), false);
    assert.equal(matchesPush(parse(`on: push\n${jobs}`), { ref: 'refs/heads/main', deleted: false }), true);
  });

  it('uses the parsed filters', () => {
    const workflow = parse(
      `on:\n  push:\n    branches: ['releases/**', '!releases/**-alpha']\n    paths-ignore: ['**.md']\n${jobs}`,
    );
    assert.equal(matchesPush(workflow, { ref: 'refs/heads/releases/2' }), true);
    assert.equal(matchesPush(workflow, { ref: 'refs/heads/releases/2-alpha' }), false);
    assert.equal(matchesPush(workflow, { ref: 'refs/heads/releases/2', changedFiles: ['CHANGELOG.md'] }), false);
    assert.equal(matchesPush(workflow, { ref: 'refs/tags/v1' }), false);
    assert.equal(matchesPush(parse(`on: [push]\n${jobs}`), { ref: 'refs/tags/v1' }), true);
  });
});
