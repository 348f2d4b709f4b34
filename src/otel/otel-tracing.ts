import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { MessagingDurations } from './durations.js';
import { InvalidOptionError } from '../internal.js';
import type { BusTracing } from '../index.js';
import { processSpans, type ConsumerParent } from './process-span.js';
import { SCHEMA_URL } from './semconv.js';
import { startSendSpan } from './send-span.js';

/** Options of {@link otelTracing}. */
export interface OtelTracingOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()`), read when spans start */
  readonly tracerProvider?: TracerProvider;
  /**
   * How a `process` span relates to the `send` span of its event (the event's creation context):
   * `parent` makes it the parent, so producer and consumers share one trace; `link` starts a trace
   * per handler call with a link to it (for consumers whose traces should stay apart from their
   * producers', e.g. a long-lived event stream that would otherwise grow one unbounded trace).
   * @default 'parent'
   */
  readonly consumerParent?: ConsumerParent;
  /**
   * Where the conventions' duration histograms go: `messaging.process.duration` (each handler
   * call) and `messaging.client.operation.duration` (each send), in seconds.
   * @default the global meter provider when `otelTracing()` is called (`metrics.getMeterProvider()`; the API has no proxy for metrics, so register the SDK first)
   */
  readonly meterProvider?: MeterProvider;
}

const MODES: readonly ConsumerParent[] = ['parent', 'link'];

/**
 * OpenTelemetry tracing for a bus, by the messaging semantic conventions (v1.44.0, Development):
 * a `send <event type>` span (PRODUCER) for every `emit`, `publish` and `publishBatch` (one span
 * per batch, with `messaging.batch.message_count`), whose context every event carries as
 * `traceparent`/`tracestate`; a `process <event type>` span (CONSUMER) for every handler call,
 * in this process or another, with the subscription's pattern as `messaging.destination.template`
 * and the attempt number (each Redis Streams retry is a span of its own; the last failed one has a
 * `messaging.dotbus.dead_letter` event). Failures set status `ERROR` and `error.type`.
 *
 * @remarks Needs `@opentelemetry/api` (an optional peer) and, to record anything, an SDK the
 * application installs. No handler needs wrapping.
 * @throws {@link InvalidOptionError} for an unknown `consumerParent`.
 * @example
 * ```ts
 * import { otelTracing } from 'dotbus/otel';
 * const bus = createBus({ events, transport, tracing: otelTracing() });
 * ```
 */
export function otelTracing(options: OtelTracingOptions = {}): BusTracing {
  const mode = options.consumerParent ?? 'parent';
  if (!MODES.includes(mode)) throw new InvalidOptionError('consumerParent', `must be one of ${MODES.join(', ')}`);
  // The global provider is a proxy: a tracer taken from it now follows an SDK registered later.
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer('dotbus', undefined, { schemaUrl: SCHEMA_URL });
  const durations = new MessagingDurations(options.meterProvider ?? metrics.getMeterProvider());
  return {
    startSend: (send) => startSendSpan(tracer, send, durations),
    wrapHandler: (handler, pattern) => processSpans(tracer, mode, handler, pattern, durations),
  };
}
