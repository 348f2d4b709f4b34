import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { isDotbusError } from '../index.js';
import { describeError } from '../internal.js';

/**
 * The OpenTelemetry semantic conventions for messaging these spans follow: v1.44.0 (the messaging
 * conventions are still marked Development there). Also the tracer's schema URL.
 *
 * @remarks What dotbus sets, at span start unless said otherwise:
 * - every span: `messaging.system` (`dotbus`: the messaging system the application sees, whatever
 *   its transport), `messaging.operation.name` and `messaging.operation.type` (`send`, `process`),
 *   `messaging.destination.name` (the event type; on a batch only if all share it),
 *   `messaging.message.id` (the event id; not on a batch), `error.type` at the end of a failure;
 * - send spans: `messaging.batch.message_count` (`publishBatch`, even of one event),
 *   `messaging.dotbus.transport`, and at the end `messaging.dotbus.publish.status` (one event);
 * - process spans: `messaging.destination.template` (the subscription's pattern),
 *   `messaging.dotbus.message.delivery_attempt`.
 * dotbus's own names live under `messaging.dotbus`, as the conventions require. The keys are
 * written out, not taken from a semantic-conventions package: its messaging names are all
 * Development and move between its entry points.
 */
export const SEMCONV_VERSION = '1.44.0';
export const SCHEMA_URL = `https://opentelemetry.io/schemas/${SEMCONV_VERSION}`;

export const ATTR_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGE_ID = 'messaging.message.id';
export const ATTR_BATCH_COUNT = 'messaging.batch.message_count';
export const ATTR_ERROR_TYPE = 'error.type';
/** What the transport did with a single event: `accepted`, `buffered`, `dropped`, `skipped`, `failed`. */
export const ATTR_PUBLISH_STATUS = 'messaging.dotbus.publish.status';
/** Span event on the last failed attempt (Redis Streams): the event goes to the dead-letter stream. */
export const EVENT_DEAD_LETTER = 'messaging.dotbus.dead_letter';
/** Why the event was dead-lettered (the dead-letter entry's `reason`). */
export const ATTR_DEAD_LETTER_REASON = 'messaging.dotbus.dead_letter.reason';

/** Fallback `error.type` of the conventions, for a thrown value that is no object. */
const OTHER = '_OTHER';

/**
 * The low-cardinality `error.type` of a failure: a dotbus error's `code` (`INVALID_EVENT`,
 * `BUFFER_FULL`, `TRANSPORT_CLOSED`, `PUBLISH_FAILED`, …), otherwise the class name of what was
 * thrown (`Error`, `TypeError`, your own classes), otherwise `_OTHER`.
 */
export function errorType(error: unknown): string {
  if (isDotbusError(error)) return error.code;
  if (typeof error !== 'object' || error === null) return OTHER;
  try {
    const name: unknown = (error as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : OTHER;
  } catch {
    return OTHER; // a revoked proxy or a throwing getter
  }
}

/**
 * Marks `span` failed as the conventions' "Recording errors" says: status `ERROR` with the
 * error's message and `error.type`. The exception itself is not added as a span event: the bus
 * reports it to `onError` already, and the conventions ask not to record one exception twice.
 */
export function markFailed(span: Span, error: unknown, type = errorType(error)): void {
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
}
