/**
 * dotbus/serve: the live dashboard (`dotbus serve`): a live tail filtered on the server, rates and
 * duration quantiles as charts, and panels (validation, alerts, Redis Streams), over a small HTTP
 * server with a JSON API under `/api/`.
 *
 * Uses core only through `../index.js` and `../internal.js`; the only folder that loads hono.
 */

export { serveDashboard } from './serve-dashboard.js';
export type { Dashboard } from './serve-dashboard.js';
export type { DashboardOptions, MetricsReply } from './dashboard-options.js';
export { isLoopbackHost } from './loopback.js';
export { TOKEN_COOKIE, CSRF_HEADER } from './access.js';
export type { EventRow } from './event-row.js';
export type { LiveStats } from './live-hub.js';
export type { ChartData } from './time-series.js';
export type { ChartsView, LiveChartsOptions } from './live-charts.js';
export type { Cell, DashboardPanel, PanelButton, PanelField, PanelTable } from './panels/panel.js';
export { validationPanel } from './panels/validation-panel.js';
export { AlertBoard } from './panels/alerts-panel.js';
export { streamsPanel } from './panels/streams-panel.js';
export { deadLetterPanel } from './panels/dead-letter-panel.js';
export type { DeadLetterSource, DeadLetterView, RedriveView } from './panels/dead-letter-panel.js';
export { auditPanel } from './panels/audit-panel.js';
