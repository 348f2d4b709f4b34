import type { Command } from 'commander';
import type { CliIO } from './io.js';

/**
 * One `dotbus` sub-command, in its own file under `commands/`.
 *
 * @remarks To add a command (e.g. `replay`): write `commands/replay.ts` exporting a
 * `CommandModule`, and list it in `commands/index.ts`. Create the sub-command with
 * `program.command(name)` so that it inherits the program's error and output handling.
 */
export interface CommandModule {
  readonly name: string;
  /** Adds the command, its options and its action to `program`. */
  register(program: Command, io: CliIO): void;
}
