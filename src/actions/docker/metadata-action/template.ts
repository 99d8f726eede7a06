/**
 * The part of Handlebars metadata-action's expressions use: `{{name}}`, `{{name 'arg' key='v'}}`
 * and `{{{name}}}` against a context of values and helper functions, with Handlebars' HTML
 * escaping of `{{…}}` output, arrays rendered comma-joined, missing names rendered empty, and
 * `\{{` for a literal brace. Blocks, partials and subexpressions are refused by name.
 */

/** A helper's last argument, as Handlebars passes it. */
export interface HelperOptions {
  hash: Record<string, string>;
}

/** What a template may name: plain values or helpers. */
export type TemplateContext = Record<string, unknown>;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return value === false ? 'false' : '';
  if (Array.isArray(value)) return value.map(render).join(',');
  return String(value);
}

interface Statement {
  name: string;
  params: string[];
  hash: Record<string, string>;
  escape: boolean;
}

/** Splits a mustache's inside into name, string/number params and key=value hash. */
function parseStatement(body: string, escape: boolean): Statement {
  const tokens: string[] = [];
  const re = /\s*([a-zA-Z_][\w.-]*=)?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)/gy;
  let match: RegExpExecArray | null;
  let rest = body.trim();
  re.lastIndex = 0;
  while (rest.length > 0 && (match = re.exec(rest)) !== null) {
    tokens.push((match[1] ?? '') + (match[2] ?? ''));
    if (re.lastIndex >= rest.length) break;
  }
  rest = rest.slice(re.lastIndex).trim();
  if (rest !== '' || tokens.length === 0) throw new Error(`Parse error: invalid expression {{${body}}}`);
  const [name = '', ...args] = tokens;
  if (/^[#/^>!&(]/.test(name) || name.startsWith('else'))
    throw new Error(`Unsupported Handlebars expression {{${body}}}: only values and helpers are available`);
  const literal = (t: string) => (/^'.*'$|^".*"$/.test(t) ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t);
  const params: string[] = [];
  const hash: Record<string, string> = {};
  for (const arg of args) {
    const eq = /^([a-zA-Z_][\w.-]*)=(.*)$/.exec(arg);
    if (eq) hash[eq[1] ?? ''] = literal(eq[2] ?? '');
    else params.push(literal(arg));
  }
  return { name, params, hash, escape };
}

/** Compiles and runs `template` against `context`. */
export function renderTemplate(template: string, context: TemplateContext): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    if (open > 0 && template[open - 1] === '\\') {
      out += template.slice(i, open - 1) + '{{';
      i = open + 2;
      continue;
    }
    out += template.slice(i, open);
    const triple = template.startsWith('{{{', open);
    const close = template.indexOf(triple ? '}}}' : '}}', open);
    if (close < 0) throw new Error(`Parse error: unclosed expression in ${JSON.stringify(template)}`);
    const body = template.slice(open + (triple ? 3 : 2), close);
    if (body.trim().startsWith('!')) {
      i = close + (triple ? 3 : 2);
      continue;
    }
    const statement = parseStatement(body.replace(/^~|~$/g, ''), !triple);
    out += evaluate(statement, context);
    i = close + (triple ? 3 : 2);
  }
  return out;
}

function evaluate(statement: Statement, context: TemplateContext): string {
  let value: unknown = context;
  for (const part of statement.name.replace(/^this\./, '').split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'function') {
    const options: HelperOptions = { hash: statement.hash };
    value = (value as (...args: unknown[]) => unknown).call(context, ...statement.params, options);
  } else if (statement.params.length > 0) {
    throw new Error(`Missing helper: "${statement.name}"`);
  }
  const text = render(value);
  return statement.escape ? text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c] ?? c) : text;
}

/** True when `pattern` is exactly one `{{raw}}` statement (metadata-action's isRawStatement). */
export function isRawStatement(pattern: string): boolean {
  return /^\{\{\s*raw\s*\}\}$/.test(pattern);
}
