import type { Command } from 'commander';
import { createBus, type AnyBusEvent, type AnyEventDefinition, type EventBus, type Transport } from '../index.js';
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

/** What a command asks of the bus it opens. */
export interface BusRequest {
  /** The application's definitions (from `--events`), besides the built-in ones. @default none */
  readonly events?: readonly AnyEventDefinition[];
  /** Receive events of types without a definition as untyped events instead of decode errors. @default false */
  readonly untyped?: boolean;
}

/** A bus opened for one command, with a label for messages and bounded waits. */
export interface OpenBus {
  readonly bus: EventBus<AnyBusEvent>;
  /** `in-memory`, or the Redis URL without its password. */
  readonly label: string;
  readonly distributed: boolean;
  /**
   * Waits (bounded) until `step` resolves: by default `bus.ready()`, which confirms every
   * subscription made so far, so call it after subscribing and before publishing.
   * @throws {@link CliError} `cannot <doing> <label> within N s: <why>`.
   */
  ready(doing: string, step?: Promise<void>): Promise<void>;
  /** Closes the bus; gives up after a few seconds rather than hang on exit. */
  close(): Promise<void>;
}

/** What `--redis` does for a command, for its help line. */
export type RedisRole =
  /** demo: Redis instead of the in-process bus. */
  | 'optional'
  /** publish: without Redis, the wire message is printed instead of sent. */
  | 'print-without'
  /** tail: nothing to show without Redis. */
  | 'required';

const REDIS_HELP: Record<RedisRole, string> = {
  optional: 'publish/subscribe through Redis, e.g. redis://127.0.0.1:6379 (default: the in-process bus)',
  'print-without': 'publish through Redis, e.g. redis://127.0.0.1:6379 (without it: print the wire message, send nothing)',
  required: 'the Redis to subscribe through, e.g. redis://127.0.0.1:6379 (required)',
};

/**
 * Adds the shared transport flags to `command`.
 *
 * @remarks The one place to add transport flags, so every command gets them alike.
 */
export function addConnectionOptions(command: Command, redis: RedisRole, withGroup = false): Command {
  command
    .option('--redis <url>', REDIS_HELP[redis])
    .option('--namespace <ns>', 'Redis channel namespace; processes see each other only within one', 'dotbus');
  return addDurableOptions(command, withGroup);
}

/**
 * Opens the bus the flags ask for: InMemory, or Redis Pub/Sub or Streams (loaded only then, so
 * the InMemory path never loads ioredis). It does not wait for Redis: subscribe first, then
 * {@link OpenBus.ready}, so that nothing published afterwards can miss a subscription.
 * @throws {@link CliError} for a malformed URL or bad transport flags.
 */
export async function openBus(flags: ConnectionFlags, io: CliIO, request: BusRequest = {}): Promise<OpenBus> {
  const options = { source: '/dotbus-cli', onError: warnOncePerCode(io), events: request.events ?? [], untyped: request.untyped === true };
  if (flags.redis === undefined) {
    if (flags.durable === true) throw new CliError('--durable needs --redis URL, e.g. --redis redis://127.0.0.1:6379', EXIT_USAGE);
    return opened(createBus(options), 'in-memory', false);
  }
  const url = flags.redis;
  if (!/^rediss?:\/\/[^/]/.test(url)) {
    throw new CliError(`--redis: ${JSON.stringify(url)} is not a Redis URL; use redis://host:port or rediss://host:port`, EXIT_USAGE);
  }
  const transport = flags.durable === true ? await durableTransport(url, flags.namespace, flags) : await redisTransport(url, flags.namespace);
  return opened(createBus({ ...options, transport }), redact(url), true);
}

function opened(bus: EventBus<AnyBusEvent>, label: string, distributed: boolean): OpenBus {
  return {
    bus,
    label,
    distributed,
    async ready(doing, step = bus.ready()) {
      try {
        await bounded(step, CONNECT_TIMEOUT_MS + 500, 'no reply');
      } catch (e) {
        throw new CliError(`cannot ${doing} ${label} within ${CONNECT_TIMEOUT_MS / 1000} s: ${describeError(e)}`);
      }
    },
    close: () => bounded(bus.close()),
  };
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
