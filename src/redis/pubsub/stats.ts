import type { TransportStats } from '../../index.js';
import type { ConnectionStatus } from '../connection-monitor.js';
import type { ProducerStats } from '../producer-core.js';
import type { ConsumerStats } from './consumer.js';

/**
 * Counters of a {@link RedisPubSubTransport}: the local dispatcher's plus Redis ones.
 *
 * @remarks For the events of this process, published here equals what the subscriber connection
 * received and decoded; the accounting rule is
 * `published = delivered + dropped (all reasons, lost included) + queued + inFlight`, and across
 * processes `producer published = consumer delivered + consumer dropped + producer dropped`.
 */
export interface RedisPubSubStats extends TransportStats, ProducerStats, ConsumerStats {
  /** Times a connection came back after being up. */
  readonly reconnects: number;
  /** Overall connection state. */
  readonly status: ConnectionStatus;
}
