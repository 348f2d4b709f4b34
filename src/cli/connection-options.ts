import type { Command } from 'commander';
import { createBus, type BuiltInEvent, type EventBus, type Transport } from '../index.js';
import { describeError, type DotbusError } from '../internal.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { addDurableOptions, durableTransport, type DurableFlags } from './durable-options.js';
import type { CliIO } from './io.js';
import { CONNECT_TIMEOUT_MS, loadRedis, redact } from './redis-module.js';

/** The transport flags every command shares (`--redis`, `--namespace`, `--durable`). */
export interface ConnectionFlags extends DurableFlags {
  readonly redis?: string;
  readonly namespace?: string;
}

/** A bus opened for one command, with a label for messages and a bounded close. */
export interface OpenBus {
  readonly bus: EventBus<BuiltInEvent>;
  /** `in-memory`, or the Redis URL without its password. */
  readonly label: string;
  readonly distributed: boolean;
  /** Closes the bus; gives up after a few seconds rather than hang on exit. */
  close(): Promise<void>;
}

/**
 * Adds the shared transport flags to `command`.
 *
 * @remarks The one place to add transport flags (e.g. a future `--durable` for Redis Streams), so
 * every command gets them alike.
 */
export function addConnectionOptions(command: Command, withGroup = false): Command {
  command
    .option('--redis <url>', 'publish/subscribe through Redis, e.g. redis://127.0.0.1:6379 (default: the in-process bus)')
    .option('--namespace <ns>', 'Redis channel namespace; processes see each other only within one', 'dotbus');
  return addDurableOptions(command, withGroup);
}

/**
 * Opens the bus the flags ask for: InMemory, or Redis Pub/Sub (loaded only then, so the InMemory
 * path never loads ioredis).
 * @throws {@link CliError} for a malformed URL or a Redis that doesn't answer within {@link CONNECT_TIMEOUT_MS}.
 */
export async function openBus(flags: ConnectionFlags, io: CliIO): Promise<OpenBus> {
  const onError = warnOncePerCode(io);
  if (flags.redis === undefined) {
    if (flags.durable === true) throw new CliError('--durable needs --redis URL, e.g. --redis redis://127.0.0.1:6379', EXIT_USAGE);
    const bus = createBus({ source: '/dotbus-cli', onError });
    return { bus, label: 'in-memory', distributed: false, close: () => bounded(bus.close()) };
  }
  const url = flags.redis;
  if (!/^rediss?:\/\/[^/]/.test(url)) {
    throw new CliError(`--redis: ${JSON.stringify(url)} is not a Redis URL; use redis://host:port or rediss://host:port`, EXIT_USAGE);
  }
  const transport = flags.durable === true ? await durableTransport(url, flags.namespace, flags) : await redisTransport(url, flags.namespace);
  const bus = createBus({ transport, source: '/dotbus-cli', onError });
  const label = redact(url);
  try {
    await bounded(bus.ready(), CONNECT_TIMEOUT_MS + 500, 'timed out');
  } catch (e) {
    await bounded(bus.close());
    throw new CliError(`cannot reach Redis at ${label} within ${CONNECT_TIMEOUT_MS / 1000} s: ${describeError(e)}`);
  }
  return { bus, label, distributed: true, close: () => bounded(bus.close()) };
}

async function redisTransport(url: string, namespace: string | undefined): Promise<Transport> {
  const { redisPubSub } = await loadRedis('--redis');
  try {
    return redisPubSub({
      connection: { url, connectTimeoutMs: CONNECT_TIMEOUT_MS },
      ...(namespace === undefined ? {} : { namespace }),
      readyTimeoutMs: CONNECT_TIMEOUT_MS,
      closeTimeoutMs: 2_000,
    });
  } catch (e) {
    throw new CliError(`--redis/--namespace: ${describeError(e)}`, EXIT_USAGE);
  }
}

/** `promise`, or a rejection with `reason` after `ms` (or silent resolution when no reason is given). */
function bounded(promise: Promise<void>, ms = 5_000, reason?: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => (reason === undefined ? resolve() : reject(new Error(reason))), ms);
    timer.unref();
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The CLI's `onError`: one stderr line per error code, so a flood of failures doesn't flood the terminal. */
function warnOncePerCode(io: CliIO): (error: DotbusError) => void {
  const seen = new Set<string>();
  return (error) => {
    if (seen.has(error.code)) return;
    seen.add(error.code);
    io.stderr.write(`${io.paintErr('yellow', 'dotbus: warning:')} ${oneLineOf(error.message)} (further ${error.code} warnings hidden)\n`);
  };
}

function oneLineOf(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
