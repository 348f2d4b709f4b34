/**
 * dotbus/prometheus: a bus's counters as Prometheus metrics. The only part of dotbus that loads
 * `prom-client` (an optional peer dependency).
 */
export { registerBusMetrics } from './bus-metrics.js';
export type { BusMetricsOptions } from './bus-metrics.js';
