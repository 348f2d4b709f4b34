import type { QueueOptions } from '../../index.js';
import type { DecodeError } from '../../internal.js';
import type { RedisConnectionOptions } from '../connection.js';
import type { OutageBufferOptions } from '../outage-buffer.js';
import type { PubSubBatchOptions } from './batcher.js';

/** A message on a dotbus channel that could not be decoded, as handed to `onDecodeError`. */
export interface DecodeErrorInfo {
  /** The message exactly as received; for one element of a batch message, that element's text. */
  readonly raw: string | Buffer;
  /** The channel it came on. */
  readonly channel: string;
  /** For one element of a batch message: its position in the batch (a batch refused as a whole has none). */
  readonly batchIndex?: number;
  /** What was wrong with it. */
  readonly error: DecodeError;
}

/**
 * Options of {@link RedisPubSubTransport}.
 *
 * @remarks For Sentinel or Cluster, build the ioredis client yourself and pass it as
 * `connection.client`: `new Redis({ sentinels: [...], name: 'mymaster' })` or
 * `new Cluster([{ host, port }])`. dotbus duplicates it for its publisher and subscriber
 * connections and never closes yours.
 */
export interface RedisPubSubOptions {
  /** How to reach Redis. @default `{ url: 'redis://127.0.0.1:6379' }` */
  readonly connection?: RedisConnectionOptions;
  /** Prefix of every channel, `<namespace>:<eventType>`; apps or tenants with different namespaces don't see each other. @default 'dotbus' */
  readonly namespace?: string;
  /** The bounded buffer that holds events published while Redis is unreachable. @default `{ maxEvents: 10_000, maxAgeMs: 60_000, policy: 'drop-oldest' }` */
  readonly buffer?: OutageBufferOptions;
  /** How often each producer announces its last sequence numbers, in ms; 0 turns heartbeats off. @default 1000 */
  readonly heartbeatMs?: number;
  /** Default queue of each local subscription. @default `{ capacity: 10_000, policy: 'drop-oldest' }` */
  readonly queue?: QueueOptions;
  /** Default in-flight limit of each local subscription. @default 64 */
  readonly maxInFlight?: number;
  /** Largest message decoded, in bytes, a batch message included; larger ones are decode errors (`oversize`). @default 4 MiB */
  readonly maxMessageBytes?: number;
  /**
   * Batch mode of the producer (off by default: one message per event, the wire format of earlier
   * versions). With it, events of one type published within `flushMs` go out as one message in
   * the CloudEvents JSON batch format, on the type's channel; receipts stay per event. Every
   * consumer reads both forms, whatever its own setting. Order is then kept per event type only.
   * @default undefined (off)
   */
  readonly batch?: PubSubBatchOptions;
  /**
   * Most events a received batch message may hold; a larger one is refused as a whole (a decode
   * error, `oversize`), so a hostile array can't make a consumer build many events at once.
   * @default 1_000
   */
  readonly maxBatchEvents?: number;
  /**
   * Id stamped on every event this transport publishes: 1–200 characters (`MAX_PRODUCER_ID_LENGTH`),
   * no control or bidirectional formatting characters; consumers refuse anything else.
   * @default a random UUID per instance
   */
  readonly producerId?: string;
  /**
   * What the subscriber connection asks Redis for. `'patterns'`: one `PSUBSCRIBE` per distinct
   * pattern glob (`<namespace>:orders.*`), so Redis sends only what some pattern may match.
   * `'namespace'`: a single `PSUBSCRIBE <namespace>:*`; messages on channels of types no local
   * subscription matches (or naming no valid type) are dropped unread, before decoding, and not
   * counted in `stats().received`. Use `'namespace'` with a Redis ACL user limited to
   * `&<namespace>:*`: Redis compares a `PSUBSCRIBE` pattern with the user's channel rules
   * literally, so such a user may subscribe to `<namespace>:*` and to no narrower glob
   * (see `aclRulesFor`).
   * @default 'patterns'
   */
  readonly subscribeTo?: 'patterns' | 'namespace';
  /** Longest `ready()` waits before it rejects, in ms. @default 10_000 */
  readonly readyTimeoutMs?: number;
  /** Longest `close()` waits to flush buffered and in-flight events, in ms. @default 5_000 */
  readonly closeTimeoutMs?: number;
  /** Most producers a consumer tracks sequence numbers of; the one seen least recently is forgotten first. @default 10_000 */
  readonly maxProducers?: number;
  /**
   * Most (producer id, event type) pairs a consumer tracks sequence numbers of, all producers
   * together: the hard cap on loss detection's memory, 150–350 bytes a pair with its share of
   * the producer id (measured at the default, full: 14 MB for short types, 34 MB for 255-character
   * types under 10,000 producers with 200-character ids). Past it the pair seen least recently is
   * forgotten (counted in `stats().evictedStreams`) and starts again from a new baseline, so
   * forged heartbeats or producer ids can't grow a consumer's memory. Raise it if producers ×
   * subscribed types can exceed it. @default 100_000
   */
  readonly maxTrackedStreams?: number;
  /**
   * Called for every message on a dotbus channel that does not decode (a dead-letter hook),
   * after it was counted and reported to the bus's `onError`. Must not throw.
   */
  readonly onDecodeError?: (info: DecodeErrorInfo) => void;
}
