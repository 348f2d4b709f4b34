import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { EventSecurity, parseSigningKey, type SigningKey } from '../index.js';
import { describeError } from '../internal.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import type { CliIO } from './io.js';

/** `--signing-key FILE` (publish, demo). */
export interface SigningFlags {
  readonly signingKey?: string;
}

/** `--verify-keys FILE…` and `--require-signed` (every command that reads events). */
export interface VerifyFlags {
  readonly verifyKeys?: readonly string[];
  readonly requireSigned?: boolean;
}

/** Adds `--signing-key FILE` to a command that publishes. */
export function addSigningOption(command: Command): Command {
  return command.option('--signing-key <file>', 'sign every event published with this key file (from `dotbus keys generate`)');
}

/** Adds `--verify-keys FILE…` and `--require-signed` to a command that reads events. */
export function addVerifyOptions(command: Command): Command {
  return command
    .option('--verify-keys <files...>', 'accept only events whose signature verifies with one of these key files; forged, altered and unknown-key events are refused')
    .option('--require-signed', 'with --verify-keys: refuse unsigned events too');
}

/** The signing option of `--signing-key`, or `undefined` without it. */
export async function signingFromFlags(flags: SigningFlags, io: CliIO): Promise<EventSecurity | undefined> {
  if (flags.signingKey === undefined) return undefined;
  return new EventSecurity({ signingKey: await readKeyFile('--signing-key', flags.signingKey, io) });
}

/**
 * The verification option of `--verify-keys FILE…` / `--require-signed` for `createBus({ security })`,
 * or `undefined` without them: what every reading command (and a server showing events) calls.
 * @throws {@link CliError} (exit 2) for `--require-signed` alone or a key file that can't be used.
 */
export async function verificationFromFlags(flags: VerifyFlags, io: CliIO): Promise<EventSecurity | undefined> {
  const files = flags.verifyKeys ?? [];
  if (files.length === 0) {
    if (flags.requireSigned === true) throw new CliError('--require-signed needs --verify-keys FILE…: the keys to check signatures with', EXIT_USAGE);
    return undefined;
  }
  const keys: SigningKey[] = [];
  for (const file of files) keys.push(await readKeyFile('--verify-keys', file, io));
  return new EventSecurity({ verificationKeys: keys, requireSigned: flags.requireSigned === true });
}

/** The key in `file`; a warning when others may read it. */
async function readKeyFile(flag: string, file: string, io: CliIO): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
    // The secret signs events: like an SSH key, nobody but its owner should be able to read it.
    if (((await stat(file)).mode & 0o077) !== 0) {
      io.stderr.write(`${io.paintErr('yellow', 'dotbus: warning:')} key file ${JSON.stringify(file)} can be read by others; chmod 600 it\n`);
    }
  } catch (e) {
    throw new CliError(`${flag}: cannot read ${JSON.stringify(file)}: ${describeError(e)}`, EXIT_USAGE);
  }
  try {
    return parseSigningKey(text, `key file ${JSON.stringify(file)}`);
  } catch (e) {
    throw new CliError(`${flag}: ${describeError(e)}`, EXIT_USAGE);
  }
}
