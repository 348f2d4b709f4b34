import type { TransportStats } from '../../index.js';
import type { ConnectionStatus } from '../connection-monitor.js';

/**
 * Counters of a {@link RedisPubSubTransport}: the local dispatcher's plus Redis ones.
 *
 * @remarks For the events of this process, published here equals what the subscriber connection
 * received and decoded; the accounting rule is
 * `published = delivered + dropped (all reasons, lost included) + queued + inFlight`, and across
 * processes `producer published = consumer delivered + consumer dropped + producer dropped`.
 */
export interface RedisPubSubStats extends TransportStats {
  /** PUBLISH commands Redis acknowledged. */
  readonly sent: number;
  /** Events waiting in the outage buffer now. */
  readonly buffered: number;
  /** Events sent from the outage buffer after a reconnect. */
  readonly flushed: number;
  /** PUBLISH commands written and not yet acknowledged. */
  readonly unacknowledged: number;
  /** Messages received on event channels (before decoding). */
  readonly received: number;
  /** Messages on dotbus channels that did not decode. */
  readonly decodeErrors: number;
  /** Events counted as lost from sequence gaps and heartbeats (also in `dropped.lost`). */
  readonly lost: number;
  /** Re-sent copies dropped. */
  readonly duplicates: number;
  /** Heartbeats received. */
  readonly heartbeats: number;
  /** (producer id, event type) pairs whose sequence numbers the consumer tracks now; at most `maxTrackedStreams`. */
  readonly trackedStreams: number;
  /**
   * Pairs the consumer forgot to stay within `maxTrackedStreams` (or `maxProducers`), least
   * recently seen first. A forgotten pair restarts from a new baseline; a steady rise means more
   * producers × types than the cap, or forged heartbeats.
   */
  readonly evictedStreams: number;
  /** Times a connection came back after being up. */
  readonly reconnects: number;
  /** Overall connection state. */
  readonly status: ConnectionStatus;
}
