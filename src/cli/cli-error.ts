/** Exit code of a bad command line (unknown option, missing argument, invalid pattern). */
export const EXIT_USAGE = 2;
/** Exit code of a failure while running (Redis unreachable, invalid event data). */
export const EXIT_FAILURE = 1;

/**
 * A failure the CLI reports as one line on stderr, with an exit code; never with a stack trace.
 *
 * @remarks Commands throw it for anything the user can fix; `main` prints `dotbus: <message>`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The first line of an error's message, for the one-line report. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.trim() || 'unknown error';
}
