/**
 * dockyard's aws-actions/amazon-ecs-render-task-definition (v1): load a task definition, put
 * the image (and the other edits) into the named containers, set the role ARNs, drop the
 * describe-only fields, and write the result to a new file under RUNNER_TEMP, whose path is the
 * `task-definition` output.
 *
 * By design: the file is named task-definition-<random>.json (the real one's `tmp` package
 * names it task-definition--<pid>-<random>-.json); like the real one it is kept.
 */
import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runStep } from '../../shared/action-entry.js';
import { optionalInput } from '../../shared/input-flags.js';
import {
  IGNORED_TASK_DEFINITION_ATTRIBUTES,
  type TaskDefinitionDocument,
} from '../../../core/task-definition-fields.js';
import { editContainer, type ContainerDocument } from './container-edits.js';
import { loadTaskDefinition } from './load-task-definition.js';

const ROLE_ARN = /^arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f)?:iam::[0-9]{12}:role\/.+$/;

async function render(): Promise<void> {
  const containerName = core.getInput('container-name', { required: true });
  const edits = {
    image: core.getInput('image', { required: true }),
    command: core.getInput('command'),
    envFiles: core.getInput('env-files'),
    environmentVariables: core.getInput('environment-variables'),
    secrets: core.getInput('secrets'),
    logDriver: core.getInput('log-configuration-log-driver'),
    logOptions: core.getInput('log-configuration-options'),
    dockerLabels: core.getInput('docker-labels'),
  };
  const taskRoleArn = core.getInput('task-role-arn');
  const executionRoleArn = core.getInput('execution-role-arn');

  const taskDefinition = await loadTaskDefinition({
    file: core.getInput('task-definition'),
    arn: optionalInput('task-definition-arn'),
    family: optionalInput('task-definition-family'),
    revision: Number(core.getInput('task-definition-revision')) || undefined,
  });

  if (!/^([^,]+,)*[^,]+$/.test(containerName)) {
    throw new Error('Invalid format for container name. Please use a single value or comma separated values');
  }
  for (const name of containerName.split(',')) {
    const containers = taskDefinition.containerDefinitions;
    if (!Array.isArray(containers)) {
      throw new Error('Invalid task definition format: containerDefinitions section is not present or is not an array');
    }
    const container = (containers as ContainerDocument[]).find((candidate) => candidate.name === name);
    if (!container) throw new Error('Invalid task definition: Could not find container definition with matching name');
    editContainer(container, edits);
  }

  if (taskRoleArn) {
    if (!ROLE_ARN.test(taskRoleArn))
      throw new Error(
        'Invalid ARN format for task-role-arn. Expected format: arn:aws:iam::<account-id>:role/<role-name>',
      );
    taskDefinition.taskRoleArn = taskRoleArn;
  }
  if (executionRoleArn) {
    if (!ROLE_ARN.test(executionRoleArn))
      throw new Error(
        'Invalid ARN format for execution-role-arn. Expected format: arn:aws:iam::<account-id>:role/<role-name>',
      );
    taskDefinition.executionRoleArn = executionRoleArn;
  }

  const cleaned: TaskDefinitionDocument = { ...taskDefinition };
  for (const attribute of IGNORED_TASK_DEFINITION_ATTRIBUTES) delete cleaned[attribute];
  const path = join(process.env.RUNNER_TEMP || tmpdir(), `task-definition-${randomBytes(6).toString('hex')}.json`);
  const contents = JSON.stringify(cleaned, null, 2);
  core.debug(`Content being written to file:\n${contents}`);
  // `wx`: never overwrite another step's file.
  writeFileSync(path, contents, { flag: 'wx' });
  core.setOutput('task-definition', path);
}

runStep(render);
