import { describeError } from '../internal.js';

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

/** The flag the CLI fills each library option from. */
const FLAG_OF: Readonly<Record<string, string>> = {
  'connection.url': '--redis', namespace: '--namespace', group: '--group', authToken: '--auth-token', traceUrl: '--trace-url', host: '--host', port: '--port',
};

/**
 * `e` as the CLI reports it. An invalid option of the library (code `INVALID_OPTION`: the CLI built
 * it from a flag) is a usage error, exit 2, named by its flag: `--namespace: must be 1–200
 * printable ASCII characters…`. Anything else is a failure, exit 1: `<context>: <message>`.
 */
export function cliErrorOf(e: unknown, context: string): CliError {
  const message = describeError(e);
  const option = /^option `([^`]+)`: /.exec(message);
  if ((e as { code?: unknown } | undefined)?.code === 'INVALID_OPTION' && option !== null) {
    return new CliError(`${FLAG_OF[option[1]!] ?? `option \`${option[1]}\``}: ${message.slice(option[0].length)}`, EXIT_USAGE);
  }
  return new CliError(`${context}: ${message}`);
}
