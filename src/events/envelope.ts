import { textIssue, traceStateIssue } from '../codec/attributes.js';
import type { ValidationIssue } from '../errors.js';
import type { EventMeta } from './bus-event.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z: RFC 3339 has four-digit years. */
const MIN_TIME_MS = -62_167_219_200_000;
const END_TIME_MS = 253_402_300_800_000;

/** Whether `text` is a UUID (any version), the form every event id takes. */
export function isUuid(text: unknown): boolean {
  return typeof text === 'string' && UUID.test(text);
}

/** Whether `ms` is a time RFC 3339 can write (years 0000 to 9999). */
export function isRfc3339Time(ms: number): boolean {
  return Number.isInteger(ms) && ms >= MIN_TIME_MS && ms < END_TIME_MS;
}

/**
 * The first problem with the envelope fields a caller chose, or `undefined`. Fields left out are
 * filled in by dotbus and always valid.
 */
export function envelopeIssue(meta: EventMeta | undefined): ValidationIssue | undefined {
  if (meta === undefined) return undefined;
  const { eventId, timestamp, source, trace } = meta;
  if (eventId !== undefined && !isUuid(eventId)) return { path: '/eventId', message: 'Expected a UUID, e.g. from crypto.randomUUID()' };
  if (timestamp !== undefined && !(timestamp instanceof Date && isRfc3339Time(timestamp.getTime()))) {
    return { path: '/timestamp', message: 'Expected a valid Date between the years 0000 and 9999' };
  }
  if (source !== undefined) {
    if (typeof source !== 'string' || source === '') return { path: '/source', message: 'Expected a non-empty string (a URI reference such as /orders)' };
    // The same rule the codec applies on the wire, so InMemory refuses what a broker would.
    const issue = textIssue(source);
    if (issue !== undefined) return { path: '/source', message: `Expected text without ${issue}` };
  }
  if (trace !== undefined) {
    if (typeof trace !== 'object' || trace === null || typeof trace.traceparent !== 'string' || !TRACEPARENT.test(trace.traceparent)) {
      return { path: '/trace/traceparent', message: 'Expected a W3C traceparent' };
    }
    if (trace.tracestate !== undefined) {
      const issue = typeof trace.tracestate === 'string' ? traceStateIssue(trace.tracestate) : 'is not a string';
      if (issue !== undefined) return { path: '/trace/tracestate', message: `Expected a W3C tracestate; it ${issue}` };
    }
  }
  return undefined;
}
