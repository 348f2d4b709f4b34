import { formatIsoTime } from '../../../internal.js';
import type { AlertChange } from '../alert-change.js';
import type { AlertSink } from '../alert-sink.js';
import { HttpDelivery, type HttpDeliveryOptions, type SinkStats } from './http-delivery.js';

/** Options of {@link webhookSink}. */
export interface WebhookSinkOptions extends HttpDeliveryOptions {
  /** Also POST `pending` changes. @default false (firing and resolved only) */
  readonly includePending?: boolean;
}

/**
 * An {@link AlertSink} that POSTs each change as JSON to `url`, in order, with retries and
 * full-jitter backoff: `{ rule, kind, state, severity, at, labels, value, fingerprint, activeSince,
 * firedAt?, message, annotations }`, times in RFC 3339.
 * @example `new AlertEngine({ source: bus, sinks: [webhookSink('https://hooks.example.com/alerts')] })`
 */
export function webhookSink(url: string, options: WebhookSinkOptions = {}): AlertSink & { stats(): SinkStats } {
  const delivery = new HttpDelivery(url, 'webhook', options);
  return {
    send(change: AlertChange): void {
      if (change.state === 'pending' && options.includePending !== true) return;
      // A pending alert that cleared never fired: nobody was told, so nobody needs telling.
      if (change.state === 'resolved' && change.firedAt === undefined && options.includePending !== true) return;
      delivery.enqueue({
        ...change,
        at: formatIsoTime(change.at),
        activeSince: formatIsoTime(change.activeSince),
        ...(change.firedAt === undefined ? {} : { firedAt: formatIsoTime(change.firedAt) }),
      });
    },
    close: () => delivery.close(),
    stats: () => delivery.stats(),
  };
}
