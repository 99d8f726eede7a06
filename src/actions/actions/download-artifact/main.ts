/**
 * actions/download-artifact@v4: the run's artifacts through @actions/artifact: one by `name`,
 * those of `artifact-ids`, or all (`pattern` filters names), each into `path/<name>` unless
 * merge-multiple or a single named artifact. Output: download-path.
 *
 * Gap: artifacts of another run or repository (`github-token` with `run-id`/`repository`) come
 * from GitHub's REST API, which dockyard does not serve; that fails with a message saying so.
 */
import * as core from '@actions/core';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { runStep } from '../../shared/action-entry.js';
import { inputFlag } from '../../shared/input-flags.js';
import { artifactClient, type ArtifactFound } from '../../shared/toolkit.js';

runStep(async () => {
  const name = core.getInput('name');
  const ids = core.getInput('artifact-ids');
  const pattern = core.getInput('pattern');
  const token = core.getInput('github-token');
  const repository = core.getInput('repository') || (process.env.GITHUB_REPOSITORY ?? '');
  const runId = core.getInput('run-id') || (process.env.GITHUB_RUN_ID ?? '');
  if (name !== '' && ids !== '') {
    throw new Error('Inputs `name` and `artifact-ids` cannot be used together. Please specify only one.');
  }
  if (token !== '' && (repository !== process.env.GITHUB_REPOSITORY || runId !== process.env.GITHUB_RUN_ID)) {
    throw new Error(
      `dockyard serves the artifacts of the current workflow run only; downloading from run ${runId} of ${repository} needs GitHub's REST API, which dockyard does not serve.`,
    );
  }
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const pathInput = core.getInput('path');
  const destination = resolve(workspace, pathInput.replace(/^~(?=$|\/)/, homedir()));
  const client = artifactClient();

  if (name !== '') {
    const { artifact } = await client.getArtifact(name);
    core.info(`Found artifact ${artifact.name} (ID: ${artifact.id}, Size: ${artifact.size})`);
    await download(client, artifact, destination);
  } else {
    const { artifacts } = await client.listArtifacts({ latest: true });
    let chosen: ArtifactFound[] = artifacts;
    if (ids !== '') {
      const wanted = ids.split(',').map((id) => id.trim());
      if (wanted.some((id) => !/^\d+$/.test(id))) throw new Error(`Invalid artifact-ids: ${ids}`);
      chosen = artifacts.filter((a) => wanted.includes(String(a.id)));
      if (chosen.length === 0) throw new Error(`None of the artifact IDs ${ids} were found in this workflow run`);
    } else if (pattern !== '') {
      const matches = globToRegExp(pattern);
      chosen = artifacts.filter((a) => matches.test(a.name));
      core.info(`Filtered from ${artifacts.length} to ${chosen.length} artifacts`);
    }
    const merge = inputFlag('merge-multiple');
    for (const artifact of chosen)
      await download(client, artifact, merge ? destination : join(destination, artifact.name));
    core.info(`Total of ${chosen.length} artifact(s) downloaded`);
  }
  core.setOutput('download-path', destination);
  core.info('Download artifact has finished successfully');
});

async function download(
  client: ReturnType<typeof artifactClient>,
  artifact: ArtifactFound,
  path: string,
): Promise<void> {
  const result = await client.downloadArtifact(artifact.id, {
    path,
    ...(artifact.digest === undefined ? {} : { expectedHash: artifact.digest }),
  });
  if (result.digestMismatch === true)
    core.warning(`Artifact '${artifact.name}' digest validation failed. Please verify the integrity of the artifact.`);
  core.info(`Artifact ${artifact.name} was downloaded to ${path}`);
}

/** A minimatch-style pattern for artifact names: `*` and `?` within a name, `**` across, `[…]` classes. */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        source += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
