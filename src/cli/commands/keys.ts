import { chmod, open } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatSigningKey, generateSigningKey } from '../../index.js';
import { describeError } from '../../internal.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import type { CliIO } from '../io.js';

interface GenerateFlags {
  readonly out: string;
  readonly force?: boolean;
}

/** `dotbus keys generate`: a new signing key in a file only its owner can read. */
export const keysCommand: CommandModule = {
  name: 'keys',
  register(program: Command, io: CliIO): void {
    const keys = program.command('keys').description('signing keys for signed events (--signing-key, --verify-keys)');
    keys
      .command('generate')
      .description('write a new key (id and random 256-bit secret) to FILE, readable by its owner only (mode 0600)')
      .requiredOption('--out <file>', 'where to write the key')
      .option('--force', 'overwrite FILE if it exists')
      .addHelpText(
        'after',
        '\nExamples:\n  dotbus keys generate --out orders.key\n  dotbus publish validation.started --data \'{…}\' --signing-key orders.key --redis redis://127.0.0.1:6379\n' +
          '  dotbus tail \'*\' --verify-keys orders.key --require-signed --redis redis://127.0.0.1:6379',
      )
      .action((flags: GenerateFlags) => runGenerate(flags, io));
  },
};

async function runGenerate(flags: GenerateFlags, io: CliIO): Promise<void> {
  const key = generateSigningKey();
  let file;
  try {
    // `wx`: never replace a key by accident (events signed with it would no longer verify anywhere).
    file = await open(flags.out, flags.force === true ? 'w' : 'wx', 0o600);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST') throw new CliError(`${JSON.stringify(flags.out)} exists; keep it, or pass --force to replace it (events signed with the old key will no longer verify once it is gone)`, EXIT_USAGE);
    throw new CliError(`cannot write ${JSON.stringify(flags.out)}: ${describeError(e)}`);
  }
  try {
    await file.writeFile(formatSigningKey(key));
  } finally {
    await file.close();
  }
  // An existing file keeps its mode when overwritten: tighten it.
  await chmod(flags.out, 0o600);
  io.stdout.write(`${key.id}\n`);
  io.stderr.write(`dotbus: wrote key ${key.id} to ${flags.out} (mode 0600); give it to producers with --signing-key and to consumers with --verify-keys\n`);
}
