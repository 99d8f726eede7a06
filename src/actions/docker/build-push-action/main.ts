/**
 * docker/build-push-action (v4–v7) on dockyard: the real action's `buildx build` arguments run
 * through dockyard's buildx plugin, then its outputs read as the real action reads them: imageid
 * from the iidfile, digest from the metadata file's `containerimage.digest`, metadata the whole
 * file. The default context is the Git context of the run, fetched by the action (see
 * git-context.ts); `{{defaultContext}}` in context works as in the real action.
 *
 * Gaps: the build summary and build record upload (there is no BuildKit history), secrets and
 * SSH (refused by the builder, with the reason), GitHub annotations from build checks.
 */
import * as core from '@actions/core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep } from '../../shared/action-entry.js';
import { buildxAvailable, lastLine, runBuildx } from '../buildx-runner.js';
import { fetchGitContext, gitContext } from '../git-context.js';
import { buildArgs, readInputs } from './args.js';

runStep(async () => {
  const inputs = readInputs();
  if (!buildxAvailable())
    throw new Error('Docker buildx is required. See https://github.com/docker/setup-buildx-action to set up buildx.');
  const tempDir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'docker-actions-toolkit-'));
  core.saveState('tmpDir', tempDir);

  core.startGroup('Buildx version');
  await runBuildx(['version']);
  core.endGroup();
  core.startGroup('Builder info');
  await runBuildx([...(inputs.builder ? ['--builder', inputs.builder] : []), 'inspect']);
  core.endGroup();

  const defaultContext = gitContext();
  let context = (inputs.context || defaultContext).replace(/\{\{\s*defaultContext\s*\}\}/g, defaultContext);
  if (context.startsWith(defaultContext.split('#')[0] ?? defaultContext)) {
    core.info(`Fetching the Git context ${context.replace(/^https?:\/\/[^@/]*@/, 'https://')}`);
    context = await fetchGitContext(context, inputs.githubToken, tempDir);
  }
  const files = { iidFile: join(tempDir, 'build-iidfile.txt'), metadataFile: join(tempDir, 'build-metadata.json') };
  const args = buildArgs(inputs, context, files);
  core.debug(`buildCmd.args: ${JSON.stringify(args)}`);

  const result = await runBuildx(args, { env: { ...process.env, BUILDX_METADATA_WARNINGS: 'true' } });
  let failure: Error | undefined;
  if (result.exitCode !== 0 && result.stderr.length > 0)
    failure = new Error(`buildx failed with: ${lastLine(result.stderr)}`);
  else if (result.exitCode !== 0) failure = new Error(`buildx failed with exit code ${result.exitCode}`);

  const imageId = readOptional(files.iidFile);
  const metadataText = readOptional(files.metadataFile);
  const metadata = metadataText ? (JSON.parse(metadataText) as Record<string, unknown>) : undefined;
  if (imageId) {
    core.startGroup('ImageID');
    core.info(imageId);
    core.setOutput('imageid', imageId);
    core.endGroup();
  }
  const digest =
    typeof metadata?.['containerimage.digest'] === 'string' ? metadata['containerimage.digest'] : undefined;
  if (digest) {
    core.startGroup('Digest');
    core.info(digest);
    core.setOutput('digest', digest);
    core.endGroup();
  }
  if (metadata) {
    const text = JSON.stringify(metadata, null, 2);
    core.startGroup('Metadata');
    core.info(text);
    core.setOutput('metadata', text);
    core.endGroup();
  }
  if (failure) throw failure;
});

function readOptional(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
