/**
 * A workflow file of a pushed commit, read and parsed within bounds, and how GitHub reports one
 * it cannot read: a failed run whose annotation is titled "Invalid workflow file: <file>#L<line>"
 * and says "The workflow is not valid. <file> (Line: l, Col: c): <error>".
 */
import { GitOutputTooLargeError } from '../git/git-cli.js';
import type { HostedRepository } from '../git/contract.js';
import type { ParseResult, PushEventInfo } from '../workflow/contract.js';
import {
  fileTooLargeMessage,
  parsePushedWorkflowBounded,
  parseWorkflowFileBounded,
  WORKFLOW_READ_LIMITS,
} from '../workflow/index.js';

/**
 * The workflow at `file` in commit `sha`, parsed off the event loop with GitHub's limits
 * (parseWorkflowFileBounded); undefined when the commit has no such file.
 */
export async function readWorkflowAt(
  repo: HostedRepository,
  sha: string,
  file: string,
): Promise<ParseResult | undefined> {
  const text = await workflowText(repo, sha, file);
  if (text === undefined || typeof text !== 'string') return text;
  return parseWorkflowFileBounded(file, text);
}

/** readWorkflowAt, and whether `push` triggers the workflow (decided in the parse worker too). */
export async function readPushedWorkflowAt(
  repo: HostedRepository,
  sha: string,
  file: string,
  push: PushEventInfo,
): Promise<{ parsed: ParseResult; triggered: boolean } | undefined> {
  const text = await workflowText(repo, sha, file);
  if (text === undefined || typeof text !== 'string') return text && { parsed: text, triggered: false };
  return parsePushedWorkflowBounded(file, text, push);
}

/** The file's text; its errors when it is far too large to read; undefined when there is no such file. */
async function workflowText(
  repo: HostedRepository,
  sha: string,
  file: string,
): Promise<string | ParseResult | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await repo.readFile(sha, file);
  } catch (error) {
    // Far over the limit: the repository refuses to hand over more than it is willing to hold.
    if (error instanceof GitOutputTooLargeError) return { errors: [fileTooLargeMessage(file, WORKFLOW_READ_LIMITS)] };
    throw error;
  }
  return bytes?.toString('utf8');
}

export interface InvalidWorkflowReport {
  /** "Invalid workflow file: .github/workflows/ci.yml#L12" */
  title: string;
  /** "The workflow is not valid. " and the errors, one a line. */
  message: string;
  /** The first error's line, else 1 (GitHub links `#L1` then). */
  line: number;
}

/** GitHub's report of a workflow file it refuses. */
export function invalidWorkflowReport(file: string, errors: readonly string[]): InvalidWorkflowReport {
  const line = Number(/\(Line: (\d+), Col: \d+\)/.exec(errors[0] ?? '')?.[1] ?? 1);
  return {
    title: `Invalid workflow file: ${file}#L${line}`,
    message: `The workflow is not valid. ${errors.join('\n')}`,
    line,
  };
}
