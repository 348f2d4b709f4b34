import {
  BUILT_IN_EVENTS,
  EventRegistry,
  JsonCodec,
  matchesPattern,
  parsePattern,
  type AnyEventDefinition,
  type BuiltInEvent,
  type EventSecurity,
  type EventsOf,
  type MatchingEvents,
  type ValidPattern,
} from '../../index.js';
import { ConnectionError, describeError, type DecodeError } from '../../internal.js';
import { openConnection, userOf, type RedisClient, type RedisConnectionOptions } from '../connection.js';
import { ConnectionMonitor } from '../connection-monitor.js';
import { idAt, parseEntries, type StreamEntry } from './entries.js';
import { StreamKeys } from './keys.js';

/** Options of {@link replayEvents}. */
export interface ReplayOptions<Defs extends readonly AnyEventDefinition[], P extends string> {
  /** Which events, DESIGN §2 grammar (`*` for all). */
  readonly pattern: ValidPattern<P>;
  /** How to reach Redis. @default `{ url: 'redis://127.0.0.1:6379' }` */
  readonly connection?: RedisConnectionOptions;
  /** The namespace to read. @default 'dotbus' */
  readonly namespace?: string;
  /** Your definitions (the built-in ones are always known). @default [] */
  readonly events?: Defs;
  /** First event: a time (inclusive) or a stream id. @default the oldest retained event */
  readonly from?: Date | string;
  /** Last event: a time (inclusive, to the millisecond) or a stream id. @default the newest event */
  readonly to?: Date | string;
  /** Entries per `XRANGE` call. @default 1_000 */
  readonly batchSize?: number;
  /** Called for a matching entry that does not decode; it is skipped. @default ignored */
  readonly onDecodeError?: (entry: StreamEntry, error: DecodeError) => void;
  /**
   * Longest the connection may take, in ms: the TCP connection and then Redis's answers to the
   * handshake (a server that accepts connections and never answers fails after this long).
   * @default `connection.connectTimeoutMs`, else 10_000
   */
  readonly connectTimeoutMs?: number;
  /** Longest one command (`EXISTS`, one page of `XRANGE`) may go unanswered, in ms. @default 10_000 */
  readonly commandTimeoutMs?: number;
  /**
   * Also yield well-formed CloudEvents of types without a definition, as untyped events
   * (`isUntyped(event)` is true and their `data` is unchecked), instead of reporting them to
   * `onDecodeError`. @default false
   */
  readonly untyped?: boolean;
  /**
   * Verify each entry's signature (`verificationKeys`, `requireSigned`); a refused one goes to
   * `onDecodeError`. Give it one without `replayWindowMs`: a replay reads old events on purpose.
   * @default none
   */
  readonly security?: EventSecurity;
  /**
   * Called once, before reading, when the namespace has no event stream at all (nothing was ever
   * published to it: usually a wrong namespace or Redis); nothing is yielded then. @default ignored
   */
  readonly onMissingStream?: (key: string) => void;
}

/** One replayed event with where it was in the stream and its wire message. */
export interface ReplayedEvent<E> {
  /** The stream id, `<ms>-<seq>`: pass it as `from` (exclusive with a `(` prefix) to resume. */
  readonly id: string;
  /** The typed, frozen event. */
  readonly event: E;
  /** The CloudEvents JSON exactly as stored. */
  readonly raw: string;
}

/**
 * Reads the retained events of a namespace in a time or id range, oldest first, as typed events.
 *
 * @remarks Plain `XRANGE` in pages: no consumer group, no acknowledgement, so live groups are not
 * disturbed and the same range can be read any number of times. Only what retention kept is there.
 *
 * @example
 * ```ts
 * for await (const { event } of replayEvents({ pattern: 'order.*', events: [OrderPlaced],
 *   connection: { url }, namespace: 'shop', from: new Date(Date.now() - 3_600_000) })) {
 *   console.log(event.eventType, event.data);
 * }
 * ```
 */
export async function* replayEvents<const Defs extends readonly AnyEventDefinition[] = [], const P extends string = string>(
  options: ReplayOptions<Defs, P>,
): AsyncGenerator<ReplayedEvent<MatchingEvents<EventsOf<Defs> | BuiltInEvent, P>>> {
  type E = MatchingEvents<EventsOf<Defs> | BuiltInEvent, P>;
  const pattern: string = options.pattern;
  parsePattern(pattern);
  const keys = new StreamKeys(options.namespace);
  const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, ...(options.events ?? [])]), { untyped: options.untyped === true, security: options.security });
  const connection = options.connection ?? {};
  const connectTimeoutMs = options.connectTimeoutMs ?? connection.connectTimeoutMs ?? 10_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
  // No wait while Redis loads (and so no INFO, which an ACL user may not run): a `LOADING` reply
  // is reported instead, like any other.
  const client = openConnection({ ...connection, connectTimeoutMs }, 'replay', { commandTimeoutMs, waitWhileLoading: false });
  const monitor = new ConnectionMonitor(client, 'replay', userOf(connection), () => {});
  const ask = <T>(what: string, command: Promise<T>): Promise<T> => explained(command, `${what} on ${monitor.target}`, commandTimeoutMs, monitor);
  try {
    client.connect().catch(() => undefined);
    await monitor.waitUp(connectTimeoutMs);
    if (options.onMissingStream !== undefined && (await ask('EXISTS', client.exists(keys.events))) === 0) {
      options.onMissingStream(keys.events);
      return;
    }
    const size = options.batchSize ?? 1_000;
    const end = idAt(options.to, 'end');
    const range = (from: string): Promise<unknown> => ask('XRANGE', client.call('XRANGE', keys.events, from, end, 'COUNT', String(size)));
    for await (const entry of pages(range, idAt(options.from, 'start'), size)) {
      if (entry.message === undefined || !matchesPattern(pattern, entry.type)) continue;
      const decoded = codec.decode(entry.message);
      if (!decoded.ok) options.onDecodeError?.(entry, decoded.error);
      // The pattern is checked on the decoded type too: the entry's type field is not trusted alone.
      else if (matchesPattern(pattern, decoded.event.eventType)) yield { id: entry.id, event: decoded.event as E, raw: entry.message };
    }
  } finally {
    await closeQuietly(monitor, client);
  }
}

/** `command`, or a {@link ConnectionError} saying which command failed where, and why. */
function explained<T>(command: Promise<T>, what: string, timeoutMs: number, monitor: ConnectionMonitor): Promise<T> {
  return command.catch((e: unknown) => {
    const why = describeError(e);
    const grant = monitor.grantFor(e);
    const hint = /timed out/i.test(why) ? ` (no reply within ${timeoutMs} ms)` : grant === undefined ? '' : `; ${grant}`;
    throw new ConnectionError(`${what} failed: ${why}${hint}`, { cause: e });
  });
}

/** Quits when Redis answers (within the command timeout), disconnects otherwise: never waits on a silent server. */
async function closeQuietly(monitor: ConnectionMonitor, client: RedisClient): Promise<void> {
  monitor.closing();
  if (client.status === 'ready' && monitor.status === 'up') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

/** Replays into `handler` (awaited one event at a time, in order); resolves with how many it handled. */
export async function replayInto<const Defs extends readonly AnyEventDefinition[] = [], const P extends string = string>(
  options: ReplayOptions<Defs, P>,
  handler: (event: MatchingEvents<EventsOf<Defs> | BuiltInEvent, P>, id: string) => void | Promise<void>,
): Promise<number> {
  let n = 0;
  for await (const { event, id } of replayEvents(options)) {
    await handler(event, id);
    n++;
  }
  return n;
}

/** The entries `range(from)` returns, page after page of `size`, from `start` on. */
async function* pages(range: (from: string) => Promise<unknown>, start: string, size: number): AsyncGenerator<StreamEntry> {
  let from = start;
  for (;;) {
    const page = parseEntries(await range(from));
    yield* page;
    const last = page.at(-1);
    if (page.length < size || last === undefined) return;
    from = `(${last.id}`;
  }
}
