import { DropCounters } from '../../internal.js';

/**
 * Mutable counters shared by the parts of one Streams consumer.
 *
 * @internal Read them through {@link RedisStreamsTransport.stats}.
 */
export class StreamsCounters {
  /** Entries read from the stream (new or claimed) plus local events. */
  received = 0;
  delivered = 0;
  handlerErrors = 0;
  unrouted = 0;
  inFlight = 0;
  acked = 0;
  retries = 0;
  deadLettered = 0;
  claimed = 0;
  duplicatesSkipped = 0;
  decodeErrors = 0;
  committed = 0;
  commitsSkipped = 0;
  readonly drops = new DropCounters();
}
