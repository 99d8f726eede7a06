/**
 * The parse worker's entry (a worker_threads worker started by parse-pool.ts): reads workflow
 * files and action manifests off the cloud's event loop. One request at a time; replies carry the
 * request's id. Everything here is pure computation on the text it is sent.
 */
import { parentPort } from 'node:worker_threads';
import { parse as parseYaml } from 'yaml';
import { parseWorkflowFile } from './parse.js';
import { matchesPush } from './triggers.js';
import { WORKFLOW_READ_LIMITS, fileSizeError } from './read-limits.js';
import { READY, type ParseReply, type ParseRequest, type WorkflowReading } from './parse-protocol.js';
import { encodeValue } from './token-codec.js';
import { outlineYaml, type YamlOutline } from './yaml-outline.js';
import type { PushEventInfo } from './contract.js';
import { errorMessage } from '../core/errors.js';

/**
 * YAML as plain data, for action manifests: `yaml`'s own alias bound (maxAliasCount, which counts an
 * alias by the size of what it repeats) stops expansion, the file size is GitHub's.
 */
function readYamlData(file: string, content: string): unknown {
  const tooLarge = fileSizeError(file, content, WORKFLOW_READ_LIMITS);
  if (tooLarge !== undefined) throw new Error(tooLarge);
  return parseYaml(content, { maxAliasCount: 100 });
}

/** A YAML file's layout, within GitHub's size limit (the caller has read it as a workflow first, within the node limits). */
function readOutline(file: string, content: string, depth: number): YamlOutline {
  const tooLarge = fileSizeError(file, content, WORKFLOW_READ_LIMITS);
  if (tooLarge !== undefined) throw new Error(tooLarge);
  return outlineYaml(content, depth);
}

function readWorkflow(file: string, content: string, push: PushEventInfo | undefined): WorkflowReading {
  const parsed = parseWorkflowFile(file, content);
  if (push === undefined) return { parsed };
  return { parsed, triggered: parsed.workflow !== undefined && matchesPush(parsed.workflow, push) };
}

function answer(request: ParseRequest): ParseReply {
  try {
    const value =
      request.kind === 'workflow'
        ? readWorkflow(request.file, request.content, request.push)
        : request.kind === 'outline'
          ? readOutline(request.file, request.content, request.depth)
          : readYamlData(request.file, request.content);
    return { id: request.id, value: encodeValue(value) };
  } catch (error) {
    return { id: request.id, failure: errorMessage(error) };
  }
}

parentPort?.on('message', (request: ParseRequest) => {
  parentPort?.postMessage(answer(request));
});
// The schema loads and the parser's code warms up on a first, tiny file: before READY, so that no
// request's time limit pays for it.
parseWorkflowFile(
  '.github/workflows/warm-up.yml',
  'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n',
);
parentPort?.postMessage(READY);
