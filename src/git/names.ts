/**
 * Repository names as GitHub allows them: `OWNER/NAME`, owners of letters, digits and single
 * inner hyphens (at most 39), names of letters, digits, `.`, `_` and `-` (at most 100), never
 * `.` or `..`. The hosting uses a name as a directory, so this check is also what keeps a name
 * from escaping the repositories' root.
 *
 * By design: a name ending in `.git` is refused (GitHub silently strips the suffix); accepting
 * it would make `/git/o/x.git` ambiguous between repository `x` and `x.git`.
 */

/** A malformed `OWNER/NAME`; the message says what is wrong. */
export class RepositoryNameError extends Error {
  override readonly name = 'RepositoryNameError';
}

/** A validated repository name. */
export interface RepositoryName {
  owner: string;
  name: string;
  /** `OWNER/NAME`. */
  fullName: string;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const NAME = /^[A-Za-z0-9._-]+$/;
const MAX_OWNER = 39;
const MAX_NAME = 100;

/** Checks an owner (user or organisation) name. */
export function validateOwner(owner: string): string {
  if (owner.length === 0) throw new RepositoryNameError('The repository owner is empty');
  if (owner.length > MAX_OWNER)
    throw new RepositoryNameError(`The owner "${clip(owner)}" is longer than ${MAX_OWNER} characters`);
  if (!OWNER.test(owner)) {
    throw new RepositoryNameError(
      `The owner "${clip(owner)}" may only contain letters, digits and hyphens, and may not begin or end with a hyphen`,
    );
  }
  return owner;
}

/** Checks a repository's own name (without owner). */
export function validateName(name: string): string {
  if (name.length === 0) throw new RepositoryNameError('The repository name is empty');
  if (name.length > MAX_NAME)
    throw new RepositoryNameError(`The repository name "${clip(name)}" is longer than ${MAX_NAME} characters`);
  if (!NAME.test(name))
    throw new RepositoryNameError(
      `The repository name "${clip(name)}" may only contain letters, digits, ".", "_" and "-"`,
    );
  if (name === '.' || name === '..') throw new RepositoryNameError(`"${name}" is not a repository name`);
  if (name.toLowerCase().endsWith('.git'))
    throw new RepositoryNameError(`The repository name "${clip(name)}" may not end in ".git"`);
  return name;
}

/** Parses and checks `OWNER/NAME`. */
export function parseRepositoryName(fullName: string): RepositoryName {
  if (typeof fullName !== 'string') throw new RepositoryNameError('The repository name must be a string');
  const parts = fullName.split('/');
  if (parts.length !== 2) throw new RepositoryNameError(`"${clip(fullName)}" is not of the form OWNER/NAME`);
  const [owner, name] = parts as [string, string];
  validateOwner(owner);
  validateName(name);
  return { owner, name, fullName: `${owner}/${name}` };
}

/** True when `fullName` is a valid `OWNER/NAME`. */
export function isRepositoryName(fullName: string): boolean {
  try {
    parseRepositoryName(fullName);
    return true;
  } catch {
    return false;
  }
}

/** Keeps an echoed bad name short and on one line. */
function clip(value: string): string {
  const oneLine = JSON.stringify(value).slice(1, -1);
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine;
}
