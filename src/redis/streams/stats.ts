import type { TransportStats } from '../../index.js';
import type { ConnectionStatus } from '../connection-monitor.js';
import type { ProducerStats } from '../producer-core.js';
import type { StreamsCounters } from './counters.js';

/**
 * Counters of a {@link RedisStreamsTransport}: the common ones plus Streams ones.
 *
 * @remarks `published` counts entries this member read (new or claimed) and local events;
 * `delivered` and `handlerErrors` count handler calls, retries included. For one group, every
 * entry read ends as exactly one of: acknowledged (`acked`: handled, unrouted or a guarded
 * duplicate), dead-lettered, dropped as `expired` (trimmed before it was handled), or still
 * `inFlight`; one left pending by `close()`, or by a dead-letter stream that refused it
 * (`deadLetterBlocked`), is redelivered later.
 */
export interface RedisStreamsStats extends TransportStats, ProducerStats {
  /** Entries acknowledged after success, unrouted or as guarded duplicates. */
  readonly acked: number;
  /** Handler retries scheduled. */
  readonly retries: number;
  /** Entries sent to the dead-letter stream (handler failures, malformed entries, decode failures, exhausted attempts). */
  readonly deadLettered: number;
  /**
   * Entries this member left pending because the dead-letter stream refused them (a key of another
   * type, out of memory, …), since it last accepted a write; 0 when it accepts writes. While above
   * 0, `status` reads `degraded`.
   */
  readonly deadLetterBlocked: number;
  /** Entries claimed from other (dead) members. */
  readonly claimed: number;
  /** Redeliveries the idempotency guard skipped. */
  readonly duplicatesSkipped: number;
  /** Entries that were malformed or did not decode (also dead-lettered). */
  readonly decodeErrors: number;
  /** `commitOnce` calls whose writes were applied. */
  readonly committed: number;
  /** `commitOnce` calls refused because the event was already committed (a redelivery). */
  readonly commitsSkipped: number;
  /** Times a connection came back after being up. */
  readonly reconnects: number;
  /** Overall state: the connections' (see {@link ConnectionStatus}), or `degraded` while they are up but dead letters are refused. */
  readonly status: ConnectionStatus | 'degraded';
}

/** Assembles {@link RedisStreamsStats} from the parts' counters. */
export function streamsStats(c: StreamsCounters, p: ProducerStats, reconnects: number, status: ConnectionStatus | 'degraded', deadLetterBlocked: number): RedisStreamsStats {
  return {
    published: c.received,
    delivered: c.delivered,
    handlerErrors: c.handlerErrors,
    unrouted: c.unrouted,
    dropped: c.drops.snapshot(),
    queued: 0,
    inFlight: c.inFlight,
    ...p,
    acked: c.acked,
    retries: c.retries,
    deadLettered: c.deadLettered,
    deadLetterBlocked,
    claimed: c.claimed,
    duplicatesSkipped: c.duplicatesSkipped,
    decodeErrors: c.decodeErrors,
    committed: c.committed,
    commitsSkipped: c.commitsSkipped,
    reconnects,
    status,
  };
}
