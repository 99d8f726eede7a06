/**
 * A minimal structured logger, injected like the clock. The server logs one line per failed
 * request and every internal error; tests pass `silentLogger`.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Writes `time level message {fields}` lines to a stream (stderr by default). */
export function streamLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const extra = fields ? ` ${JSON.stringify(fields)}` : '';
    write(`${new Date().toISOString()} ${level} ${message}${extra}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
