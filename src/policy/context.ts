/**
 * The request's condition keys, looked up case-insensitively (AWS: condition key names are
 * case-insensitive, values are not). Built once per evaluation so every statement, condition
 * and policy variable shares one lowercased index.
 */
import type { ConditionContext } from './document.js';

export class ContextValues {
  private readonly byKey = new Map<string, readonly string[]>();
  /** Keys as the caller spelled them: policies usually spell keys the same way, sparing a toLowerCase. */
  private readonly exact = new Map<string, readonly string[]>();

  constructor(context: ConditionContext) {
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue;
      const values = typeof value === 'string' ? [value] : value;
      const lower = key.toLowerCase();
      // Two spellings of one key: keep both sets of values rather than letting one hide the other.
      const existing = this.byKey.get(lower);
      this.byKey.set(lower, existing === undefined ? values : [...existing, ...values]);
    }
    // Filled after merging, so an exact hit returns the same values as a case-folded one.
    for (const key of Object.keys(context)) {
      const values = this.byKey.get(key.toLowerCase());
      if (values !== undefined) this.exact.set(key, values);
    }
  }

  /** The key's values: undefined when absent, possibly empty when the caller passed `[]`. */
  get(key: string): readonly string[] | undefined {
    return this.exact.get(key) ?? this.byKey.get(key.toLowerCase());
  }
}
