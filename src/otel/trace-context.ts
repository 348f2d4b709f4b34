import { context, createTraceState, INVALID_SPANID, INVALID_TRACEID, trace, type SpanContext } from '@opentelemetry/api';
import type { TraceContext } from '../index.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C trace context of OpenTelemetry's active span, or `undefined` outside a span.
 *
 * @remarks Pass it as `createBus({ traceContext: activeTraceContext })`: every event the bus
 * builds inside a span then carries `traceparent`/`tracestate` to its consumers, in this process
 * or another, without spans of dotbus's own. `createBus({ tracing: otelTracing() })` does more
 * (send and process spans) and makes this option unnecessary.
 */
export function activeTraceContext(): TraceContext | undefined {
  return traceContextOf(trace.getSpanContext(context.active()));
}

/** `span` as the W3C trace context an event carries, or `undefined` for no span or an invalid one. */
export function traceContextOf(span: SpanContext | undefined): TraceContext | undefined {
  if (span === undefined || span.traceId === INVALID_TRACEID || span.spanId === INVALID_SPANID) return undefined;
  const traceparent = `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  // One check of the result instead of one per id: an event refuses a malformed traceparent.
  if (!TRACEPARENT.test(traceparent)) return undefined;
  const tracestate = span.traceState?.serialize();
  return tracestate === undefined || tracestate === '' ? { traceparent } : { traceparent, tracestate };
}

/** The remote span context an event's trace context names, or `undefined` if it names none. */
export function spanContextOf(traceContext: TraceContext | undefined): SpanContext | undefined {
  if (traceContext === undefined) return undefined;
  const m = TRACEPARENT.exec(traceContext.traceparent);
  if (m === null) return undefined;
  const traceId = m[1]!;
  const spanId = m[2]!;
  if (traceId === INVALID_TRACEID || spanId === INVALID_SPANID) return undefined;
  const span: SpanContext = { traceId, spanId, traceFlags: parseInt(m[3]!, 16), isRemote: true };
  if (traceContext.tracestate !== undefined) span.traceState = createTraceState(traceContext.tracestate);
  return span;
}
