/**
 * XML rendering for the Query protocols. Output values are plain objects from handlers:
 * strings, numbers, booleans, Dates, arrays and nested objects. The protocol decides how a
 * list item is named (<member> for awsQuery, <item> for ec2Query) and how dates look.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content and attribute values; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN_IN_XML, '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these control characters outright
const FORBIDDEN_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export interface XmlStyle {
  /** Element name for list items. */
  listItem: 'member' | 'item';
  /** Renders a timestamp. */
  date(value: Date): string;
}

/** ISO 8601 with milliseconds and Z, as IAM and STS send timestamps. */
export function isoDate(value: Date): string {
  return value.toISOString();
}

/** Renders the members of `value` (an object) as child elements, in insertion order. */
export function renderMembers(value: Record<string, unknown>, style: XmlStyle): string {
  let out = '';
  for (const [name, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    out += renderElement(name, member, style);
  }
  return out;
}

function renderElement(name: string, value: unknown, style: XmlStyle): string {
  if (Array.isArray(value)) {
    let items = '';
    for (const item of value) {
      if (item === undefined || item === null) continue;
      items += renderElement(style.listItem, item, style);
    }
    return `<${name}>${items}</${name}>`;
  }
  return `<${name}>${renderValue(value, style)}</${name}>`;
}

function renderValue(value: unknown, style: XmlStyle): string {
  if (value instanceof Date) return style.date(value);
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'object' && value !== null) return renderMembers(value as Record<string, unknown>, style);
  return '';
}
