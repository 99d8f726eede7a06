/**
 * Carries a parse result across a worker boundary: structured cloning keeps data but drops
 * classes, and the workflow model is full of TemplateToken instances (StringToken, MappingToken,
 * BasicExpressionToken, …) whose methods and getters the runner uses. encodeValue turns any value
 * holding tokens into plain data; decodeValueSliced rebuilds it with the tokens' own classes.
 *
 * Every non-primitive is wrapped in an object with exactly one tag (`o` object, `a` array, `t`
 * token), so user data (an input named `t`, say) can never be mistaken for a token.
 *
 * Not carried: a token's `definitionInfo` and `description` (the schema definition it was validated
 * against and its text, for the package's reader, converters and language service, all of which
 * run before encoding or not at all; nothing after parsing reads them).
 */
import { BasicExpressionToken } from '@actions/workflow-parser/templates/tokens/basic-expression-token';
import { BooleanToken } from '@actions/workflow-parser/templates/tokens/boolean-token';
import { InsertExpressionToken } from '@actions/workflow-parser/templates/tokens/insert-expression-token';
import { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import { NullToken } from '@actions/workflow-parser/templates/tokens/null-token';
import { NumberToken } from '@actions/workflow-parser/templates/tokens/number-token';
import type { ScalarToken } from '@actions/workflow-parser/templates/tokens/scalar-token';
import { SequenceToken } from '@actions/workflow-parser/templates/tokens/sequence-token';
import { StringToken } from '@actions/workflow-parser/templates/tokens/string-token';
import { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { TokenRange } from '@actions/workflow-parser/templates/tokens/token-range';

type Primitive = string | number | boolean | null | undefined;

/** A value as it crosses the boundary. */
export type Encoded = Primitive | { o: Record<string, Encoded> } | { a: Encoded[] } | { t: EncodedToken };

interface TokenBase {
  file: number | undefined;
  range: TokenRange | undefined;
}

type EncodedToken = TokenBase &
  (
    | { kind: 'string'; value: string; source: string | undefined; header: string | undefined }
    | { kind: 'number'; value: number }
    | { kind: 'boolean'; value: boolean }
    | { kind: 'null' }
    | { kind: 'sequence'; items: EncodedToken[] }
    | { kind: 'mapping'; pairs: [EncodedToken, EncodedToken][] }
    | {
        kind: 'expression';
        expression: string;
        source: string | undefined;
        originalExpressions: EncodedToken[] | undefined;
        expressionRange: TokenRange | undefined;
        header: string | undefined;
      }
    | { kind: 'insert' }
  );

/** Plain data for `value`, with every TemplateToken inside it encoded. */
export function encodeValue(value: unknown): Encoded {
  if (
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  )
    return value;
  if (value instanceof TemplateToken) return { t: encodeToken(value) };
  if (Array.isArray(value)) return { a: value.map(encodeValue) };
  if (typeof value === 'object') {
    const object: Record<string, Encoded> = {};
    for (const [key, item] of Object.entries(value)) object[key] = encodeValue(item);
    return { o: object };
  }
  throw new TypeError(`cannot encode a ${typeof value}`);
}

/**
 * Rebuilds what encodeValue encoded, with its tokens as instances of their classes again, in
 * slices of about `sliceMs` of the event loop each: a result of 50,000 tokens takes
 * tens of milliseconds to rebuild, which the caller's other work should not wait behind.
 */
export async function decodeValueSliced(encoded: Encoded, sliceMs = 5): Promise<unknown> {
  const steps = decodeSteps(encoded, { nodes: 0 });
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (performance.now() - sliceStart < sliceMs) continue;
    await new Promise((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
}

/** Nodes decoded between two chances to pause. */
const NODES_PER_STEP = 500;

interface Progress {
  nodes: number;
}

/** The decoder as a generator that offers to pause every NODES_PER_STEP nodes. */
function* decodeSteps(encoded: Encoded, progress: Progress): Generator<undefined, unknown> {
  if (encoded === null || typeof encoded !== 'object') return encoded;
  if ('t' in encoded) return yield* tokenSteps(encoded.t, progress);
  if ('a' in encoded) {
    const items: unknown[] = [];
    for (const item of encoded.a) items.push(yield* decodeSteps(item, progress));
    return items;
  }
  const object: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(encoded.o)) object[key] = yield* decodeSteps(item, progress);
  return object;
}

function encodeToken(token: TemplateToken): EncodedToken {
  const base: TokenBase = { file: token.file, range: token.range };
  if (token instanceof StringToken)
    return { ...base, kind: 'string', value: token.value, source: token.source, header: token.blockScalarHeader };
  if (token instanceof NumberToken) return { ...base, kind: 'number', value: token.value };
  if (token instanceof BooleanToken) return { ...base, kind: 'boolean', value: token.value };
  if (token instanceof NullToken) return { ...base, kind: 'null' };
  if (token instanceof SequenceToken) {
    const items: EncodedToken[] = [];
    for (const item of token) items.push(encodeToken(item));
    return { ...base, kind: 'sequence', items };
  }
  if (token instanceof MappingToken) {
    const pairs: [EncodedToken, EncodedToken][] = [];
    for (const pair of token) pairs.push([encodeToken(pair.key), encodeToken(pair.value)]);
    return { ...base, kind: 'mapping', pairs };
  }
  if (token instanceof BasicExpressionToken) {
    return {
      ...base,
      kind: 'expression',
      expression: token.expression,
      source: token.source,
      originalExpressions: token.originalExpressions?.map(encodeToken),
      expressionRange: token.expressionRange,
      header: token.blockScalarHeader,
    };
  }
  if (token instanceof InsertExpressionToken) return { ...base, kind: 'insert' };
  throw new TypeError(`cannot encode a ${token.constructor.name}`);
}

function* tokenSteps(encoded: EncodedToken, progress: Progress): Generator<undefined, TemplateToken> {
  if (++progress.nodes % NODES_PER_STEP === 0) yield;
  const { file, range } = encoded;
  switch (encoded.kind) {
    case 'string':
      return new StringToken(file, range, encoded.value, undefined, encoded.source, encoded.header);
    case 'number':
      return new NumberToken(file, range, encoded.value, undefined);
    case 'boolean':
      return new BooleanToken(file, range, encoded.value, undefined);
    case 'null':
      return new NullToken(file, range, undefined);
    case 'sequence': {
      const sequence = new SequenceToken(file, range, undefined);
      for (const item of encoded.items) sequence.add(yield* tokenSteps(item, progress));
      return sequence;
    }
    case 'mapping': {
      const mapping = new MappingToken(file, range, undefined);
      for (const [key, value] of encoded.pairs) {
        // A key was a mapping's key when it was encoded, so a scalar.
        const keyToken = (yield* tokenSteps(key, progress)) as ScalarToken;
        mapping.add(keyToken, yield* tokenSteps(value, progress));
      }
      return mapping;
    }
    case 'expression': {
      const originals: BasicExpressionToken[] = [];
      for (const original of encoded.originalExpressions ?? [])
        originals.push((yield* tokenSteps(original, progress)) as BasicExpressionToken);
      return new BasicExpressionToken(
        file,
        range,
        encoded.expression,
        undefined,
        encoded.originalExpressions && originals,
        encoded.source,
        encoded.expressionRange,
        encoded.header,
      );
    }
    case 'insert':
      return new InsertExpressionToken(file, range, undefined);
  }
}
