/**
 * Reads workflow YAML into a schema-validated TemplateToken tree, using the building blocks of
 * @actions/workflow-parser directly instead of its `parseWorkflow`.
 *
 * Why not `parseWorkflow`: the package's `workflows/workflow-schema.js` does
 * `import WorkflowSchema from "../workflow-v1.0.min.json"` without an import attribute, which Node
 * 20's ESM loader rejects (ERR_IMPORT_ASSERTION_TYPE_MISSING); anything that imports that module
 * (the package root, `parseWorkflow`, `convertWorkflowTemplate`) cannot be loaded. So this module
 * reads the same schema file from disk (the only I/O here, once per process) and repeats
 * parseWorkflow's few lines. Do not import '@actions/workflow-parser' (the root) anywhere.
 *
 * The YAML itself is read by BoundedYamlReader (yaml-reader.ts) rather than the package's
 * YamlObjectReader, whose alias expansion has no bound; with GitHub's limits (read-limits.ts) a file
 * that hits one gets that limit's message alone.
 *
 * Also why a reader wrapper: for a multi-line string (a `run: |` block) containing `${{ }}`, the
 * template reader splits the raw YAML *source* (indentation included) rather than the string's value,
 * so `format()` would put the indentation and YAML's chomping into the evaluated script. Giving the
 * reader multi-line strings without their `source` makes it split the value, as GitHub's runner does.
 */
import { readFileSync } from 'node:fs';
import { JSONObjectReader } from '@actions/workflow-parser/templates/json-object-reader';
import type { ObjectReader } from '@actions/workflow-parser/templates/object-reader';
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index';
import { TemplateContext, TemplateValidationErrors } from '@actions/workflow-parser/templates/template-context';
import { TemplateValidationError } from '@actions/workflow-parser/templates/template-validation-error';
import { readTemplate } from '@actions/workflow-parser/templates/template-reader';
import { StringToken } from '@actions/workflow-parser/templates/tokens/string-token';
import type { LiteralToken } from '@actions/workflow-parser/templates/tokens/literal-token';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { SequenceToken } from '@actions/workflow-parser/templates/tokens/sequence-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer';
import { WORKFLOW_ROOT } from '@actions/workflow-parser/workflows/workflow-constants';
import {
  fileSizeError,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_ERRORS,
  WORKFLOW_READ_LIMITS,
  type ReadLimits,
} from './read-limits.js';
import { BoundedYamlReader } from './yaml-reader.js';

let workflowSchema: TemplateSchema | undefined;

/** The workflow schema (workflow-v1.0.json) shipped with @actions/workflow-parser, loaded once. */
function loadWorkflowSchema(): TemplateSchema {
  if (workflowSchema === undefined) {
    // The file sits next to the package's `templates/` folder; the package's exports map does not expose it.
    const url = new URL(
      '../workflow-v1.0.min.json',
      import.meta.resolve('@actions/workflow-parser/templates/template-reader'),
    );
    workflowSchema = TemplateSchema.load(new JSONObjectReader(undefined, readFileSync(url, 'utf8')));
  }
  return workflowSchema;
}

/** Hands multi-line strings to the template reader without their raw YAML source (see the header). */
class ValueOnlyMultilineReader implements ObjectReader {
  constructor(private readonly inner: ObjectReader) {}

  allowLiteral(): LiteralToken | undefined {
    const literal = this.inner.allowLiteral();
    if (
      literal instanceof StringToken &&
      literal.source !== undefined &&
      literal.range !== undefined &&
      literal.range.start.line !== literal.range.end.line
    ) {
      return new StringToken(
        literal.file,
        literal.range,
        literal.value,
        literal.definitionInfo,
        undefined,
        literal.blockScalarHeader,
      );
    }
    return literal;
  }
  allowSequenceStart(): SequenceToken | undefined {
    return this.inner.allowSequenceStart();
  }
  allowSequenceEnd(): boolean {
    return this.inner.allowSequenceEnd();
  }
  allowMappingStart(): MappingToken | undefined {
    return this.inner.allowMappingStart();
  }
  allowMappingEnd(): boolean {
    return this.inner.allowMappingEnd();
  }
  validateStart(): void {
    this.inner.validateStart();
  }
  validateEnd(): void {
    this.inner.validateEnd();
  }
}

export interface TemplateReadResult {
  context: TemplateContext;
  /** Undefined when the YAML itself is invalid (then the context holds the YAML errors). */
  root?: TemplateToken;
}

/**
 * Parses and schema-validates a workflow file within `limits`; errors are collected in
 * `context.errors`. A file over a limit has no root and that limit's message as its only error.
 */
export function readWorkflowTemplate(
  file: string,
  content: string,
  limits: ReadLimits = WORKFLOW_READ_LIMITS,
): TemplateReadResult {
  const context = new TemplateContext(
    new TemplateValidationErrors(MAX_ERRORS, MAX_ERROR_MESSAGE_LENGTH),
    loadWorkflowSchema(),
    new NoOperationTraceWriter(),
  );
  const fileId = context.getFileId(file);
  const tooLarge = fileSizeError(file, content, limits);
  if (tooLarge !== undefined) {
    // GitHub adds this one as a bare message: the file name is already in it.
    context.errors.add(new TemplateValidationError(tooLarge, undefined, undefined, undefined));
    return { context };
  }
  const reader = new BoundedYamlReader(fileId, content, limits);
  if (reader.errors.length > 0) {
    // As parseWorkflow does: invalid YAML makes schema errors misleading, so report only the YAML errors.
    for (const error of reader.errors) context.error(fileId, error.message, error.range);
    return { context };
  }
  const root = readTemplate(context, WORKFLOW_ROOT, new ValueOnlyMultilineReader(reader), fileId);
  if (reader.limitHit !== undefined) {
    // The errors before it describe a file that was never read to its end: the limit is the news.
    context.errors.clear();
    context.error(fileId, new Error(reader.limitHit));
    return { context };
  }
  return { context, root };
}

/** The validation messages collected so far, each prefixed with the file and (when known) `(Line: l, Col: c)`. */
export function templateErrors(context: TemplateContext): string[] {
  return context.errors.getErrors().map((error) => error.message);
}
