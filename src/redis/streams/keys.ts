import { InvalidOptionError } from '../../index.js';

/** The default namespace of the Streams transport. */
export const DEFAULT_STREAMS_NAMESPACE = 'dotbus';

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
 * The hash tag `{<ns>}` puts the stream, its dead-letter stream and the idempotency keys in one
 * Cluster slot, so dead-lettering and acknowledging run as one `MULTI` even on a Cluster.
 */
export class StreamKeys {
  /** The event stream. */
  readonly events: string;
  /** The dead-letter stream. */
  readonly deadLetter: string;
  readonly #guardPrefix: string;

  constructor(readonly namespace: string = DEFAULT_STREAMS_NAMESPACE) {
    if (namespace === '' || namespace.length > 200 || /[\s\p{Cc}{}]/u.test(namespace)) {
      throw new InvalidOptionError('namespace', 'must be 1–200 printable characters without spaces or braces, e.g. `orders-prod`');
    }
    this.events = `{${namespace}}:events`;
    this.deadLetter = `{${namespace}}:dead-letter`;
    this.#guardPrefix = `{${namespace}}:done:`;
  }

  /** The idempotency key of `eventId` for `group`. */
  processed(group: string, eventId: string): string {
    return `${this.#guardPrefix}${group}:${eventId}`;
  }
}

/** Field names of a stream entry: `t` the event type (filtering without parsing), `m` the wire message. */
export const FIELD_TYPE = 't';
export const FIELD_MESSAGE = 'm';
