/**
 * CloudWatch Logs filter patterns for unstructured events: terms separated by spaces must all
 * appear (AND); "quoted phrases" match as a whole; a term prefixed with ? makes the pattern
 * match when any ?-term appears (OR); a term prefixed with - must not appear. Matching is
 * case-sensitive, as Logs' is. An empty pattern matches every event. JSON ({ $.x = … }),
 * space-delimited ([a, b]) and regex (%…%) patterns are refused, not guessed.
 */
import { logsErrors } from './errors.js';

export type EventMatcher = (message: string) => boolean;

interface Term {
  text: string;
  kind: 'and' | 'or' | 'not';
}

export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (/^[{[%]/.test(text)) throw logsErrors.unsupportedPattern(text);
  const terms = tokenise(text);
  const and = terms.filter((t) => t.kind === 'and');
  const or = terms.filter((t) => t.kind === 'or');
  const not = terms.filter((t) => t.kind === 'not');
  return (message) =>
    and.every((t) => message.includes(t.text)) &&
    (or.length === 0 || or.some((t) => message.includes(t.text))) &&
    !not.some((t) => message.includes(t.text));
}

function tokenise(text: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    let kind: Term['kind'] = 'and';
    if (text[i] === '?' || text[i] === '-') {
      kind = text[i] === '?' ? 'or' : 'not';
      i++;
    }
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw logsErrors.invalidParameter('Invalid filter pattern: unterminated quoted term');
      terms.push({ text: text.slice(i + 1, end), kind });
      i = end + 1;
    } else {
      const end = text.indexOf(' ', i);
      const stop = end < 0 ? text.length : end;
      terms.push({ text: text.slice(i, stop), kind });
      i = stop;
    }
  }
  return terms.filter((t) => t.text !== '');
}
