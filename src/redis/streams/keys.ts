import { checkNamespace } from '../../internal.js';

/**
 * The Redis keys of one Streams namespace.
 *
 * @remarks Layout (see ARCHITECTURE): one stream per namespace, `{<ns>}:events`, holding every
 * event type. Why one stream: the {@link EventProducer} contract promises each subscriber a
 * producer's events in publish order across types, and only a single stream has one total
 * order; a pattern subscription sees types first published after it started without any discovery
 * step; a group reads one key with one blocking `XREADGROUP`. The price is that a group reads the
 * events it does not subscribe to and acknowledges them unhandled (cheap: the type is a separate
 * field, so non-matching entries are never parsed). Scale out with more namespaces.
 * The hash tag `{<ns>}` puts the stream, its dead-letter stream, the idempotency marks and the
 * attempt counters in one Cluster slot, so dead-lettering and acknowledging run as one script, and
 * a commit ({@link RedisStreamsTransport.commitOnce}) runs as one script, even on a Cluster.
 */
export class StreamKeys {
  /** The event stream. */
  readonly events: string;
  /** The dead-letter stream. */
  readonly deadLetter: string;
  /** The hash tag every key of this namespace carries, `{<ns>}`. */
  readonly hashTag: string;
  readonly #guardPrefix: string;

  readonly namespace: string;

  constructor(ns?: string) {
    const namespace = checkNamespace(ns);
    this.namespace = namespace;
    this.hashTag = `{${namespace}}`;
    this.events = `{${namespace}}:events`;
    this.deadLetter = `{${namespace}}:dead-letter`;
    this.#guardPrefix = `{${namespace}}:done:`;
  }

  /** The idempotency key of `eventId` for `group`. */
  processed(group: string, eventId: string): string {
    return `${this.#guardPrefix}${group}:${eventId}`;
  }

  /**
   * The mark of a {@link RedisStreamsTransport.commitOnce} commit of `eventId` for `group`.
   * Separate from {@link StreamKeys.processed}: a commit says one set of writes landed, not that
   * every handler of the event finished.
   */
  committed(group: string, eventId: string, scope: string): string {
    return `{${this.namespace}}:once:${group}:${scope}:${eventId}`;
  }

  /** The counter of retries (attempts after the first of a delivery) of stream entry `entryId` for `group`. */
  retries(group: string, entryId: string): string {
    return `{${this.namespace}}:retries:${group}:${entryId}`;
  }

  /**
   * A key of your own in this namespace's Cluster slot, `{<ns>}:<name>`, for the writes of a
   * {@link RedisStreamsTransport.commitOnce} commit.
   * @example `transport.keys.tagged('orders:totals')` → `{shop}:orders:totals`
   */
  tagged(name: string): string {
    return `${this.hashTag}:${name}`;
  }

  /** Whether `key` hashes to this namespace's slot: its hash tag (first `{…}`, Redis's rule) is `{<ns>}`. */
  owns(key: string): boolean {
    const open = key.indexOf('{');
    if (open < 0) return false;
    const close = key.indexOf('}', open + 1);
    return close > open + 1 && key.slice(open + 1, close) === this.namespace;
  }
}

/**
 * Field names of a stream entry: `t` the event type (routing without parsing), `i` the event id
 * (the idempotency guard's lookup without parsing), `m` the wire message.
 */
export const FIELD_TYPE = 't';
/** @see {@link FIELD_TYPE} */
export const FIELD_EVENT_ID = 'i';
/** @see {@link FIELD_TYPE} */
export const FIELD_MESSAGE = 'm';
