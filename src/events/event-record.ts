import { formatIsoTime } from '../codec/iso-time.js';
import type { WireMessage } from '../codec/wire.js';
import type { BusEvent, DeepReadonly, TraceContext } from './bus-event.js';
import { dataSchemaUri } from './data-schema.js';

/** The fields of an event, in the order every event has them. */
export interface EventFields {
  readonly eventId: string;
  readonly eventType: string;
  readonly timestamp: Date;
  readonly version: string;
  readonly source: string;
  readonly trace: TraceContext | undefined;
  readonly data: unknown;
  /** The id of the recorded event this one replays. */
  readonly replayOf?: string | undefined;
}

/**
 * An event as dotbus builds it: frozen, and branded with what vouches for it (the definition
 * that validated its data, or nothing for an event decoded without a definition).
 *
 * @remarks The brand is a private field, so it can't be copied or forged: a spread copy or a
 * hand-written object literal is an ordinary object, validated like any other input at publish.
 * Checking the brand costs one `in` test, which keeps the publish fast path at its speed.
 * `JSON.stringify(event)` gives its CloudEvents JSON ({@link toJSON}).
 */
export class EventRecord implements BusEvent {
  /** The definition (any object identity) that validated `data`; `null` for an untyped event. */
  readonly #vouchedBy: object | null;
  /** The id of the key whose valid signature the decoded message carried; `undefined` otherwise. */
  readonly #signedBy: string | undefined;
  readonly eventId: string;
  readonly eventType: string;
  readonly timestamp: Date;
  readonly version: string;
  readonly source: string;
  // `declare`: an event without trace context has no `trace` property at all, not an undefined one.
  declare readonly trace?: TraceContext;
  declare readonly replayOf?: string;
  readonly data: DeepReadonly<unknown>;

  constructor(fields: EventFields, vouchedBy: object | null, signedBy?: string) {
    this.#vouchedBy = vouchedBy;
    // A field every record has (not a side table): no lookup and no weak reference per event.
    this.#signedBy = signedBy;
    this.eventId = fields.eventId;
    this.eventType = fields.eventType;
    this.timestamp = fields.timestamp;
    this.version = fields.version;
    this.source = fields.source;
    if (fields.trace !== undefined) (this as { trace?: TraceContext }).trace = fields.trace;
    this.data = fields.data as DeepReadonly<unknown>;
    if (fields.replayOf !== undefined) (this as { replayOf?: string }).replayOf = fields.replayOf;
    Object.freeze(this);
  }

  /**
   * The event's CloudEvents 1.0 structured JSON object: `JSON.stringify(event)` is exactly what
   * `JsonCodec.encode(event)` writes (without a producer stamp).
   *
   * @remarks Spec: `IEvent.to_json()`.
   */
  toJSON(): WireMessage {
    const trace = this.trace;
    return {
      specversion: '1.0',
      id: this.eventId,
      source: this.source,
      type: this.eventType,
      time: formatIsoTime(this.timestamp.getTime()),
      datacontenttype: 'application/json',
      // Only an untyped event can lack a version: its message had no `schemaversion`.
      ...(this.version === '' ? {} : { dataschema: dataSchemaUri(this.eventType, this.version), schemaversion: this.version }),
      ...(trace === undefined ? {} : trace.tracestate === undefined ? { traceparent: trace.traceparent } : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
      ...(this.replayOf === undefined ? {} : { replayof: this.replayOf }),
      data: this.data,
    };
  }

  /**
   * What vouches for `value`: the definition that validated it, `null` for an event decoded
   * without a definition, `undefined` for anything dotbus did not build (a plain object, a copy).
   */
  static vouchOf(value: unknown): object | null | undefined {
    return typeof value === 'object' && value !== null && #vouchedBy in value ? value.#vouchedBy : undefined;
  }

  /** The key id of the valid signature `value` was decoded with; `undefined` for anything else (copies included). */
  static signedByOf(value: unknown): string | undefined {
    return typeof value === 'object' && value !== null && #signedBy in value ? value.#signedBy : undefined;
  }
}

/** Whether `event` was decoded from a CloudEvent of a type the decoder had no definition for. */
export function isUntyped(event: BusEvent): boolean {
  return EventRecord.vouchOf(event) === null;
}

/**
 * `event` carrying `trace`: a copy, vouched for as `event` is (events are frozen, so a trace
 * context a bus's tracing adds at publish needs one). Anything dotbus did not build comes back as is.
 */
export function withTrace(event: BusEvent, trace: TraceContext): BusEvent {
  const vouch = EventRecord.vouchOf(event);
  if (vouch === undefined) return event;
  const { eventId, eventType, timestamp, version, source, data, replayOf } = event;
  return new EventRecord({ eventId, eventType, timestamp, version, source, trace, data, replayOf }, vouch);
}

/**
 * A replay of `event`: the same event under the id `eventId`, marked as replaying `event`'s id
 * (`replayOf`), vouched for as `event` is. `undefined` for anything dotbus did not build.
 */
export function asReplayOf(event: BusEvent, eventId: string): BusEvent | undefined {
  const vouch = EventRecord.vouchOf(event);
  if (vouch === undefined) return undefined;
  const { eventType, timestamp, version, source, trace, data } = event;
  return new EventRecord({ eventId, eventType, timestamp, version, source, trace, data, replayOf: event.eventId }, vouch);
}
