import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { AnyBusEvent, EventHandler } from '../index.js';
import { spanContextOf } from './trace-context.js';

/** Options of {@link traced}. */
export interface TracedOptions {
  /** @default `trace.getTracer('dotbus')` from the global tracer provider */
  readonly tracer?: Tracer;
}

/**
 * Wraps a handler so that each call runs in a CONSUMER span whose parent is the span the event
 * was published in (from its `traceparent`), in this process or another.
 *
 * @remarks A failure is recorded on the span and rethrown unchanged, so the bus still isolates,
 * counts and reports it.
 * @example
 * ```ts
 * bus.subscribe('order.*', traced(async (e) => ship(e.data.orderId)));
 * ```
 */
export function traced<E extends AnyBusEvent>(handler: EventHandler<E>, options: TracedOptions = {}): EventHandler<E> {
  return (event: E) => {
    const tracer = options.tracer ?? trace.getTracer('dotbus');
    const remote = spanContextOf(event.trace);
    const parent = remote === undefined ? context.active() : trace.setSpanContext(context.active(), remote);
    const attributes = {
      'messaging.system': 'dotbus',
      'messaging.operation.type': 'process',
      'messaging.destination.name': event.eventType,
      'messaging.message.id': event.eventId,
    };
    return tracer.startActiveSpan(`process ${event.eventType}`, { kind: SpanKind.CONSUMER, attributes }, parent, (span) => {
      let result: void | Promise<void>;
      try {
        result = handler(event);
      } catch (e) {
        fail(span, e);
        throw e;
      }
      if (result === undefined || typeof (result as { then?: unknown }).then !== 'function') {
        span.end();
        return result;
      }
      return result.then(
        () => span.end(),
        (e: unknown) => {
          fail(span, e);
          throw e;
        },
      );
    });
  };
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}
