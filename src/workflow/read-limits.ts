/**
 * The limits on reading a workflow or action file, GitHub's own where it has them
 * (actions/runner, src/Sdk/WorkflowParser: ParseOptions, YamlTemplateLoader, YamlObjectReader,
 * TemplateMemory), with its messages:
 *
 * - 1,048,576 characters per file (ParseOptions.MaxFileSize):
 *   "<file>: The maximum file size of 1048576 characters has been exceeded";
 * - 50,000 YAML nodes visited, where an alias's nodes count again at every use
 *   (YamlObjectReader's c_maxYamlNodes, there to stop anchor expansion): "Maximum YAML nodes exceeded";
 * - 50 levels of nested mappings and sequences (ParseOptions.MaxDepth): "Maximum object depth
 *   exceeded";
 * - 10 MiB of tokens, each measured as TemplateMemory does (24 bytes an object, strings 26 more plus
 *   two a character) (ParseOptions.MaxResultSize): "Maximum object size exceeded";
 * - 10 errors of at most 500 characters (ParseOptions.MaxErrors, MaxErrorMessageLength).
 *
 * Together they make reading a file linear in its size: no input can make the reader visit more
 * than 50,000 nodes or hold more than 10 MiB, whatever its anchors do.
 *
 * An action manifest gets the same file size; its YAML is read as data with `yaml`'s own alias
 * bound, and its expression-bearing parts through this reader (src/runner/actions/definition.ts).
 */

export interface ReadLimits {
  /** Characters (UTF-16 code units, as .NET counts them) in the file. */
  maxFileSize: number;
  /** YAML nodes visited, aliases expanded. */
  maxYamlNodes: number;
  /** Nested mappings and sequences. */
  maxDepth: number;
  /** Bytes of the token tree, as GitHub's TemplateMemory estimates them. */
  maxResultBytes: number;
}

export const WORKFLOW_READ_LIMITS: ReadLimits = {
  maxFileSize: 1024 * 1024,
  maxYamlNodes: 50_000,
  maxDepth: 50,
  maxResultBytes: 10 * 1024 * 1024,
};

/** GitHub's error list bounds: at most 10 errors, each cut to 500 characters. */
export const MAX_ERRORS = 10;
export const MAX_ERROR_MESSAGE_LENGTH = 500;

/** TemplateMemory's estimates, in bytes. */
export const MIN_OBJECT_SIZE = 24;
export const STRING_BASE_OVERHEAD = 26;

/** GitHub's message for a file over the size limit. */
export function fileTooLargeMessage(file: string, limits: ReadLimits): string {
  return `${file}: The maximum file size of ${limits.maxFileSize} characters has been exceeded`;
}

/** fileTooLargeMessage for a file over the size limit, undefined for one within it. */
export function fileSizeError(file: string, content: string, limits: ReadLimits): string | undefined {
  return content.length <= limits.maxFileSize ? undefined : fileTooLargeMessage(file, limits);
}

/** Thrown by the reader when a limit is hit; its message is GitHub's. */
export class ReadLimitError extends Error {
  override readonly name = 'ReadLimitError';
}
