import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { CliError } from '../cli-error.js';
import { escapeControls } from '../terminal-text.js';
import { addDbOption, labelOf, openStore, type DbFlags } from './audit-store-flag.js';

/** `dotbus audit verify`: exit 0 with the number checked, or exit 1 naming the first broken record. */
export function registerVerify(audit: Command, io: CliIO): void {
  const cmd = audit.command('verify').description('recompute the hash chain and check the checkpoints; exit 1 naming the first altered, removed or inserted record');
  addDbOption(cmd).action((flags: DbFlags) => runVerify(flags, io));
}

async function runVerify(flags: DbFlags, io: CliIO): Promise<void> {
  const store = await openStore(flags, true);
  let result;
  try {
    result = await store.verify();
  } finally {
    await store.close();
  }
  if (!result.ok) throw new CliError(`verify failed: ${escapeControls(result.message)}`);
  io.stdout.write(
    `${escapeControls(`verified ${result.checked} record(s) of ${labelOf(flags.db)}`)}${result.checked === 0 ? '' : ` (positions ${result.firstPosition}–${result.lastPosition})`}; head ${result.headHash}\n`,
  );
}
