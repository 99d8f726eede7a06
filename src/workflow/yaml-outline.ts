/**
 * The layout of a YAML file, not its meaning: every mapping, sequence and scalar down to a
 * depth, with where it is in the text (the `yaml` package's Document API ranges). Tools that edit
 * a user's file in place (`dockyard migrate-to-oidc`) find what to change here and splice the
 * original text, so that everything else (comments, quoting, indentation, blank lines) stays
 * byte for byte; re-serialising the document would restyle it.
 *
 * Pure, and meant to run in the parse worker (parse-pool.ts, `outlineYamlBounded`) on a file that
 * is within GitHub's limits: aliases are reported as aliases, never followed, so the outline has
 * at most as many nodes as the text.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

/** [start, end) character offsets: a node's value, without trailing comments. */
export type TextRange = [number, number];

export type OutlineNode =
  | { kind: 'scalar'; value: string | number | boolean | null; range: TextRange }
  | { kind: 'map'; flow: boolean; range: TextRange; entries: OutlineEntry[] }
  | { kind: 'seq'; flow: boolean; range: TextRange; items: OutlineNode[] }
  /** An alias, or a node below the depth asked for. */
  | { kind: 'other'; range: TextRange };

export interface OutlineEntry {
  /** The key as text (a key that is not a scalar reads as ''). */
  key: string;
  keyRange: TextRange;
  /** Null for `key:` with no value. */
  value: OutlineNode | null;
}

export type YamlOutline = { root: OutlineNode | null } | { errors: string[] };

/** The outline of the first document of `content`, `depth` levels deep (the root is level 0). */
export function outlineYaml(content: string, depth: number): YamlOutline {
  const doc = parseDocument(content, { keepSourceTokens: false, uniqueKeys: false });
  if (doc.errors.length > 0) return { errors: doc.errors.map((e) => e.message) };
  return { root: doc.contents ? outline(doc.contents, depth) : null };
}

function rangeOf(node: YamlNode): TextRange {
  const range = node.range ?? [0, 0, 0];
  return [range[0], range[1]];
}

function outline(node: YamlNode | null, depth: number): OutlineNode {
  // `- ` with nothing after it: an empty item.
  if (node === null) return { kind: 'scalar', value: null, range: [0, 0] };
  if (isAlias(node) || depth < 0) return { kind: 'other', range: rangeOf(node) };
  if (isScalar(node)) {
    const value = node.value;
    const plain =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null
        ? value
        : String(value);
    return { kind: 'scalar', value: plain, range: rangeOf(node) };
  }
  if (isMap(node)) {
    const entries: OutlineEntry[] = node.items.map((pair) => {
      const key = pair.key as YamlNode | null;
      const value = pair.value as YamlNode | null;
      return {
        key: key && isScalar(key) ? String(key.value) : '',
        keyRange: key ? rangeOf(key) : [0, 0],
        value: value ? outline(value, depth - 1) : null,
      };
    });
    return { kind: 'map', flow: node.flow === true, range: rangeOf(node), entries };
  }
  if (isSeq(node)) {
    return {
      kind: 'seq',
      flow: node.flow === true,
      range: rangeOf(node),
      items: node.items.map((item) => outline(item as YamlNode | null, depth - 1)),
    };
  }
  return { kind: 'other', range: rangeOf(node) };
}
