/** The message of anything thrown, for logs and annotations (a module of its own: runner.ts needs it without the step machinery). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
