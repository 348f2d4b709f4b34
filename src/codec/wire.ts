/**
 * The CloudEvents 1.0 structured-mode JSON envelope dotbus writes (DESIGN §4).
 *
 * Extension attribute names follow the CloudEvents rule (lower-case letters and digits only).
 */
export interface WireMessage {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** RFC 3339, UTC, millisecond precision. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  /**
   * The JSON Schema this message conforms to, `urn:dotbus:schema:<type>:<version>` (the `$id`
   * of the exported schema; see `dotbus/schema`). Written whenever `schemaversion` is.
   */
  readonly dataschema?: string;
  /** Extension: semantic version of the definition the data conforms to (always written by dotbus). */
  readonly schemaversion?: string;
  /** Extension: W3C trace context. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Extension: the producing instance, for loss detection. */
  readonly producerid?: string;
  /** Extension: per-producer sequence number as a decimal string (CloudEvents integers are 32-bit). */
  readonly producerseq?: string;
  /** Extension: on a replayed event, the id of the recorded event it replays. */
  readonly replayof?: string;
  readonly data: unknown;
}

/** Stamp a producer adds to each message so that consumers can detect gaps (DESIGN §6). */
export interface ProducerStamp {
  /** Unique per producer instance (a restart gets a new id). */
  readonly producerId: string;
  /** 1, 2, 3, … per producer instance. */
  readonly sequence: number;
}

/** Default largest message accepted by `decode`, in bytes (4 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
