/**
 * docker/metadata-action's step (v4–v6): the run's context from the runner's variables and
 * event payload, the repository's facts from the payload's `repository` (dockyard serves no
 * REST API: description and licence are empty unless the payload has them), then Meta's
 * results as outputs (and DOCKER_METADATA_OUTPUT_* variables) and bake files in a temp directory.
 */
import * as core from '@actions/core';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep } from '../../shared/action-entry.js';
import { runCommand } from '../../shared/run-command.js';
import { getList } from '../csv.js';
import { Meta, type MetaContext, type RepoData } from './meta.js';

function payloadOf(): Record<string, unknown> {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path || !existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The commit's date: from the push payload's commits, else now (the real action asks the API, then falls back to now). */
function commitDateOf(payload: Record<string, unknown>, sha: string): Date {
  const commits = Array.isArray(payload.commits) ? (payload.commits as { id?: string; timestamp?: string }[]) : [];
  const found = commits.find((c) => c.id === sha)?.timestamp;
  if (found) return new Date(found);
  const head = payload.head_commit as { id?: string; timestamp?: string } | null | undefined;
  if (head?.id === sha && head.timestamp) return new Date(head.timestamp);
  return new Date();
}

async function gitContext(): Promise<{ sha: string; ref: string; commitDate: Date }> {
  const sha = (await runCommand('git', ['rev-parse', 'HEAD'])).stdout.trim();
  const ref =
    (await runCommand('git', ['symbolic-ref', 'HEAD'])).stdout.trim() ||
    (await runCommand('git', ['describe', '--tags', '--exact-match'])).stdout.trim().replace(/^(?=.)/, 'refs/tags/');
  const date = (await runCommand('git', ['log', '-1', '--format=%cI', sha])).stdout.trim();
  if (!sha) throw new Error('Git context: the working directory is not a Git repository');
  return { sha, ref, commitDate: date ? new Date(date) : new Date() };
}

/** Runs the action as metadata-action `major` does. */
export function runMetadataAction(major: number): void {
  runStep(async () => {
    const list = (name: string) => getList(core.getInput(name), { ignoreComma: true, comment: '#' });
    const source = core.getInput('context') || 'workflow';
    const payload = payloadOf();
    let context: MetaContext;
    if (source === 'workflow') {
      let ref = process.env.GITHUB_REF ?? '';
      const eventName = process.env.GITHUB_EVENT_NAME ?? '';
      if (/pull_request_target/.test(eventName)) ref = `refs/pull/${String(payload.number ?? '')}/merge`;
      let sha = process.env.GITHUB_SHA ?? '';
      const prHead = (payload.pull_request as { head?: { sha?: string } } | undefined)?.head?.sha;
      if (/true/i.test(process.env.DOCKER_METADATA_PR_HEAD_SHA ?? '') && /pull_request/.test(eventName) && prHead)
        sha = prHead;
      context = { eventName, sha, ref, commitDate: commitDateOf(payload, sha), payload };
    } else if (source === 'git') {
      context = { eventName: process.env.GITHUB_EVENT_NAME ?? '', payload, ...(await gitContext()) };
    } else throw new Error(`Invalid context source: ${source}`);
    const repo = (payload.repository ?? {}) as RepoData;

    core.startGroup('Context info');
    core.info(`eventName: ${context.eventName}`);
    core.info(`sha: ${context.sha}`);
    core.info(`ref: ${context.ref}`);
    core.info(`workflow: ${process.env.GITHUB_WORKFLOW ?? ''}`);
    core.info(`action: ${process.env.GITHUB_ACTION ?? ''}`);
    core.info(`actor: ${process.env.GITHUB_ACTOR ?? ''}`);
    core.info(`runNumber: ${process.env.GITHUB_RUN_NUMBER ?? ''}`);
    core.info(`runId: ${process.env.GITHUB_RUN_ID ?? ''}`);
    core.info(`commitDate: ${context.commitDate.toString()}`);
    core.endGroup();

    const meta = new Meta(
      {
        images: list('images'),
        tags: list('tags'),
        flavor: list('flavor'),
        labels: list('labels'),
        annotations: major >= 5 ? list('annotations') : [],
      },
      context,
      repo,
      {
        major,
        now: new Date(),
        ...(process.env.DOCKER_METADATA_SHORT_SHA_LENGTH
          ? { shortShaLength: process.env.DOCKER_METADATA_SHORT_SHA_LENGTH }
          : {}),
        warn: (m) => core.warning(m),
      },
    );
    const withEnv = !/^(0|false)$/i.test(process.env.DOCKER_METADATA_SET_OUTPUT_ENV ?? 'true');
    const setOutput = (name: string, value: string) => {
      core.setOutput(name, value);
      if (withEnv) core.exportVariable(`DOCKER_METADATA_OUTPUT_${name.replace(/\W/g, '_').toUpperCase()}`, value);
    };
    const separator = (name: string) => core.getInput(name, { trimWhitespace: false }) || '\n';

    if (!meta.version.main) core.warning('No Docker image version has been generated. Check tags input.');
    else core.info(`Docker image version: ${meta.version.main}`);
    setOutput('version', meta.version.main ?? '');
    const tags = meta.getTags();
    if (tags.length === 0) core.warning('No Docker tag has been generated. Check tags input.');
    core.startGroup('Docker tags');
    for (const tag of tags) core.info(tag);
    core.endGroup();
    setOutput('tags', tags.join(separator('sep-tags')));
    if (major >= 5) setOutput('tag-names', meta.getTags(true).join(separator('sep-tags')));
    const labels = meta.getLabels();
    core.startGroup('Docker labels');
    for (const label of labels) core.info(label);
    core.endGroup();
    setOutput('labels', labels.join(separator('sep-labels')));
    const levels = (process.env.DOCKER_METADATA_ANNOTATIONS_LEVELS || 'manifest').split(',');
    if (major >= 5)
      setOutput(
        'annotations',
        levels.flatMap((l) => meta.getAnnotations().map((a) => `${l}:${a}`)).join(separator('sep-annotations')),
      );
    const json = meta.getJson(levels);
    core.startGroup('JSON output');
    core.info(JSON.stringify(json, null, 2));
    core.endGroup();
    setOutput('json', JSON.stringify(json));

    const tmp = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'docker-actions-toolkit-'));
    const target = core.getInput('bake-target') || 'docker-metadata-action';
    const bakeFile = (definition: Record<string, unknown>, suffix?: string) => {
      const file = join(tmp, `docker-metadata-action-bake${suffix ? `-${suffix}` : ''}.json`);
      writeFileSync(file, JSON.stringify({ target: { [target]: definition } }, null, 2));
      return file;
    };
    if (major >= 5) {
      setOutput('bake-file-tags', bakeFile(meta.bakeDefinition('tags'), 'tags'));
      setOutput('bake-file-labels', bakeFile(meta.bakeDefinition('labels'), 'labels'));
      setOutput(
        'bake-file-annotations',
        bakeFile(meta.bakeDefinition(`annotations:${levels.join(',')}`), 'annotations'),
      );
    }
    setOutput('bake-file', bakeFile(meta.bakeDefinition('all')));
  });
}
