import { isUntyped, maskEvent, type AnyBusEvent } from '../index.js';
import { sensitivePathsOf } from '../internal.js';

/** One event as the live tail sends it to the page (JSON); the page renders every field as text. */
export interface EventRow {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  /** RFC 3339. */
  readonly time: string;
  readonly version: string;
  /** The W3C trace id, when the event was produced inside a trace. */
  readonly traceId?: string;
  /** Whether the type has no definition here (its data was not validated). */
  readonly untyped: boolean;
  /** The event's data, with the fields its definition marks sensitive shown as `***`. */
  readonly data: unknown;
}

/** The row of `event`. */
export function rowOf(event: AnyBusEvent): EventRow {
  return {
    id: event.eventId,
    type: event.eventType,
    source: event.source,
    time: event.timestamp.toISOString(),
    version: event.version,
    ...traceIdOf(event),
    untyped: isUntyped(event),
    // Whoever opens the page is no handler: sensitive fields leave the process masked.
    data: sensitivePathsOf(event).length === 0 ? event.data : maskEvent(event).data,
  };
}

/** The trace id out of `traceparent` (`00-<trace id>-<span id>-<flags>`). */
function traceIdOf(event: AnyBusEvent): { traceId?: string } {
  const traceId = event.trace?.traceparent.split('-')[1];
  return traceId === undefined || !/^[0-9a-f]{32}$/.test(traceId) ? {} : { traceId };
}
