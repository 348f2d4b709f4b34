import type { OpenMetricsContentType, Registry } from 'prom-client';

/** A prom-client registry of either exposition format: Prometheus text (the default) or OpenMetrics. */
export type AnyRegistry = Registry | Registry<OpenMetricsContentType>;
