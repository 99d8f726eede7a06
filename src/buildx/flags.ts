/**
 * Command-line flags parsed the way the docker CLI's flag library (spf13/pflag) parses them:
 * `--name value`, `--name=value`, `-n value`, `-nvalue`, bool flags that take no value (or
 * `--flag=false`), repeatable flags collected in order, comma-split list flags, and `--` ending
 * the flags. Unknown flags fail with pflag's own message.
 */

/** How a flag takes its value. */
export type FlagKind = 'bool' | 'string' | 'array' | 'slice';

/** One flag: its long name, optional one-letter short name, and kind. */
export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
}

/** Parsed flags: string values, bools, and arrays (in the order given). */
export interface ParsedFlags {
  strings: Map<string, string>;
  bools: Map<string, boolean>;
  arrays: Map<string, string[]>;
  /** Flags given explicitly, by long name. */
  seen: Set<string>;
  positional: string[];
}

/** A usage error, printed as `ERROR: …` (or as the docker CLI prints flag errors). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The longest argument accepted: anything larger is a mistake, not a flag value. */
const MAX_ARGUMENT = 1024 * 1024;

function parseBool(flag: string, value: string): boolean {
  if (/^(1|t|true|TRUE|True)$/.test(value)) return true;
  if (/^(0|f|false|FALSE|False)$/.test(value)) return false;
  throw new UsageError(
    `invalid argument "${value}" for "--${flag}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
  );
}

/** Parses `args` against `specs`; `interspersed` (pflag's default) lets flags follow positionals. */
export function parseFlags(
  args: readonly string[],
  specs: readonly FlagSpec[],
  options: { interspersed?: boolean } = {},
): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short ?? '', s]));
  const out: ParsedFlags = { strings: new Map(), bools: new Map(), arrays: new Map(), seen: new Set(), positional: [] };
  const set = (spec: FlagSpec, value: string) => {
    if (value.length > MAX_ARGUMENT) throw new UsageError(`the value of --${spec.name} is too long`);
    out.seen.add(spec.name);
    if (spec.kind === 'bool') out.bools.set(spec.name, parseBool(spec.name, value));
    else if (spec.kind === 'string') out.strings.set(spec.name, value);
    else {
      const list = out.arrays.get(spec.name) ?? [];
      if (spec.kind === 'slice') list.push(...splitSlice(value));
      else list.push(value);
      out.arrays.set(spec.name, list);
    }
  };
  const interspersed = options.interspersed ?? true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      out.positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, arg.slice(eq + 1));
      else if (spec.kind === 'bool') set(spec, 'true');
      else {
        if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: --${name}`);
        set(spec, args[++i] ?? '');
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A group of short flags: bools may be combined (-qD); a value flag takes the rest or the next argument.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] ?? '';
        const spec = byShort.get(letter);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
        if (spec.kind === 'bool') {
          if (arg[j + 1] === '=') {
            set(spec, arg.slice(j + 2));
            break;
          }
          set(spec, 'true');
          continue;
        }
        let value = arg.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        else if (value === '') {
          if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: '${letter}' in -${letter}`);
          value = args[++i] ?? '';
        }
        set(spec, value);
        break;
      }
      continue;
    }
    if (!interspersed) {
      out.positional.push(...args.slice(i));
      break;
    }
    out.positional.push(arg);
  }
  return out;
}

/** pflag's StringSlice: values are CSV fields (quotes allowed), split on commas. */
export function splitSlice(value: string): string[] {
  if (value === '') return [];
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') {
      if (quoted && value[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  return fields;
}

/** The string value of a flag, or the fallback. */
export function stringFlag(flags: ParsedFlags, name: string, fallback = ''): string {
  return flags.strings.get(name) ?? fallback;
}

/** The values of a repeatable flag. */
export function arrayFlag(flags: ParsedFlags, name: string): string[] {
  return flags.arrays.get(name) ?? [];
}

/** The value of a bool flag. */
export function boolFlag(flags: ParsedFlags, name: string, fallback = false): boolean {
  return flags.bools.get(name) ?? fallback;
}
