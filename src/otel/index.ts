/**
 * dotbus/otel: OpenTelemetry tracing of a bus's sends and handler calls, and trace context
 * through events. The only part of dotbus that loads `@opentelemetry/api` (an optional peer
 * dependency); it never loads an SDK.
 */
export { otelTracing } from './otel-tracing.js';
export type { OtelTracingOptions } from './otel-tracing.js';
export type { ConsumerParent } from './process-span.js';
export { activeTraceContext, spanContextOf } from './trace-context.js';
export { otelMetrics, type OtelMetricsOptions } from './metrics.js';
