/**
 * Reads a decoded request (JSON body or decoded Query form) into typed values, collecting
 * violations in AWS's wording so one bad request yields one error like AWS's:
 *   "2 validation errors detected: Value 'a b' at 'roleName' failed to satisfy constraint:
 *    Member must satisfy regular expression pattern: [\w+=,.@-]+; Value null at …"
 * Query input arrives as strings; JSON input as typed values: the reader accepts both.
 */
import { AwsError } from './errors.js';

export interface StringRules {
  min?: number;
  max?: number;
  /** Checked against the whole value. */
  pattern?: RegExp;
  /** The pattern as AWS prints it in the message; defaults to pattern.source. */
  patternText?: string;
  /** Allowed values (AWS: "Member must satisfy enum value set: [A, B]"). */
  oneOf?: readonly string[];
  /**
   * A member the model marks sensitive (a secret's value): AWS names it in a violation
   * without echoing it ("Value at 'secretString' failed to satisfy constraint: …").
   */
  sensitive?: boolean;
}

export interface NumberRules {
  min?: number;
  max?: number;
}

interface ListRules {
  required?: boolean;
  maxItems?: number;
  minItems?: number;
}

type Raw = Record<string, unknown>;

/** The reader for one structure; nested structures and list items get their own. */
export class InputReader {
  private readonly raw: Raw;
  private readonly violations: string[];
  private readonly prefix: string;
  /** The error code for violations: ValidationError (IAM, STS), InvalidParameterException (ECR, ECS), … */
  readonly errorCode: string;

  constructor(raw: unknown, errorCode: string, violations: string[] = [], prefix = '') {
    this.raw = isObject(raw) ? raw : {};
    this.errorCode = errorCode;
    this.violations = violations;
    this.prefix = prefix;
  }

  /** True when the member was sent at all. */
  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  /**
   * With `oneOf`, the value is typed as the union of the allowed values: a value outside it (or
   * a missing required one, read as '') is recorded as a violation, and `done()` throws before
   * any handler sees it.
   */
  string<const V extends string>(name: string, rules: StringRules & { oneOf: readonly V[]; required: true }): V;
  string<const V extends string>(
    name: string,
    rules: StringRules & { oneOf: readonly V[]; required?: boolean },
  ): V | undefined;
  string(name: string, rules: StringRules & { required: true }): string;
  string(name: string, rules?: StringRules & { required?: boolean }): string | undefined;
  string(name: string, rules: StringRules & { required?: boolean } = {}): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) {
      if (rules.required) this.nullViolation(name);
      return rules.required ? '' : undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      this.violate(name, 'Member must be a string', describe(value));
      return rules.required ? '' : undefined;
    }
    const text = String(value);
    this.checkString(name, text, rules);
    return text;
  }

  integer(name: string, rules: NumberRules & { required: true }): number;
  integer(name: string, rules?: NumberRules & { required?: boolean }): number | undefined;
  integer(name: string, rules: NumberRules & { required?: boolean } = {}): number | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') {
      if (rules.required) this.nullViolation(name);
      return rules.required ? 0 : undefined;
    }
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^-?\d+$/.test(value.trim())
          ? Number(value)
          : NaN;
    if (!Number.isSafeInteger(number)) {
      this.violate(name, 'Member must be an integer', describe(value));
      return rules.required ? 0 : undefined;
    }
    if (rules.min !== undefined && number < rules.min) {
      this.violate(name, `Member must have value greater than or equal to ${rules.min}`, String(number));
    }
    if (rules.max !== undefined && number > rules.max) {
      this.violate(name, `Member must have value less than or equal to ${rules.max}`, String(number));
    }
    return number;
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.violate(name, 'Member must be a boolean', describe(value));
    return undefined;
  }

  /** A list of strings; each item checked against the rules (typed to `oneOf`'s union as `string` is). */
  stringList<const V extends string>(
    name: string,
    rules: StringRules & ListRules & { oneOf: readonly V[] },
  ): V[] | undefined;
  stringList(name: string, rules?: StringRules & ListRules): string[] | undefined;
  stringList(name: string, rules: StringRules & ListRules = {}): string[] | undefined {
    const items = this.rawList(name, rules);
    if (items === undefined) return undefined;
    const out: string[] = [];
    items.forEach((item) => {
      if (typeof item !== 'string' && typeof item !== 'number') {
        this.violate(name, 'Member must be a list of strings', describe(item));
        return;
      }
      const text = String(item);
      this.checkString(name, text, rules);
      out.push(text);
    });
    return out;
  }

  /** A list of structures, each read by `read`. */
  list<T>(
    name: string,
    read: (item: InputReader) => T,
    rules: { required?: boolean; maxItems?: number; minItems?: number } = {},
  ): T[] | undefined {
    const items = this.rawList(name, rules);
    if (items === undefined) return undefined;
    return items.map((item, index) =>
      read(new InputReader(item, this.errorCode, this.violations, `${this.path(name)}.${index + 1}.member.`)),
    );
  }

  /** A nested structure. */
  structure<T>(name: string, read: (item: InputReader) => T): T | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) {
      this.violate(name, 'Member must be a structure', describe(value));
      return undefined;
    }
    return read(new InputReader(value, this.errorCode, this.violations, `${this.path(name)}.`));
  }

  /** A string-to-string map: a JSON object, or Query's `entry.N.key/value` list. */
  stringMap(name: string): Record<string, string> | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    const out: Record<string, string> = {};
    const entries = isObject(value) && Array.isArray(value.entry) ? value.entry : null;
    if (entries) {
      for (const entry of entries) {
        if (isObject(entry) && typeof entry.key === 'string') out[entry.key] = String(entry.value ?? '');
      }
      return out;
    }
    if (!isObject(value)) {
      this.violate(name, 'Member must be a map', describe(value));
      return undefined;
    }
    for (const [key, item] of Object.entries(value)) out[key] = String(item);
    return out;
  }

  /** Records a violation found by the caller's own checks; an `undefined` value is not echoed (sensitive members). */
  violate(name: string, constraint: string, value: string | null | undefined): void {
    const shown = value === undefined ? '' : value === null ? ' null' : ` '${value}'`;
    this.violations.push(`Value${shown} at '${this.path(name)}' failed to satisfy constraint: ${constraint}`);
  }

  /** Throws the collected violations as one AWS error. Call once per request, on the top reader. */
  done(): void {
    if (this.violations.length === 0) return;
    const n = this.violations.length;
    throw new AwsError(
      this.errorCode,
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.violations.join('; ')}`,
    );
  }

  private rawList(
    name: string,
    rules: { required?: boolean; maxItems?: number; minItems?: number },
  ): unknown[] | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) {
      if (rules.required) this.nullViolation(name);
      return rules.required ? [] : undefined;
    }
    const items = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.member) ? value.member : null;
    if (!items) {
      this.violate(name, 'Member must be a list', describe(value));
      return rules.required ? [] : undefined;
    }
    if (rules.maxItems !== undefined && items.length > rules.maxItems) {
      this.violate(
        name,
        `Member must have length less than or equal to ${rules.maxItems}`,
        `[${items.map(String).join(', ')}]`,
      );
    }
    if (rules.minItems !== undefined && items.length < rules.minItems) {
      this.violate(
        name,
        `Member must have length greater than or equal to ${rules.minItems}`,
        `[${items.map(String).join(', ')}]`,
      );
    }
    return items;
  }

  private checkString(name: string, text: string, rules: StringRules): void {
    const shown = (value: string) => (rules.sensitive ? undefined : value);
    if (rules.min !== undefined && text.length < rules.min) {
      this.violate(name, `Member must have length greater than or equal to ${rules.min}`, shown(text));
    }
    if (rules.max !== undefined && text.length > rules.max) {
      this.violate(name, `Member must have length less than or equal to ${rules.max}`, shown(truncate(text)));
    }
    if (rules.pattern && !wholeMatch(rules.pattern, text)) {
      this.violate(
        name,
        `Member must satisfy regular expression pattern: ${rules.patternText ?? rules.pattern.source}`,
        shown(truncate(text)),
      );
    }
    if (rules.oneOf && !rules.oneOf.includes(text)) {
      this.violate(name, `Member must satisfy enum value set: [${rules.oneOf.join(', ')}]`, shown(truncate(text)));
    }
  }

  private nullViolation(name: string): void {
    this.violate(name, 'Member must not be null', null);
  }

  /** AWS names members in messages with a lower-case first letter: RoleName → roleName. */
  private path(name: string): string {
    return `${this.prefix}${name.charAt(0).toLowerCase()}${name.slice(1)}`;
  }
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wholeMatch(pattern: RegExp, text: string): boolean {
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace('g', ''));
  return anchored.test(text);
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function describe(value: unknown): string {
  try {
    return truncate(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
  } catch {
    return '[unprintable]';
  }
}
