import { Registry } from 'prom-client';
import type { RegisterMetrics } from './metrics-server.js';

/** Prometheus text of a registry of its own, for a server that serves `/metrics` among other routes (the dashboard). */
export interface MetricsText {
  /** The exposition text and its content type, collected now. */
  read(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** Calls the function `register` returned. */
  close(): void;
}

/**
 * Calls `register` with a fresh Prometheus text registry and reads it on demand: what
 * {@link serveMetrics} serves, for a server you run yourself.
 * @example
 * ```ts
 * const metrics = metricsText((registry) => registerBusMetrics(bus, { registry }));
 * const { contentType, body } = await metrics.read();
 * ```
 */
export function metricsText(register: RegisterMetrics): MetricsText {
  const registry = new Registry();
  const unregister = register(registry);
  return {
    async read() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close: () => unregister?.(),
  };
}
