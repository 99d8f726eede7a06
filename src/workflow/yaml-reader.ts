/**
 * BoundedYamlReader: YAML text → the parse events @actions/workflow-parser's template reader
 * consumes, as the package's YamlObjectReader produces them (same `yaml` options, same tokens,
 * ranges, sources and block scalar headers, aliases replayed as their anchored node), with
 * GitHub's limits (read-limits.ts) checked at every event.
 *
 * Why not the package's reader: it expands every alias it meets without a bound (10 nested levels
 * of 10 aliases, ~700 bytes, are 10^10 nodes), and it resolves each alias with `Alias.resolve`,
 * which walks the whole document every time. Here anchors are resolved once, in one walk, with the
 * same rule (the last node carrying the anchor before the alias, in document order), and the node,
 * depth and size budgets stop a file that asks for more, with GitHub's messages.
 */
import {
  isAlias,
  isCollection,
  isDocument,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
} from 'yaml';
import type { Document, Node as YamlNode, Scalar } from 'yaml';
import type { ObjectReader } from '@actions/workflow-parser/templates/object-reader';
import { BooleanToken } from '@actions/workflow-parser/templates/tokens/boolean-token';
import type { LiteralToken } from '@actions/workflow-parser/templates/tokens/literal-token';
import { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import { NullToken } from '@actions/workflow-parser/templates/tokens/null-token';
import { NumberToken } from '@actions/workflow-parser/templates/tokens/number-token';
import { SequenceToken } from '@actions/workflow-parser/templates/tokens/sequence-token';
import { StringToken } from '@actions/workflow-parser/templates/tokens/string-token';
import type { TokenRange } from '@actions/workflow-parser/templates/tokens/token-range';
import { MIN_OBJECT_SIZE, ReadLimitError, STRING_BASE_OVERHEAD, type ReadLimits } from './read-limits.js';

type ReadEvent =
  | { kind: 'document-start' | 'document-end' | 'sequence-end' | 'mapping-end' }
  | { kind: 'literal'; token: LiteralToken }
  | { kind: 'sequence-start'; token: SequenceToken }
  | { kind: 'mapping-start'; token: MappingToken };

export interface YamlReadError {
  message: string;
  range: TokenRange | undefined;
}

export class BoundedYamlReader implements ObjectReader {
  /** The YAML syntax errors; when there are any, the caller reports them and reads no further. */
  readonly errors: YamlReadError[] = [];
  /** GitHub's message for the limit this file hit, once it has hit one. */
  limitHit: string | undefined;

  private readonly lineCounter = new LineCounter();
  private readonly doc: Document.Parsed;
  /** Each alias → the node it stands for. */
  private readonly aliasTargets = new Map<YamlNode, YamlNode>();
  private readonly events: Generator<ReadEvent>;
  private current: IteratorResult<ReadEvent> | undefined;
  private nodes = 0;
  private depth = 0;
  private bytes = 0;

  constructor(
    private readonly fileId: number | undefined,
    content: string,
    private readonly limits: ReadLimits,
  ) {
    // The options of the package's reader: the template reader itself reports duplicate keys.
    this.doc = parseDocument(content, { lineCounter: this.lineCounter, keepSourceTokens: true, uniqueKeys: false });
    for (const error of this.doc.errors)
      this.errors.push({ message: error.message, range: rangeFromLinePos(error.linePos) });
    this.events = this.documentEvents();
  }

  allowLiteral(): LiteralToken | undefined {
    const event = this.peek();
    if (event?.kind !== 'literal') return undefined;
    this.advance();
    return event.token;
  }

  allowSequenceStart(): SequenceToken | undefined {
    const event = this.peek();
    if (event?.kind !== 'sequence-start') return undefined;
    this.advance();
    return event.token;
  }

  allowSequenceEnd(): boolean {
    if (this.peek()?.kind !== 'sequence-end') return false;
    this.advance();
    return true;
  }

  allowMappingStart(): MappingToken | undefined {
    const event = this.peek();
    if (event?.kind !== 'mapping-start') return undefined;
    this.advance();
    return event.token;
  }

  allowMappingEnd(): boolean {
    if (this.peek()?.kind !== 'mapping-end') return false;
    this.advance();
    return true;
  }

  validateStart(): void {
    if (this.current === undefined) this.advance();
    if (this.peek()?.kind !== 'document-start') throw new Error('Expected start of reader');
    this.advance();
  }

  validateEnd(): void {
    if (this.peek()?.kind !== 'document-end') throw new Error('Expected end of reader');
    this.advance();
  }

  private peek(): ReadEvent | undefined {
    return this.current === undefined || this.current.done === true ? undefined : this.current.value;
  }

  /** Moves to the next event, charging it to the budgets; throws ReadLimitError past one. */
  private advance(): void {
    this.current = this.events.next();
    if (this.current.done === true) return;
    const event = this.current.value;
    if (++this.nodes > this.limits.maxYamlNodes) this.exceeded('Maximum YAML nodes exceeded');
    if (event.kind === 'sequence-start' || event.kind === 'mapping-start') {
      if (++this.depth > this.limits.maxDepth) this.exceeded('Maximum object depth exceeded');
      this.charge(MIN_OBJECT_SIZE);
    } else if (event.kind === 'sequence-end' || event.kind === 'mapping-end') {
      this.depth--;
    } else if (event.kind === 'literal') {
      const { token } = event;
      this.charge(
        token instanceof StringToken
          ? MIN_OBJECT_SIZE + STRING_BASE_OVERHEAD + 2 * String(token.value ?? '').length
          : MIN_OBJECT_SIZE,
      );
    }
  }

  private charge(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.limits.maxResultBytes) this.exceeded('Maximum object size exceeded');
  }

  private exceeded(message: string): never {
    this.limitHit = message;
    // Nothing more is read: the template reader's next call sees the end of the events.
    this.current = { done: true, value: undefined };
    throw new ReadLimitError(message);
  }

  /** One walk in document order: an alias stands for the last node before it that carries its anchor. */
  private resolveAnchors(): void {
    const anchored = new Map<string, YamlNode>();
    visit(this.doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = anchored.get(node.source);
          if (target !== undefined) this.aliasTargets.set(node, target);
        } else if (node.anchor !== undefined) {
          anchored.set(node.anchor, node);
        }
      },
    });
  }

  private *documentEvents(): Generator<ReadEvent> {
    // Here rather than in the constructor: a file with YAML errors is never read, so never walked.
    this.resolveAnchors();
    yield { kind: 'document-start' };
    yield* this.nodeEvents(this.doc.contents, new Set());
    yield { kind: 'document-end' };
  }

  /**
   * The events of one node. `replaying` holds the anchored nodes whose alias is being expanded:
   * an alias to one of them (an anchor containing its own alias) yields nothing, as in the
   * package's reader; the schema then reports what is missing.
   */
  private *nodeEvents(node: unknown, replaying: ReadonlySet<YamlNode>): Generator<ReadEvent> {
    if (isDocument(node)) return;
    if (isAlias(node)) {
      const target = this.aliasTargets.get(node);
      if (target === undefined || replaying.has(target)) return; // unresolved: `yaml` reported it
      yield* this.nodeEvents(target, new Set([...replaying, target]));
      return;
    }
    if (isPair(node)) {
      const key: unknown = node.key;
      // As the package's reader: the key's value, whatever it is, becomes a string token.
      const keyValue = isScalar(key) ? key.value : undefined;
      yield { kind: 'literal', token: new StringToken(this.fileId, this.rangeOf(key), keyValue as string, undefined) };
      yield* this.nodeEvents(node.value, replaying);
      return;
    }
    if (isScalar(node)) {
      yield { kind: 'literal', token: this.literal(node) };
      return;
    }
    if (!isCollection(node)) return;
    const range = this.rangeOf(node);
    if (isSeq(node)) yield { kind: 'sequence-start', token: new SequenceToken(this.fileId, range, undefined) };
    else if (isMap(node)) yield { kind: 'mapping-start', token: new MappingToken(this.fileId, range, undefined) };
    for (const item of node.items) yield* this.nodeEvents(item, replaying);
    if (isSeq(node)) yield { kind: 'sequence-end' };
    else if (isMap(node)) yield { kind: 'mapping-end' };
  }

  /** A scalar as the package's reader makes it: by the value's JavaScript type, strings with their source. */
  private literal(scalar: Scalar): LiteralToken {
    const range = this.rangeOf(scalar);
    const value: unknown = scalar.value;
    if (value === null || value === undefined) return new NullToken(this.fileId, range, undefined);
    if (typeof value === 'number') return new NumberToken(this.fileId, range, value, undefined);
    if (typeof value === 'boolean') return new BooleanToken(this.fileId, range, value, undefined);
    if (typeof value !== 'string') throw new Error(`Unexpected value type '${typeof value}' when reading object`);
    const source = scalar.srcToken;
    if (source === undefined || !('source' in source))
      return new StringToken(this.fileId, range, value, undefined, undefined, undefined);
    // A block scalar's header (`|`, `|-`, `>+`, …), which the template reader uses for multi-line strings.
    const header =
      source.type === 'block-scalar' ? source.props.find((prop) => prop.type === 'block-scalar-header') : undefined;
    const headerText = header !== undefined && 'source' in header ? header.source : undefined;
    return new StringToken(this.fileId, range, value, undefined, source.source, headerText || undefined);
  }

  private rangeOf(node: unknown): TokenRange | undefined {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range === undefined) return undefined;
    const start = this.lineCounter.linePos(range[0]);
    const end = this.lineCounter.linePos(range[1]);
    return { start: { line: start.line, column: start.col }, end: { line: end.line, column: end.col } };
  }
}

function rangeFromLinePos(
  linePos: [{ line: number; col: number }] | [{ line: number; col: number }, { line: number; col: number }] | undefined,
): TokenRange | undefined {
  if (linePos === undefined) return undefined;
  const start = { line: linePos[0].line, column: linePos[0].col };
  const last = linePos[1];
  return { start, end: last === undefined ? start : { line: last.line, column: last.col } };
}
