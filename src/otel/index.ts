/**
 * dotbus/otel: OpenTelemetry trace propagation through events. The only part of dotbus that
 * loads `@opentelemetry/api` (an optional peer dependency); it never loads an SDK.
 */
export { activeTraceContext, spanContextOf } from './trace-context.js';
export { traced } from './traced-handler.js';
export type { TracedOptions } from './traced-handler.js';
export { otelMetrics, type OtelMetricsOptions } from './metrics.js';
