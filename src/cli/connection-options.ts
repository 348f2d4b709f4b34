import { Option, type Command } from 'commander';
import { createBus, SystemHealthEvent, type AnyBusEvent, type AnyEventDefinition, type EventBus, type EventSecurity, type Transport } from '../index.js';
import { describeError, type DotbusError } from '../internal.js';
import { CliError, cliErrorOf, EXIT_USAGE } from './cli-error.js';
import { addDurableOptions, type DurableFlags } from './durable-options.js';
import type { CliIO } from './io.js';
import { CONNECT_TIMEOUT_MS, loadRedis, type LoadedRedis } from './redis-module.js';
import { shortened } from './terminal-text.js';

/** The transport flags every command shares (`--redis`, `--namespace`, `--durable`). */
export interface ConnectionFlags extends DurableFlags {
  readonly redis?: string;
  readonly namespace?: string;
  /** Pub/Sub: one `PSUBSCRIBE` per pattern, or one for the namespace (an ACL user limited to it). */
  readonly subscribeTo?: 'patterns' | 'namespace';
}

/** What a command asks of the bus it opens. */
export interface BusRequest {
  /** The application's definitions (from `--events`), besides the built-in ones. @default none */
  readonly events?: readonly AnyEventDefinition[];
  /** Receive events of types without a definition as untyped events instead of decode errors. @default false */
  readonly untyped?: boolean;
  /**
   * The command subscribes anyway (`tail`, `demo`). With `--durable`, where subscriptions stay in
   * this process, the CLI then also listens to `system.health.down` to say why a connection went
   * down (a refused `XREADGROUP`). @default false
   */
  readonly subscribes?: boolean;
  /** Signing and verification, from `--signing-key` / `--verify-keys`. @default none */
  readonly security?: EventSecurity | undefined;
}

/** A bus opened for one command, with a label for messages and bounded waits. */
export interface OpenBus {
  readonly bus: EventBus<AnyBusEvent>;
  /** `in-memory`, or the Redis URL without its secrets (see `redactUrl`). */
  readonly label: string;
  readonly distributed: boolean;
  /**
   * Waits (bounded) until `step` resolves: by default `bus.ready()`, which confirms every
   * subscription made so far, so call it after subscribing and before publishing. A refusal no
   * retry fixes (credentials, database, a subscription the ACL user may not make) ends the wait
   * at once.
   * @throws {@link CliError} `cannot <doing> <label>: <why>`.
   */
  ready(doing: string, step?: Promise<void>): Promise<void>;
  /**
   * Rejects with the reason once the transport is `down` (a refusal no retry fixes, e.g. Redis
   * refusing an `XREADGROUP` after `ready`); never settles otherwise, nor on the in-memory bus.
   */
  readonly down: Promise<never>;
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
    .option('--namespace <ns>', 'Redis channel namespace; processes see each other only within one', 'dotbus')
    .addOption(new Option('--subscribe-to <what>', "Pub/Sub: one PSUBSCRIBE per pattern, or one for the whole namespace (what a Redis user limited to it may make; see dotbus acl)").choices(['patterns', 'namespace']).default('patterns'));
  return addDurableOptions(command, withGroup);
}

/**
 * Opens the bus the flags ask for: InMemory, or Redis Pub/Sub or Streams (loaded only then, so
 * the InMemory path never loads ioredis). It does not wait for Redis: subscribe first, then
 * {@link OpenBus.ready}, so that nothing published afterwards can miss a subscription.
 * @throws {@link CliError} for a malformed URL or bad transport flags.
 */
export async function openBus(flags: ConnectionFlags, io: CliIO, request: BusRequest = {}): Promise<OpenBus> {
  const options = {
    source: '/dotbus-cli',
    onError: warnOncePerCode(io),
    events: request.events ?? [],
    untyped: request.untyped === true,
    ...(request.security === undefined ? {} : { security: request.security }),
  };
  if (flags.redis === undefined) {
    if (flags.durable === true) throw new CliError('--durable needs --redis URL, e.g. --redis redis://127.0.0.1:6379', EXIT_USAGE);
    return opened(createBus(options), 'in-memory');
  }
  const redis = await loadRedis(flags.durable === true ? '--durable' : '--redis');
  const bus = createBus({ ...options, transport: redisTransport(redis, flags.redis, flags) });
  return opened(bus, redis.redactUrl(flags.redis), watchDown(bus, flags.durable === true && request.subscribes === true));
}

function opened(bus: EventBus<AnyBusEvent>, label: string, watch?: DownWatch): OpenBus {
  const distributed = watch !== undefined;
  watch ??= { down: new Promise<never>(() => {}), stop: () => {} };
  return {
    bus,
    label,
    distributed,
    down: watch.down,
    async ready(doing, step = bus.ready()) {
      try {
        await bounded(Promise.race([step, watch.down]), CONNECT_TIMEOUT_MS + 500, `no reply within ${CONNECT_TIMEOUT_MS / 1000} s`);
      } catch (e) {
        throw new CliError(`cannot ${doing} ${label}: ${describeError(e)}`);
      }
    },
    close: () => {
      watch.stop();
      return bounded(bus.close());
    },
  };
}

/** The Pub/Sub transport, or with `--durable` the Streams one; a flag the library refuses is a usage error naming it. */
function redisTransport(redis: LoadedRedis, url: string, flags: ConnectionFlags): Transport {
  const options = {
    connection: { url, connectTimeoutMs: CONNECT_TIMEOUT_MS },
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    readyTimeoutMs: CONNECT_TIMEOUT_MS,
    closeTimeoutMs: 2_000,
  };
  try {
    return flags.durable === true ? redis.redisStreams({ ...options, ...(flags.group === undefined ? {} : { group: flags.group }) }) : redis.redisPubSub({ ...options, subscribeTo: flags.subscribeTo ?? 'patterns' });
  } catch (e) {
    throw cliErrorOf(e, flags.durable === true ? '--durable' : '--redis');
  }
}

/** How often the CLI looks whether the transport went down for good, in ms. */
const DOWN_CHECK_MS = 100;

/** See {@link watchDown}. */
interface DownWatch {
  readonly down: Promise<never>;
  stop(): void;
}

/**
 * Rejects once the bus's transport reads `down`, with the reason a fresh `bus.ready()` gives (it
 * fails at once then, saying what Redis refused) or, with `healthEvents`, the last
 * `system.health.down` event's. Decides by `status`, not by events: with Pub/Sub, subscribing to
 * them would add a channel to what an ACL user must be granted, and anyone who may publish on the
 * namespace could forge them; so only a Streams bus that subscribes anyway listens to them.
 */
function watchDown(bus: EventBus<AnyBusEvent>, healthEvents: boolean): DownWatch {
  let timer: NodeJS.Timeout | undefined;
  let lastDown: string | undefined;
  if (healthEvents) bus.subscribe('system.health.down', (e) => void (SystemHealthEvent.is(e) && (lastDown = e.data.detail)));
  const down = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if ((bus.transport as { readonly status?: string }).status !== 'down') return;
      clearInterval(timer);
      bounded(bus.ready(), 1_000).then(
        () => reject(new Error(lastDown ?? 'a connection to Redis is down, and no retry will bring it back by itself')),
        (e: unknown) => reject(e instanceof Error ? e : new Error(describeError(e))),
      );
    }, DOWN_CHECK_MS);
    timer.unref();
  });
  down.catch(() => undefined); // a command that never waits on it must not see an unhandled rejection
  return { down, stop: () => clearInterval(timer) };
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
    // The message can quote a network message (a decode error shows part of the payload).
    io.stderr.write(`${io.paintErr('yellow', 'dotbus: warning:')} ${shortened(error.message, MAX_WARNING)} (further ${error.code} warnings hidden)\n`);
  };
}

/** Longest message a warning line shows. */
const MAX_WARNING = 300;
