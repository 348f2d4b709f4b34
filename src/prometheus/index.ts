/**
 * dotbus/prometheus: a bus's counters, its performance and validation events, and Redis Streams
 * consumer groups as Prometheus metrics. The only part of dotbus that loads `prom-client` (an
 * optional peer dependency).
 */
export { registerBusMetrics } from './bus-metrics.js';
export type { BusMetricsOptions } from './bus-metrics.js';
export { registerPerformanceMetrics } from './performance-metrics.js';
export type { PerformanceMetricsOptions } from './performance-metrics.js';
export { registerStreamMetrics } from './stream-metrics.js';
export type { StreamMetricsOptions } from './stream-metrics.js';
export { serveMetrics } from './metrics-server.js';
export type { MetricsServer, MetricsServerOptions, RegisterMetrics } from './metrics-server.js';
export { metricsText } from './metrics-text.js';
export type { MetricsText } from './metrics-text.js';
export type { AnyRegistry } from './any-registry.js';
