/** Exit codes fixed by the contract: 0 success, 1 runtime failure, 2 bad usage or bad input. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad flags or bad input: the message says what was wrong and what to do; exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Something failed while running (network, disk, a child process); exits 1. */
export class RuntimeFailure extends Error {
  override name = 'RuntimeFailure';
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

/**
 * The one shape of every error line, whoever raised it (a command, or commander for a bad flag):
 * `wp-realtime: <command>: <what was wrong and what to do>`, one line on stderr, as the contract asks.
 */
export function writeErrorLine(message: string): void {
  process.stderr.write(`wp-realtime: ${message.split('\n')[0]}\n`);
}

/** Reports an error thrown by a command; stacks only with DEBUG=wp-realtime. */
export function reportError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  writeErrorLine(message);
  if (process.env.DEBUG?.includes('wp-realtime') && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
}
