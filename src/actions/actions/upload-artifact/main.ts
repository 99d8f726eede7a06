/**
 * actions/upload-artifact@v4: the files `path` names, zipped and uploaded by @actions/artifact to
 * the run's artifacts (the cloud's results service); outputs artifact-id, artifact-url and
 * artifact-digest. `overwrite` deletes an artifact of the same name first; without it a second
 * upload of a name fails (409), as on GitHub.
 */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { inputFlag } from '../../shared/input-flags.js';
import { artifactClient, serverUrl } from '../../shared/toolkit.js';
import { findFilesToUpload } from './search.js';

runStep(async () => {
  const name = core.getInput('name') || 'artifact';
  const path = core.getInput('path', { required: true });
  const ifNoFilesFound = core.getInput('if-no-files-found') || 'warn';
  if (!['warn', 'error', 'ignore'].includes(ifNoFilesFound)) {
    throw new Error(
      `Unrecognized if-no-files-found input. Provided: ${ifNoFilesFound}. Available options: warn, error, ignore`,
    );
  }
  const retention = core.getInput('retention-days');
  const compression = core.getInput('compression-level') || '6';
  const compressionLevel = Number(compression);
  if (!Number.isInteger(compressionLevel) || compressionLevel < 0 || compressionLevel > 9) {
    throw new Error(`Invalid compression-level: ${compression}. Valid values are 0-9.`);
  }
  const retentionDays = retention === '' ? undefined : Number(retention);
  if (retentionDays !== undefined && !Number.isInteger(retentionDays))
    throw new Error(`Invalid retention-days: ${retention}`);

  const { files, rootDirectory } = await findFilesToUpload(path, inputFlag('include-hidden-files'));
  if (files.length === 0) {
    const message = `No files were found with the provided path: ${path}. No artifacts will be uploaded.`;
    if (ifNoFilesFound === 'error') throw new Error(message);
    if (ifNoFilesFound === 'warn') core.warning(message);
    else core.info(message);
    return;
  }
  core.info(`With the provided path, there will be ${files.length} file${files.length === 1 ? '' : 's'} uploaded`);
  const client = artifactClient();
  if (inputFlag('overwrite')) {
    try {
      await client.deleteArtifact(name);
      core.info(`Artifact '${name}' (deleted) will be overwritten`);
    } catch (error) {
      // No artifact of that name: nothing to overwrite.
      core.debug(`Nothing to overwrite: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const options = {
    compressionLevel,
    ...(retentionDays === undefined || retentionDays === 0 ? {} : { retentionDays }),
  };
  const uploaded = await client.uploadArtifact(name, files, rootDirectory, options);
  const id = uploaded.id ?? 0;
  core.info(
    `Artifact ${name} has been successfully uploaded! Final size is ${uploaded.size ?? 0} bytes. Artifact ID is ${id}`,
  );
  const url = `${serverUrl}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}/artifacts/${id}`;
  core.info(`Artifact download URL: ${url}`);
  core.setOutput('artifact-id', String(id));
  core.setOutput('artifact-url', url);
  core.setOutput('artifact-digest', uploaded.digest ?? '');
});
