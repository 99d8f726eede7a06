/**
 * Where amazon-ecs-render-task-definition gets its task definition: a JSON file (relative to
 * GITHUB_WORKSPACE), or ECS itself (DescribeTaskDefinition by ARN, family:revision or family,
 * with its tags merged in).
 */
import * as core from '@actions/core';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { TaskDefinitionDocument } from '../../../core/task-definition-fields.js';
import { errorMessage } from '../../../core/errors.js';

export interface TaskDefinitionSource {
  file: string;
  arn: string | undefined;
  family: string | undefined;
  /** `Number(input) || null` in the real action: 0 and garbage mean none. */
  revision: number | undefined;
}

const USER_AGENT = 'amazon-ecs-render-task-definition-for-github-actions';

export async function loadTaskDefinition(source: TaskDefinitionSource): Promise<TaskDefinitionDocument> {
  if (source.file) {
    core.info('Task definition file will be used.');
    const path = isAbsolute(source.file) ? source.file : join(process.env.GITHUB_WORKSPACE ?? '', source.file);
    if (!existsSync(path)) throw new Error(`Task definition file does not exist: ${source.file}`);
    // The real action loads it with require(): JSON only (a .js file would run; we do not).
    return JSON.parse(readFileSync(path, 'utf8')) as TaskDefinitionDocument;
  }
  let taskDefinition: string;
  if (source.arn) {
    core.info('The task definition arn will be used to fetch task definition');
    taskDefinition = source.arn;
  } else if (source.family && source.revision) {
    core.info('The specified revision of the task definition family will be used to fetch task definition');
    taskDefinition = `${source.family}:${source.revision}`;
  } else if (source.family) {
    core.info('The latest revision of the task definition family will be used to fetch task definition');
    taskDefinition = source.family;
  } else if (source.revision) {
    throw new Error(
      "You can't fetch task definition with just revision: Either use task definition file, arn or family name",
    );
  } else {
    throw new Error('Either task definition, task definition arn or task definition family must be provided');
  }
  const ecs = new ECSClient({ customUserAgent: USER_AGENT });
  try {
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
    // Through JSON, as the file path gives: dates become ISO strings before they are stripped anyway.
    const document = JSON.parse(JSON.stringify(described.taskDefinition ?? {})) as TaskDefinitionDocument;
    document.tags = described.tags;
    return document;
  } catch (error) {
    throw new Error(`Failed to describe task definition in ECS: ${errorMessage(error)}`);
  }
}
