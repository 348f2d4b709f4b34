import type { AnyBusEvent, EventBus } from '../index.js';
import type { LiveChartsOptions } from './live-charts.js';
import type { DashboardPanel } from './panels/panel.js';

/** What `GET /metrics` answers: the Prometheus text of the caller's registry (dotbus/prometheus). */
export interface MetricsReply {
  readonly contentType: string;
  readonly body: string;
}

/** Options of {@link serveDashboard}. */
export interface DashboardOptions {
  /** The bus whose events the dashboard shows; it subscribes to every type (untyped ones too). */
  readonly bus: EventBus<AnyBusEvent>;
  /** Interface to listen on. Any host that is not loopback needs {@link authToken}. @default '127.0.0.1' */
  readonly host?: string;
  /** TCP port; `0` picks a free one (see `url`). @default 8080 */
  readonly port?: number;
  /**
   * The token every request must carry (`Authorization: Bearer`, or the cookie the page gets from
   * `/?token=…`). Required unless `host` is loopback. @default none (no token asked)
   */
  readonly authToken?: string;
  /**
   * Link from an event's trace id to a tracing UI; `{traceId}` is replaced, e.g.
   * `http://localhost:16686/trace/{traceId}` (Jaeger). Only http(s) URLs. @default none (the id is shown as text)
   */
  readonly traceUrl?: string;
  /** Rows each browser connection may have waiting before new ones are skipped (and counted). @default 1_000 */
  readonly clientBuffer?: number;
  /** Views besides the live tail and the charts, in page order. @default none */
  readonly panels?: readonly DashboardPanel[];
  /** Serves `GET /metrics` with what this returns. @default none (404) */
  readonly metrics?: () => Promise<MetricsReply>;
  /** The charts' windows. @default see {@link LiveChartsOptions} */
  readonly charts?: LiveChartsOptions;
  /** What the page's header says the dashboard watches, e.g. `redis://127.0.0.1:6379 namespace orders`. @default 'dotbus' */
  readonly title?: string;
}
