import type { Command } from 'commander';
import { type Transport } from '../index.js';
import { describeError } from '../internal.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { CONNECT_TIMEOUT_MS, loadRedis } from './redis-module.js';

/** The Streams flags of `demo`, `tail` and `publish`. */
export interface DurableFlags {
  readonly durable?: boolean;
  /** `tail` only: join this consumer group (work sharing) and acknowledge each event after printing it. */
  readonly group?: string;
}

/**
 * Adds `--durable` (and, for `tail`, `--group NAME`) to `command`.
 *
 * @remarks With `--durable` the command uses the Redis Streams transport instead of Pub/Sub; it
 * still needs `--redis`.
 */
export function addDurableOptions(command: Command, withGroup = false): Command {
  command.option('--durable', 'use Redis Streams (durable, at-least-once) instead of Pub/Sub; needs --redis');
  if (withGroup) command.option('--group <name>', 'with --durable: join this consumer group (work sharing), acknowledging each event after printing it');
  return command;
}

/**
 * The Streams transport for a command run with `--durable`: loaded only then, so other paths
 * never load ioredis. Without `--group` it is a private group that starts at `now` (like Pub/Sub,
 * but nothing is missed while connected); with `--group` it joins that group from its position.
 * @throws {@link CliError} for a missing `--redis`, bad flags, or a missing ioredis.
 */
export async function durableTransport(url: string | undefined, namespace: string | undefined, flags: DurableFlags): Promise<Transport> {
  if (url === undefined) throw new CliError('--durable needs --redis URL, e.g. --redis redis://127.0.0.1:6379', EXIT_USAGE);
  const redis = await loadRedis('--durable');
  try {
    return redis.redisStreams({
      connection: { url, connectTimeoutMs: CONNECT_TIMEOUT_MS },
      ...(namespace === undefined ? {} : { namespace }),
      ...(flags.group === undefined ? {} : { group: flags.group }),
      readyTimeoutMs: CONNECT_TIMEOUT_MS,
      closeTimeoutMs: 2_000,
    });
  } catch (e) {
    throw new CliError(`--durable: ${describeError(e)}`, EXIT_USAGE);
  }
}
