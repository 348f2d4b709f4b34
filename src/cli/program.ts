import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { CliIO } from './io.js';
import { escapeControls } from './terminal-text.js';

/** Version shown by `dotbus --version`; kept in step with package.json by the release. */
export const CLI_VERSION = '0.1.0';

/**
 * The `dotbus` program with every command of {@link COMMANDS}.
 *
 * @remarks Commander never exits the process itself (`exitOverride`): it throws, and `main` picks the
 * exit code. Its error lines are rewritten from `error: …` to `dotbus: …` so that every failure reads alike,
 * and escaped like every other line (see `escapeControls`).
 */
export function createProgram(io: CliIO): Command {
  const program = new Command('dotbus')
    .description('dotbus: typed, distributed events for TypeScript. Start with `dotbus demo`.')
    .version(CLI_VERSION)
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // Commander quotes the arguments it refuses: shown escaped, line by line.
      outputError: (text, write) => write(text.replace(/^error: /, 'dotbus: ').split('\n').map(escapeControls).join('\n')),
    });
  for (const command of COMMANDS) command.register(program, io);
  return program;
}
