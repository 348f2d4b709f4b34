import { type AnyEventDefinition } from '../../index.js';
import { DEFAULT_MAX_MESSAGE_BYTES, InvalidOptionError } from '../../internal.js';
import type { BackoffOptions } from '../backoff.js';
import type { RedisConnectionOptions } from '../connection.js';
import type { OutageBufferOptions } from '../outage-buffer.js';
import type { UndecodableHandler } from './undecodable.js';

/** Where a new consumer group starts reading: the oldest retained event, only new ones, or a point in time. */
export type StreamStart = 'beginning' | 'now' | Date;

/** How long and how large the event stream may grow (approximate trimming, `~`). */
export interface StreamRetention {
  /** Most entries kept; `XADD … MAXLEN ~ n`. 0 keeps any number. @default 1_000_000 */
  readonly maxLen?: number;
  /** Oldest entry kept, in ms; `XTRIM … MINID ~ now-maxAgeMs`, at most once a second. 0 keeps any age. @default 0 */
  readonly maxAgeMs?: number;
  /** Most entries kept in the dead-letter stream. @default 100_000 */
  readonly deadLetterMaxLen?: number;
}

/** Retries of a failing handler before its event goes to the dead-letter stream. */
export interface StreamRetryOptions {
  /**
   * Handler attempts in all, first one included, counted across members: attempts made by a member
   * that died (or was closed) count, so an event that crashes every member it reaches is
   * dead-lettered too (reason `attempts-exhausted`). @default 5
   */
  readonly maxAttempts?: number;
  /** Exponential backoff with full jitter between attempts. @default `{ baseMs: 100, capMs: 5_000 }` */
  readonly backoff?: BackoffOptions;
}

/**
 * The optional idempotency guard: processed event ids, per group, with a TTL.
 *
 * @remarks The guard marks an event once all its handlers succeeded and skips a redelivery whose
 * mark exists. That makes redeliveries after a completed handling free, but it is not
 * exactly-once: a member killed after a handler's side effect and before the mark reached Redis
 * gets its entry redelivered and handled again. For exactly-once Redis writes use
 * {@link RedisStreamsTransport.commitOnce}, which commits the writes with their mark atomically.
 */
export interface IdempotencyOptions {
  /** How long a processed event id (and a `commitOnce` mark) is remembered, in ms. @default 86_400_000 (one day) */
  readonly ttlMs?: number;
}

/**
 * Options of {@link RedisStreamsTransport}.
 *
 * @remarks For Sentinel or Cluster pass your own client as `connection.client`; every key of one
 * namespace carries the hash tag `{<namespace>}`, so all of them live in one Cluster slot.
 */
export interface RedisStreamsOptions {
  /** How to reach Redis. @default `{ url: 'redis://127.0.0.1:6379' }` */
  readonly connection?: RedisConnectionOptions;
  /** Keys are `{<namespace>}:events`, `{<namespace>}:dead-letter`, …. @default 'dotbus' */
  readonly namespace?: string;
  /**
   * Consumer group. Transports with the same group share its events (work sharing); each group gets
   * every event (broadcast). A named group outlives the transport; without one, the transport's own
   * group is destroyed by `close()`. @default a unique group per transport instance, i.e. broadcast
   */
  readonly group?: string;
  /** This member's name inside the group. @default a random UUID per instance */
  readonly consumer?: string;
  /** Where a group created by this transport starts. @default 'beginning' with `group`, else 'now' */
  readonly startFrom?: StreamStart;
  /** Most entries asked for per `XREADGROUP` (fewer while entries are large: see `readBudgetBytes`). @default 256 */
  readonly readCount?: number;
  /**
   * Memory budget of this member's entries, in bytes: the entries read and not yet settled
   * (acknowledged or dead-lettered) hold at most about this much. Each read asks for as many
   * entries as fit, judged by the largest entries of recent reads (Redis can't tell an entry's size
   * before sending it), and at most twice as many as the previous read returned; while held
   * entries fill the budget nothing is read. One entry larger than the budget is read alone.
   * @default 16_777_216 (16 MiB)
   */
  readonly readBudgetBytes?: number;
  /** Entries read but not yet acknowledged, at most (backpressure). @default 512 */
  readonly maxInFlight?: number;
  /** How long one blocking read waits, in ms. @default 1_000 */
  readonly blockMs?: number;
  /** Entries pending this long (ms) with a dead member are claimed by a live one. @default 30_000 */
  readonly claimIdleMs?: number;
  /** Handler retries and backoff. */
  readonly retry?: StreamRetryOptions;
  /** Turns on the idempotency guard: redeliveries of handled events are skipped (see {@link IdempotencyOptions}). @default off */
  readonly idempotency?: IdempotencyOptions | boolean;
  /** Stream bounds. */
  readonly retention?: StreamRetention;
  /** The bounded buffer that holds events published while Redis is unreachable. @default `{ maxEvents: 10_000, maxAgeMs: 60_000, policy: 'drop-oldest' }` */
  readonly buffer?: OutageBufferOptions;
  /**
   * Largest message decoded, in bytes. An entry whose message is larger (or whose other fields
   * together exceed 64 KiB) is dead-lettered as `oversize` without being parsed.
   * @default 4_194_304 (4 MiB)
   */
  readonly maxMessageBytes?: number;
  /** Id stamped on every event this transport publishes. @default a random UUID per instance */
  readonly producerId?: string;
  /** Longest `ready()` waits, in ms. @default 10_000 */
  readonly readyTimeoutMs?: number;
  /** Longest `close()` waits to flush and finish in-flight events, in ms. @default 5_000 */
  readonly closeTimeoutMs?: number;
  /** Extra definitions for decoding before a bus binds its registry (standalone consumers). @default [] */
  readonly events?: readonly AnyEventDefinition[];
  /**
   * Takes each entry that is no event this member can decode (a malformed entry, a message that
   * does not decode or disagrees with its `t` / `i` fields) instead of the dead-letter stream, with
   * its original bytes. The entry is acknowledged only once the returned promise resolved; while it
   * rejects the entry stays pending and is handed over again after `claimIdleMs`. The failure is
   * still reported to the observer. The audit recorder keeps such entries this way.
   * @default undefined (dead-lettered)
   */
  readonly onUndecodable?: UndecodableHandler;
}

/** {@link RedisStreamsOptions} with every default filled in. */
export interface ResolvedStreamsOptions {
  readonly group: string;
  readonly consumer: string;
  readonly startFrom: StreamStart;
  readonly readCount: number;
  readonly readBudgetBytes: number;
  readonly maxMessageBytes: number;
  readonly maxInFlight: number;
  readonly blockMs: number;
  readonly claimIdleMs: number;
  readonly maxAttempts: number;
  readonly retryBackoff: Required<BackoffOptions>;
  readonly idempotencyTtlMs: number | undefined;
  readonly maxLen: number;
  readonly maxAgeMs: number;
  readonly deadLetterMaxLen: number;
}

/**
 * Fills in defaults and checks ranges; misuse throws here, before anything connects.
 * @throws {@link InvalidOptionError} for an out-of-range option.
 */
export function resolveStreamsOptions(o: RedisStreamsOptions, uniqueId: string): ResolvedStreamsOptions {
  const guard = o.idempotency;
  const resolved: ResolvedStreamsOptions = {
    group: o.group ?? `broadcast-${uniqueId}`,
    consumer: o.consumer ?? uniqueId,
    startFrom: o.startFrom ?? (o.group === undefined ? 'now' : 'beginning'),
    readCount: o.readCount ?? 256,
    readBudgetBytes: o.readBudgetBytes ?? 16 * 1024 * 1024,
    maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxInFlight: o.maxInFlight ?? 512,
    blockMs: o.blockMs ?? 1_000,
    claimIdleMs: o.claimIdleMs ?? 30_000,
    maxAttempts: o.retry?.maxAttempts ?? 5,
    retryBackoff: { baseMs: o.retry?.backoff?.baseMs ?? 100, capMs: o.retry?.backoff?.capMs ?? 5_000 },
    idempotencyTtlMs: guard === undefined || guard === false ? undefined : guard === true ? 86_400_000 : (guard.ttlMs ?? 86_400_000),
    maxLen: o.retention?.maxLen ?? 1_000_000,
    maxAgeMs: o.retention?.maxAgeMs ?? 0,
    deadLetterMaxLen: o.retention?.deadLetterMaxLen ?? 100_000,
  };
  checkNames(resolved);
  checkNumbers(resolved);
  return resolved;
}

function checkNames(r: ResolvedStreamsOptions): void {
  for (const [key, value] of [['group', r.group], ['consumer', r.consumer]] as const) {
    if (value === '' || value.length > 200 || /[\s\p{Cc}]/u.test(value)) {
      throw new InvalidOptionError(key, 'must be 1–200 printable characters without spaces, e.g. `billing`');
    }
  }
  if (r.startFrom instanceof Date && Number.isNaN(r.startFrom.getTime())) throw new InvalidOptionError('startFrom', 'is an invalid Date');
}

function checkNumbers(r: ResolvedStreamsOptions): void {
  const positive: [string, number][] = [
    ['readCount', r.readCount], ['readBudgetBytes', r.readBudgetBytes], ['maxMessageBytes', r.maxMessageBytes], ['maxInFlight', r.maxInFlight], ['blockMs', r.blockMs],
    ['claimIdleMs', r.claimIdleMs], ['retry.maxAttempts', r.maxAttempts],
  ];
  for (const [key, value] of positive) {
    if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(key, 'must be an integer ≥ 1');
  }
  const nonNegative: [string, number][] = [['retention.maxLen', r.maxLen], ['retention.maxAgeMs', r.maxAgeMs], ['retention.deadLetterMaxLen', r.deadLetterMaxLen]];
  for (const [key, value] of nonNegative) {
    if (!Number.isInteger(value) || value < 0) throw new InvalidOptionError(key, 'must be an integer ≥ 0 (0 = unbounded)');
  }
  if (r.idempotencyTtlMs !== undefined && !(r.idempotencyTtlMs >= 1)) throw new InvalidOptionError('idempotency.ttlMs', 'must be ≥ 1 ms');
  const { baseMs, capMs } = r.retryBackoff;
  if (!(baseMs > 0) || !(capMs >= baseMs)) throw new InvalidOptionError('retry.backoff', 'needs 0 < baseMs ≤ capMs');
}
