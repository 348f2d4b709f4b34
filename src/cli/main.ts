import { CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_USAGE, oneLine } from './cli-error.js';
import { processIO } from './io.js';
import { createProgram } from './program.js';
import { shortened } from './terminal-text.js';

/**
 * Runs `dotbus` with `argv` (without `node` and the script) and returns the exit code.
 *
 * @remarks Every failure becomes one line on stderr, escaped (it may quote Redis, an event or an
 * argument) and cut to 1,000 characters; set `DOTBUS_DEBUG=1` to see the stack as well.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const io = processIO();
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    // Commander has already printed its message (or the help / version text, exit code 0).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    const code = e instanceof CliError ? e.exitCode : EXIT_FAILURE;
    io.stderr.write(`${io.paintErr('red', 'dotbus:')} ${shortened(oneLine(e), MAX_ERROR)}\n`);
    if (process.env['DOTBUS_DEBUG'] === '1' && e instanceof Error) io.stderr.write(`${e.stack ?? ''}\n`);
    return code;
  }
}

/** Longest error line. */
const MAX_ERROR = 1_000;

// `dotbus replay … | head`: a reader that went away is a normal end, not a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Something left open (a socket that refuses to close) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2_000).unref();
