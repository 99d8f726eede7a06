/**
 * The messages between parse-pool.ts and its workers (parse-worker.ts), kept apart so that the
 * pool's side never loads the worker's module, and with it the parser, into the main thread.
 */
import type { ParseResult, PushEventInfo } from './contract.js';
import type { Encoded } from './token-codec.js';

/**
 * A file to read: a workflow (→ WorkflowReading), YAML as plain data (an action manifest) or the
 * text layout of a YAML file (→ YamlOutline). With
 * `push`, the worker also decides whether that push triggers the workflow: its filter patterns are
 * the user's too, and a regular expression can be made to backtrack for ever.
 */
export type ParseRequest =
  | { id: number; kind: 'workflow'; file: string; content: string; push?: PushEventInfo }
  | { id: number; kind: 'yaml'; file: string; content: string }
  /** The text layout of a YAML file (yaml-outline.ts), for tools that edit it in place. */
  | { id: number; kind: 'outline'; file: string; content: string; depth: number };

/** A workflow request's answer; `triggered` is there when a push was given. */
export interface WorkflowReading {
  parsed: ParseResult;
  triggered?: boolean;
}

export type ParseReply = { id: number; value: Encoded } | { id: number; failure: string };
/** Sent once the worker's modules are loaded: a request's time limit starts when a ready worker receives it. */
export const READY = 'ready';
