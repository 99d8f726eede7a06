/**
 * CSV as the docker actions read their inputs (csv-parse with relaxed quotes and column counts,
 * empty lines skipped, an optional comment character): records split on newlines, fields on
 * commas, `"…"` quoting with `""` for a quote; a quote inside an unquoted field is kept as is.
 */

/** Options the actions pass to the parser. */
export interface CsvOptions {
  /** A character that starts a comment running to the end of the line (outside quotes). */
  comment?: string;
  /** Only a comment character at the start of a record starts a comment (csv-parse's comment_no_infix). */
  commentNoInfix?: boolean;
  /** false: quotes are ordinary characters. */
  quote?: boolean;
}

/** The most input read: the actions' inputs are lists of tags, labels and such. */
const MAX_INPUT = 1024 * 1024;

/** Parses `input` into records of fields. */
export function parseCsv(input: string, options: CsvOptions = {}): string[][] {
  if (input.length > MAX_INPUT) throw new Error(`input longer than ${MAX_INPUT} characters`);
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let inComment = false;
  const quotes = options.quote !== false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push(fields);
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i] ?? '';
    if (inComment) {
      if (c === '\n') {
        inComment = false;
        if (fields.length > 0 || field !== '' || fieldStarted) endRecord();
      }
      continue;
    }
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (quotes && c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
      continue;
    }
    if (
      options.comment &&
      c === options.comment &&
      (!options.commentNoInfix || (fields.length === 0 && field === ''))
    ) {
      inComment = true;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      continue;
    }
    field += c;
  }
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

/** Options of {@link getList} (actions-toolkit's Util.getList). */
export interface ListOptions extends CsvOptions {
  ignoreComma?: boolean;
  trimWhitespace?: boolean;
}

/** A list input: one item a line, or comma-separated unless `ignoreComma`; empty items dropped, trimmed. */
export function getList(input: string, options: ListOptions = {}): string[] {
  if (input === '') return [];
  const out: string[] = [];
  for (const record of parseCsv(input, options)) {
    if (record.length === 1) {
      if (options.ignoreComma) out.push(record[0] ?? '');
      else out.push(...(record[0] ?? '').split(','));
    } else if (!options.ignoreComma) out.push(...record);
    else out.push(record.join(','));
  }
  return out.filter((item) => item).map((item) => (options.trimWhitespace === false ? item : item.trim()));
}
