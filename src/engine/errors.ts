/**
 * The one error a container engine driver throws: what failed, the HTTP status the engine
 * answered (0 when it could not be reached) and the engine's own message, so that callers
 * (ECS's `CannotPullContainerError: …`, task stop reasons) can quote the engine verbatim.
 */

/** What kind of failure an {@link EngineError} is; `NotFound` is the one callers branch on most. */
export type EngineErrorCode =
  | 'NotFound' // no such container, image or exec instance (HTTP 404)
  | 'Conflict' // name in use, container not running, removing a running container (HTTP 409)
  | 'BadRequest' // the engine rejected the request's parameters (HTTP 400)
  | 'PullFailed' // an image pull failed, whether as an HTTP error or as an error event in a 200 stream
  | 'Unavailable' // the engine socket could not be reached
  | 'Unsupported' // the engine or endpoint is one this driver cannot speak to
  | 'EngineFailure'; // anything else the engine reported (HTTP 5xx)

/** A failure reported by (or while talking to) the container engine. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  /** HTTP status the engine answered; 0 when there was no answer. */
  readonly status: number;
  readonly code: EngineErrorCode;
  /** The engine's own message, unchanged (empty when it sent none). */
  readonly engineMessage: string;
  /** The driver operation that failed, e.g. `inspectContainer`. */
  readonly operation: string;

  constructor(options: {
    operation: string;
    status: number;
    code?: EngineErrorCode;
    engineMessage: string;
    message?: string;
    cause?: unknown;
  }) {
    super(
      options.message ?? `${options.operation}: ${options.engineMessage || `engine answered HTTP ${options.status}`}`,
      { cause: options.cause },
    );
    this.operation = options.operation;
    this.status = options.status;
    this.engineMessage = options.engineMessage;
    this.code = options.code ?? codeForStatus(options.status, options.engineMessage);
  }

  /** True when the container, image or exec instance does not exist. */
  get notFound(): boolean {
    return this.code === 'NotFound';
  }
}

/** True when `error` is an {@link EngineError} saying the thing does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof EngineError && error.notFound;
}

/** Maps an HTTP status (and, for Podman's 500s, its message) to an error code. */
export function codeForStatus(status: number, message: string): EngineErrorCode {
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 400) return 'BadRequest';
  if (status === 0) return 'Unavailable';
  // Podman quirk: some conflicts (a container name in use) come back as 500.
  if (/already in use|is not running|container state improper/i.test(message)) return 'Conflict';
  return 'EngineFailure';
}
