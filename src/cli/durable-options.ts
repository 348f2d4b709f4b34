import type { Command } from 'commander';

/** The Streams flags of `demo`, `tail` and `publish`. */
export interface DurableFlags {
  readonly durable?: boolean;
  /** `tail` only: join this consumer group (work sharing) and acknowledge each event after printing it. */
  readonly group?: string;
}

/**
 * Adds `--durable` (and, for `tail`, `--group NAME`) to `command`.
 *
 * @remarks With `--durable` the command uses the Redis Streams transport instead of Pub/Sub (see
 * `openBus`): without `--group`, a private group that starts at `now` (like Pub/Sub, but nothing
 * is missed while connected); with `--group`, that group from its position. It still needs `--redis`.
 */
export function addDurableOptions(command: Command, withGroup = false): Command {
  command.option('--durable', 'use Redis Streams (durable, at-least-once) instead of Pub/Sub; needs --redis');
  if (withGroup) command.option('--group <name>', 'with --durable: join this consumer group (work sharing), acknowledging each event after printing it');
  return command;
}
