import { context, createTraceState, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';
import type { TraceContext } from '../index.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C trace context of OpenTelemetry's active span, or `undefined` outside a span.
 *
 * @remarks Pass it as `createBus({ traceContext: activeTraceContext })`: every event the bus
 * builds inside a span then carries `traceparent`/`tracestate` to its consumers, in this process
 * or another.
 */
export function activeTraceContext(): TraceContext | undefined {
  const span = trace.getSpanContext(context.active());
  if (span === undefined || !isSpanContextValid(span)) return undefined;
  const traceparent = `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  const tracestate = span.traceState?.serialize();
  return tracestate === undefined || tracestate === '' ? { traceparent } : { traceparent, tracestate };
}

/** The remote span context an event's trace context names, or `undefined` if it names none. */
export function spanContextOf(traceContext: TraceContext | undefined): SpanContext | undefined {
  if (traceContext === undefined) return undefined;
  const m = TRACEPARENT.exec(traceContext.traceparent);
  if (m === null) return undefined;
  const span: SpanContext = {
    traceId: m[1]!,
    spanId: m[2]!,
    traceFlags: parseInt(m[3]!, 16),
    isRemote: true,
    ...(traceContext.tracestate === undefined ? {} : { traceState: createTraceState(traceContext.tracestate) }),
  };
  return isSpanContextValid(span) ? span : undefined;
}
