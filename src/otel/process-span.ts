import { context, SpanKind, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { AnyBusEvent, Delivery, EventHandler } from '../index.js';
import type { MessagingDurations } from './durations.js';
import { ATTR_DEAD_LETTER_REASON, EVENT_DEAD_LETTER, markFailed } from './semconv.js';
import { spanContextOf } from './trace-context.js';

/** How a process span relates to the span that sent its event; see `OtelTracingOptions.consumerParent`. */
export type ConsumerParent = 'parent' | 'link';

/**
 * `handler`, running each call in a CONSUMER span `process <event type>` as the conventions'
 * "Process span" says. With `parent`, the span is a child of the event's creation context (the
 * producer's send span); with `link`, it starts a trace of its own and links to it.
 *
 * @remarks The context active where a transport calls a handler is not a scope the application
 * opened around it: in process it is the publisher's (whichever publish scheduled the dispatch),
 * over Redis the one the connection was opened in. So it is never the parent: an event without
 * trace context starts a new trace. The wrapper returns what the handler returns and rethrows its
 * failures unchanged, so the bus still isolates, counts and reports them.
 */
export function processSpans(tracer: Tracer, mode: ConsumerParent, handler: EventHandler, pattern: string, durations: MessagingDurations): EventHandler {
  return (event: AnyBusEvent, delivery: Delivery | undefined) => {
    const started = performance.now();
    const { span, current } = startProcessSpan(tracer, mode, event, pattern, delivery);
    const fail = (e: unknown): void => {
      failed(span, e, delivery);
      durations.processed(event.eventType, pattern, started, e);
    };
    let result: void | Promise<void>;
    try {
      result = context.with(current, handler, undefined, event, delivery as Delivery);
    } catch (e) {
      fail(e);
      throw e;
    }
    if (result === undefined || typeof (result as { then?: unknown }).then !== 'function') {
      span.end();
      durations.processed(event.eventType, pattern, started);
      return result;
    }
    return result.then(
      () => {
        span.end();
        durations.processed(event.eventType, pattern, started);
      },
      (e: unknown) => {
        fail(e);
        throw e;
      },
    );
  };
}

/** The process span of one call, and the context the handler runs in (the span's). */
function startProcessSpan(tracer: Tracer, mode: ConsumerParent, event: AnyBusEvent, pattern: string, delivery: Delivery | undefined): { span: Span; current: Context } {
  // Literal keys (not the constants as computed keys) keep this object literal on V8's fast path.
  const attributes: Attributes = {
    'messaging.system': 'dotbus',
    'messaging.operation.name': 'process',
    'messaging.operation.type': 'process',
    'messaging.destination.name': event.eventType,
    'messaging.destination.template': pattern,
    'messaging.message.id': event.eventId,
    // A transport of someone else's may not say; every dotbus transport does.
    'messaging.dotbus.message.delivery_attempt': delivery?.attempt ?? 1,
  };
  const producer = spanContextOf(event.trace);
  const active = context.active();
  // Contexts are immutable maps copied on every change: copy only when there is a span to drop.
  const root = trace.getSpan(active) === undefined ? active : trace.deleteSpan(active);
  const name = `process ${event.eventType}`;
  let span: Span;
  if (producer === undefined) span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, root);
  else if (mode === 'parent') span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, trace.setSpanContext(root, producer));
  else span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes, links: [{ context: producer }] }, root);
  return { span, current: trace.setSpan(root, span) };
}

function failed(span: Span, error: unknown, delivery: Delivery | undefined): void {
  markFailed(span, error);
  if (delivery?.onFailure === 'dead-letter') span.addEvent(EVENT_DEAD_LETTER, { [ATTR_DEAD_LETTER_REASON]: 'handler-failed' });
  span.end();
}
