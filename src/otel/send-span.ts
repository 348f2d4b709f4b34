import { context, SpanKind, trace, type Attributes, type Context, type Link, type Span, type Tracer } from '@opentelemetry/api';
import type { PublishReceipt, SendSpan, SendStart, TraceContext } from '../index.js';
import type { MessagingDurations } from './durations.js';
import { ATTR_BATCH_COUNT, ATTR_DESTINATION_NAME, ATTR_MESSAGE_ID, ATTR_PUBLISH_STATUS, markFailed } from './semconv.js';
import { spanContextOf, traceContextOf } from './trace-context.js';

/**
 * Starts the span of one send, as the conventions' "Send span" says: named `send <event type>`
 * (`send` alone for a batch of mixed types), a child of the caller's active span, its context
 * injected into every event that carries none. Kind `PRODUCER` when it is some event's creation
 * context; `CLIENT` when every event brought its own (the application's context, kept as is),
 * and then the span links to those contexts.
 */
export function startSendSpan(tracer: Tracer, send: SendStart, durations: MessagingDurations): SendSpan {
  const started = performance.now();
  let links: Link[] | undefined;
  for (const carried of send.carried) {
    const linked = spanContextOf(carried);
    if (linked !== undefined) (links ??= []).push({ context: linked });
  }
  // Literal keys (not the constants as computed keys) keep this object literal on V8's fast path.
  const attributes: Attributes = {
    'messaging.system': 'dotbus',
    'messaging.operation.name': 'send',
    'messaging.operation.type': 'send',
    'messaging.dotbus.transport': send.transport,
  };
  if (send.eventType !== undefined) attributes[ATTR_DESTINATION_NAME] = send.eventType;
  if (send.eventId !== undefined) attributes[ATTR_MESSAGE_ID] = send.eventId;
  if (send.batch) attributes[ATTR_BATCH_COUNT] = send.count;
  const kind = send.carried.length >= send.count ? SpanKind.CLIENT : SpanKind.PRODUCER;
  const name = send.eventType === undefined ? 'send' : `send ${send.eventType}`;
  const parent = context.active();
  const span = tracer.startSpan(name, links === undefined ? { kind, attributes } : { kind, attributes, links }, parent);
  return new OtelSendSpan(span, parent, send.batch, (error) => durations.sent(send.eventType, started, error));
}

/** @see {@link SendSpan} */
class OtelSendSpan implements SendSpan {
  readonly traceContext: TraceContext | undefined;

  constructor(
    private readonly span: Span,
    private readonly parent: Context,
    private readonly batch: boolean,
    private readonly measure: (error: unknown) => void,
  ) {
    this.traceContext = traceContextOf(span.spanContext());
  }

  run<R>(fn: () => R): R {
    return context.with(trace.setSpan(this.parent, this.span), fn);
  }

  end(receipts: readonly PublishReceipt[]): void {
    const { span } = this;
    if (!this.batch && receipts.length === 1) span.setAttribute(ATTR_PUBLISH_STATUS, receipts[0]!.status);
    // A batch fails when any of its events failed; the first failure names the type. The bus
    // gives every failed receipt its error (`_OTHER` covers a receipt from elsewhere).
    const failed = receipts.find((r) => r.status === 'failed');
    if (failed !== undefined) markFailed(span, failed.error);
    span.end();
    this.measure(failed?.error);
  }
}
