/**
 * `shell:` for run steps: GitHub's templates for Linux, custom `command … {0}` templates, and
 * finding the executable on the step's PATH.
 *
 * Reproduced from GitHub: an unspecified shell is `bash -e {0}` (`sh -e {0}` when bash is
 * absent); `bash` is `bash --noprofile --norc -eo pipefail {0}`; `sh -e {0}`; `python {0}`;
 * `pwsh -command ". '{0}'"`; a custom template must contain `{0}`; a missing executable fails
 * with the runner's "Unable to locate executable file" message. `cmd`/`powershell` are
 * Windows shells and are refused here as on a Linux runner.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface ShellCommand {
  /** Absolute path of the executable. */
  file: string;
  /** Arguments with the script path in place of `{0}`. */
  args: string[];
  /** Extension for the script file (`.sh`, `.py`, `.ps1`). */
  extension: string;
}

export class ShellError extends Error {
  override readonly name = 'ShellError';
}

const BUILT_IN: Record<string, { template: string; extension: string }> = {
  bash: { template: 'bash --noprofile --norc -eo pipefail {0}', extension: '.sh' },
  sh: { template: 'sh -e {0}', extension: '.sh' },
  python: { template: 'python {0}', extension: '.py' },
  pwsh: { template: `pwsh -command ". '{0}'"`, extension: '.ps1' },
};

/** Finds an executable on a PATH; undefined when absent. */
export function findExecutable(name: string, path: string | undefined): string | undefined {
  const candidates =
    isAbsolute(name) || name.includes('/')
      ? [name]
      : (path ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

function notFound(name: string): ShellError {
  return new ShellError(
    `Unable to locate executable file: ${name}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`,
  );
}

/** Splits a template like a command line: whitespace separates, double or single quotes group. */
function splitTemplate(template: string): string[] {
  const parts: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of template.matchAll(pattern)) parts.push(match[1] ?? match[2] ?? match[3] ?? '');
  return parts;
}

/** Looks an executable up on a PATH where the job runs (this host, or the job's container). */
export type ExecutableLookup = (name: string, path: string | undefined) => Promise<string | undefined>;

const onThisHost: ExecutableLookup = (name, path) => Promise.resolve(findExecutable(name, path));

/** Resolves `shell:` (undefined = GitHub's default) into an executable and its arguments. */
export async function resolveShell(
  shell: string | undefined,
  scriptPath: (extension: string) => string,
  path: string | undefined,
  find: ExecutableLookup = onThisHost,
): Promise<ShellCommand> {
  const name = shell?.trim() ?? '';
  if (name === 'cmd' || name === 'powershell')
    throw new ShellError(`The shell '${name}' is only available on Windows runners; this dockyard runner is Linux.`);
  let template: string;
  let extension: string;
  if (name === '') {
    // GitHub: bash -e {0} when bash exists, else sh -e {0}.
    const bash = await find('bash', path);
    template = bash === undefined ? 'sh -e {0}' : 'bash -e {0}';
    extension = '.sh';
  } else if (BUILT_IN[name] !== undefined) {
    ({ template, extension } = BUILT_IN[name]);
  } else {
    if (!name.includes('{0}'))
      throw new ShellError(
        `Invalid shell option. Shell path should be an absolute path or the name of an executable in PATH, followed by arguments; '{0}' must appear as the script file: ${name}`,
      );
    template = name;
    extension = '';
  }
  const [command, ...rest] = splitTemplate(template);
  if (command === undefined) throw new ShellError(`Invalid shell option: ${name}`);
  const file = await find(command, path);
  if (file === undefined) throw notFound(command);
  const script = scriptPath(extension);
  return { file, args: rest.map((arg) => arg.replaceAll('{0}', script)), extension };
}
