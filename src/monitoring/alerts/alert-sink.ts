import type { AlertChange } from './alert-change.js';

/**
 * Where alert changes go besides the bus: a webhook, an Alertmanager, your own.
 *
 * @remarks `send` is called synchronously on every change, in order, and must not throw or block:
 * queue and deliver in the background. `close` delivers what is queued (bounded by the sink's
 * own timeouts) and stops.
 */
export interface AlertSink {
  send(change: AlertChange): void;
  close(): Promise<void>;
}
