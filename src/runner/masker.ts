/**
 * Secret masking: every registered value becomes `***` in anything the runner writes to a log
 * file, emits to a watcher or stores as a summary, annotation or step output it shows.
 *
 * Reproduced from GitHub: a multi-line value is also registered line by line (a log is written
 * line by line, so the whole value never appears on one line); the JSON-escaped form is masked
 * too (toJSON(secrets) prints it). Values are replaced longest first, so a secret containing
 * another one is still masked whole. Blank values are ignored, as GitHub ignores them.
 */
export class Masker {
  private readonly values = new Set<string>();
  private ordered: string[] = [];

  /** Registers a value (and its lines) to be masked from now on. */
  add(value: string | undefined): void {
    if (value === undefined) return;
    const candidates = [value, ...value.split(/\r?\n/), JSON.stringify(value).slice(1, -1)];
    let changed = false;
    for (const candidate of candidates) {
      const trimmed = candidate.trim();
      if (trimmed === '' || this.values.has(candidate)) continue;
      this.values.add(candidate);
      // A line with surrounding spaces is also masked without them (log lines are often trimmed).
      if (trimmed !== candidate) this.values.add(trimmed);
      changed = true;
    }
    if (changed) this.ordered = [...this.values].sort((a, b) => b.length - a.length);
  }

  /** The text with every registered value replaced by `***`. */
  mask(text: string): string {
    let result = text;
    for (const value of this.ordered) {
      if (result.includes(value)) result = result.split(value).join('***');
    }
    return result;
  }

  /** True when the text contains a registered value (GitHub then refuses to pass it as a job output). */
  containsSecret(text: string): boolean {
    return this.ordered.some((value) => text.includes(value));
  }

  /** A child masker that starts with this one's values (a job inherits the run's secrets). */
  fork(): Masker {
    const child = new Masker();
    for (const value of this.values) child.values.add(value);
    child.ordered = [...this.ordered];
    return child;
  }
}
