/**
 * What a CLI command is, and the shared flag parsing. Every command takes --help and
 * --data DIR; unknown flags are refused with the command's usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../core/errors.js';

export interface Command {
  /** Words that select the command: ['up'] or ['trust', 'check']. */
  name: string[];
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** A user mistake: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** A failure the user can act on: printed without a stack trace, exit code 1. */
export class CliError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export const DATA_OPTION = { data: { type: 'string' } } as const satisfies Options;

export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parses flags; --help prints usage and returns undefined. */
export function parseFlags(argv: string[], options: Options, usage: string): Flags | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${errorMessage(error)}\n\n${usage}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
  if (parsed.positionals.length > 0) throw new UsageError(`Unexpected argument: ${parsed.positionals[0]}\n\n${usage}`);
  return parsed.values;
}

/**
 * Like parseFlags, for commands that take arguments: returns the flags and between `min` and
 * `max` positional arguments (`--` ends flags, so values may start with a dash).
 */
export function parseArgsAndFlags(
  argv: string[],
  options: Options,
  usage: string,
  count: { min: number; max: number },
): { flags: Flags; args: string[] } | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${errorMessage(error)}\n\n${usage}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
  const args = parsed.positionals;
  if (args.length < count.min) throw new UsageError(`Missing argument\n\n${usage}`);
  if (args.length > count.max) throw new UsageError(`Unexpected argument: ${args[count.max]}\n\n${usage}`);
  return { flags: parsed.values, args };
}

/** A string flag's value. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** Parses a port number flag. */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, not ${value}`);
  return port;
}
