/**
 * The two kinds of errors (STYLE §5). `AwsError` is an error AWS itself would return: its
 * `code` is the exception name the SDKs know (NoSuchEntity, AccessDenied, …) and the protocol
 * layer renders it in the wire's error shape. Anything else that escapes a handler is a bug:
 * the protocol layer logs it and answers a generic 500 without a stack trace.
 */
export type Fault = 'Sender' | 'Receiver';

export interface AwsErrorOptions {
  /** HTTP status; 400 unless said otherwise. */
  status?: number;
  /** Query protocols' <Type>; Sender for client errors. */
  fault?: Fault;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: Fault;

  constructor(code: string, message: string, options: AwsErrorOptions = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? (this.status >= 500 ? 'Receiver' : 'Sender');
  }
}

/**
 * A service's error catalogue: one factory per situation AWS reports, named for the situation,
 * each building the error with AWS's code, wording and status (`iamErrors.noSuchRole(name)`).
 */
export type ErrorCatalogue<E extends Error = AwsError> = Readonly<Record<string, (...args: never[]) => E>>;

/** True for errors meant for the client, false for bugs. */
export function isAwsError(error: unknown): error is AwsError {
  return error instanceof AwsError;
}

/** The message of anything thrown, for logs, annotations and answers (the real actions print `error.message` too). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
