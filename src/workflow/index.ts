/**
 * The workflow model: parse workflow files, match triggers, evaluate expressions and templates,
 * expand matrices, resolve permissions and display names. Pure except hashFiles(), which reads the
 * workspace. The runner imports only from here; contract.ts documents the types.
 *
 * Fidelity
 * - Gaps: reusable workflows (`jobs.<id>.uses`) are parsed, not loaded; only `push` and
 *   `workflow_dispatch` carry filters (other events are kept by name); hashFiles() does not follow
 *   symbolic links to directories.
 * - By design: '@actions/workflow-parser' is used through its module files, never its root, because the
 *   root cannot be loaded on Node 20 (schema.ts); hashFiles() visits files in sorted order. Users'
 *   files are parsed with parseWorkflowFileBounded: in a worker thread, with a time limit and
 *   GitHub's size, node (anchors included), depth and error limits (read-limits.ts); the YAML is
 *   read by our own reader (yaml-reader.ts), the package's has no bound on alias expansion.
 * - Library bugs worked around: the expressions lexer unescapes only the first `''` of a string
 *   (expressions.ts); the template reader interpolates multi-line strings from their raw YAML source,
 *   indentation included (schema.ts).
 * - Quirks reproduced: `if:` without a status function means `success() && (…)`; GitHub's generated
 *   step ids (`__run`, `__actions_checkout_2`); `?`/`+` in filter patterns repeat the preceding
 *   character; tag pushes ignore path filters; number coercion to at most 15 significant digits.
 */
export type {
  Contexts,
  JobDefinition,
  ParseResult,
  PushFilter,
  Scope,
  StatusState,
  WorkflowCallTrigger,
  WorkflowDefinition,
} from './contract.js';
export type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
export { parseWorkflowFile } from './parse.js';
export {
  BoundedReadError,
  outlineYamlBounded,
  ParsePool,
  parsePushedWorkflowBounded,
  parseWorkflowFileBounded,
  readYamlBounded,
} from './parse-pool.js';
export type { OutlineEntry, OutlineNode, TextRange, YamlOutline } from './yaml-outline.js';
export { fileTooLargeMessage, WORKFLOW_READ_LIMITS } from './read-limits.js';
export { mappingEntries, mappingValue } from './token-reading.js';
export { matchesPush, matchesPushFilter, matchesWorkflowRun, type WorkflowRunEventInfo } from './triggers.js';
export {
  conditionExpression,
  evaluateCondition,
  evaluateExpression,
  ExpressionFailure,
  stripExpressionMarkers,
} from './expressions.js';
export {
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  jsonToString,
  sourceText,
  TemplateValueError,
} from './templates.js';
export { expandMatrix, MAX_MATRIX_COMBINATIONS } from './matrix.js';
export {
  calledJobPermissions,
  effectivePermissions,
  PERMISSION_SCOPES,
  PERMISSIVE_DEFAULT,
  permits,
} from './permissions.js';

export { jobDisplayName, stepDisplayName } from './names.js';
export { hashFiles } from './hash-files.js';
export { filterPatternToRegExp, matchesFilterList } from './glob.js';
/** Readers over parsed tokens, for fields the runner reads as written (e.g. `container`). */
