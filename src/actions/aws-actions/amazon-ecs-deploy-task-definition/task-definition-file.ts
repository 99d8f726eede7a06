/**
 * Reading the task definition file the deploy action registers: YAML or JSON, empty values
 * removed (except keys listed in keep-null-value-keys), describe-only fields dropped with a
 * warning each, and the `value`/`name` fields ECS insists on filled in.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import {
  IGNORED_TASK_DEFINITION_ATTRIBUTES,
  type TaskDefinitionDocument,
} from '../../../core/task-definition-fields.js';

/**
 * Whether a value counts as empty: null, undefined, '', or an array/object with only empty
 * members. Reproduced quirk: inside an object the keep list is not consulted (the real action
 * calls itself without it there), only for the key itself and array elements.
 */
function isEmptyValue(value: unknown, key: string | undefined, keep: ReadonlySet<string> | undefined): boolean {
  if (keep && key && keep.has(key)) return false;
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.every((element) => isEmptyValue(element, undefined, keep));
  if (typeof value === 'object')
    return Object.values(value).every((child) => isEmptyValue(child, undefined, undefined));
  return false;
}

/** Drops empty values everywhere (a JSON round trip with a replacer, as the real action). */
export function cleanNullKeys(document: unknown, keepNullValueKeys: string[]): unknown {
  const keep = keepNullValueKeys.length > 0 ? new Set(keepNullValueKeys) : undefined;
  const text = JSON.stringify(document, (key: string, value: unknown) => {
    if (isEmptyValue(value, key, keep)) return undefined;
    if (Array.isArray(value)) return value.filter((element) => !isEmptyValue(element, undefined, keep));
    return value;
  });
  return text === undefined ? {} : JSON.parse(text);
}

function removeIgnoredAttributes(taskDefinition: TaskDefinitionDocument): TaskDefinitionDocument {
  for (const attribute of IGNORED_TASK_DEFINITION_ATTRIBUTES) {
    if (taskDefinition[attribute]) {
      core.warning(
        `Ignoring property '${attribute}' in the task definition file. ` +
          'This property is returned by the Amazon ECS DescribeTaskDefinition API and may be shown in the ECS console, ' +
          'but it is not a valid field when registering a new task definition. ' +
          'This field can be safely removed from your task definition file.',
      );
      delete taskDefinition[attribute];
    }
  }
  return taskDefinition;
}

type Entry = Record<string, unknown>;

/** cleanNullKeys may have removed an empty `value` that ECS requires: put back ''. */
function maintainValidObjects(taskDefinition: TaskDefinitionDocument): TaskDefinitionDocument {
  const proxy = taskDefinition.proxyConfiguration as { type?: string; properties?: Entry[] } | undefined;
  if (proxy?.type === 'APPMESH' && Array.isArray(proxy.properties) && proxy.properties.length > 0) {
    for (const property of proxy.properties) {
      if (!('value' in property)) property.value = '';
      if (!('name' in property)) property.name = '';
    }
  }
  if (Array.isArray(taskDefinition.containerDefinitions)) {
    for (const container of taskDefinition.containerDefinitions as { environment?: Entry[] }[]) {
      for (const variable of container.environment ?? []) {
        if (!('value' in variable)) variable.value = '';
      }
    }
  }
  return taskDefinition;
}

/** The file (relative to GITHUB_WORKSPACE) as RegisterTaskDefinition input. */
export function readTaskDefinitionFile(file: string, keepNullValueKeys: string[]): TaskDefinitionDocument {
  const path = isAbsolute(file) ? file : join(process.env.GITHUB_WORKSPACE ?? '', file);
  const parsed = cleanNullKeys(parse(readFileSync(path, 'utf8')), keepNullValueKeys) as TaskDefinitionDocument;
  return maintainValidObjects(removeIgnoredAttributes(parsed));
}
