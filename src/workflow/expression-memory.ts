/**
 * A bound on the strings an expression can build. format() and join() are the only functions whose
 * result can be much larger than their arguments, and nested, they multiply: a 1,251-character
 * `format('{0}{0}…', format('{0}{0}…', …))` four levels deep builds a 100 MB string, five levels
 * half a gigabyte, on the cloud's event loop. GitHub counts an evaluation's memory and stops it
 * with "The maximum allowed memory size was exceeded while evaluating the following expression: …";
 * here the two functions check the size of their result before building it, against the 10 MiB
 * GitHub gives a template (TemplateMemory counts two bytes a character).
 */
import { data } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { wellKnownFunctions } from '@actions/expressions/funcs';

/** Characters one format() or join() may produce. */
export const MAX_RESULT_CHARS = (10 * 1024 * 1024) / 2;

export class ExpressionMemoryError extends Error {
  constructor() {
    super('The maximum allowed memory size was exceeded');
    this.name = 'ExpressionMemoryError';
  }
}

/**
 * The length format(fs, args…) will have, scanning `fs` as the library does (`{{` and `}}` are
 * escapes, `{N…}` up to the next `}` inserts argument N); undefined when the library will refuse
 * the format string, which it then does with its own message.
 */
export function formatResultLength(fs: string, argLengths: readonly number[]): number | undefined {
  let length = 0;
  let index = 0;
  while (index < fs.length) {
    const lbrace = fs.indexOf('{', index);
    const rbrace = fs.indexOf('}', index);
    if (lbrace >= 0 && (rbrace < 0 || rbrace > lbrace)) {
      if (fs.charAt(lbrace + 1) === '{') {
        length += lbrace - index + 1;
        index = lbrace + 2;
        continue;
      }
      if (rbrace < 0) return undefined;
      const digits = /^\d+/.exec(fs.slice(lbrace + 1, rbrace))?.[0];
      const argLength = digits === undefined ? undefined : argLengths[Number(digits)];
      if (argLength === undefined) return undefined;
      length += lbrace - index + argLength;
      index = rbrace + 1;
    } else if (rbrace >= 0) {
      if (fs.charAt(rbrace + 1) !== '}') return undefined;
      length += rbrace - index + 1;
      index = rbrace + 2;
    } else {
      length += fs.length - index;
      break;
    }
  }
  return length;
}

const format = wellKnownFunctions['format'] as FunctionDefinition;
const join = wellKnownFunctions['join'] as FunctionDefinition;

/** format() and join() as the library has them, refusing a result over MAX_RESULT_CHARS before building it. */
export const BOUNDED_STRING_FUNCTIONS: [string, FunctionDefinition][] = [
  [
    'format',
    {
      ...format,
      call: (...args: data.ExpressionData[]) => {
        const [fs, ...rest] = args;
        if (fs !== undefined) {
          const length = formatResultLength(
            fs.coerceString(),
            rest.map((arg) => arg.coerceString().length),
          );
          if (length !== undefined && length > MAX_RESULT_CHARS) throw new ExpressionMemoryError();
        }
        return format.call(...args);
      },
    },
  ],
  [
    'join',
    {
      ...join,
      call: (...args: data.ExpressionData[]) => {
        const [items, separator] = args;
        if (items !== undefined && items.kind === data.Kind.Array) {
          const values = (items as data.Array).values();
          const separatorLength = separator?.primitive === true ? separator.coerceString().length : 1;
          let length = Math.max(0, values.length - 1) * separatorLength;
          for (const value of values) length += value.coerceString().length;
          if (length > MAX_RESULT_CHARS) throw new ExpressionMemoryError();
        }
        return join.call(...args);
      },
    },
  ],
];
