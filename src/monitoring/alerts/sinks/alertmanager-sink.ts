import { formatIsoTime, InvalidOptionError } from '../../../internal.js';
import type { AlertChange } from '../alert-change.js';
import type { AlertSink } from '../alert-sink.js';
import { HttpDelivery, type HttpDeliveryOptions, type SinkStats } from './http-delivery.js';

/** Options of {@link alertmanagerSink}. */
export interface AlertmanagerSinkOptions extends HttpDeliveryOptions {
  /**
   * How often firing alerts are sent again, in ms (wall clock): Alertmanager resolves an alert it
   * has not heard of for its `resolve_timeout`, as it does with Prometheus's alerts. `0`: never.
   * @default 60_000
   */
  readonly repeatMs?: number;
  /** `generatorURL` of every alert (a link back to where it came from). @default none */
  readonly generatorURL?: string;
}

/** One alert as Alertmanager's `POST /api/v2/alerts` takes it. */
interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/**
 * An {@link AlertSink} that speaks Alertmanager's API (`POST <url>/api/v2/alerts`), so grouping,
 * inhibition, silences and routing come from the Alertmanager operators already run.
 *
 * @remarks Firing alerts are posted with `startsAt` (when they fired, event time) and sent again
 * every `repeatMs`; resolved ones with `endsAt`. Labels: `alertname` (the rule), `severity` and
 * the alert's labels (as text; characters Alertmanager refuses in names become `_`); annotations:
 * `summary` (the change's message) and the rule's annotations. Pending changes are not sent.
 * @example `alertmanagerSink('http://127.0.0.1:9093')`
 */
export function alertmanagerSink(url: string, options: AlertmanagerSinkOptions = {}): AlertSink & { stats(): SinkStats } {
  const base = url.replace(/\/+$/, '');
  const delivery = new HttpDelivery(`${base}/api/v2/alerts`, 'alertmanager', options);
  const repeatMs = options.repeatMs ?? 60_000;
  if (!(repeatMs >= 0)) throw new InvalidOptionError('repeatMs', 'must be ≥ 0 ms (0: never repeat)');
  const firing = new Map<string, PostableAlert>();
  const timer = repeatMs > 0 ? setInterval(() => firing.size > 0 && delivery.enqueue([...firing.values()]), repeatMs) : undefined;
  timer?.unref();
  return {
    send(change: AlertChange): void {
      if (change.state === 'pending' || change.firedAt === undefined) return;
      const alert: PostableAlert = {
        labels: labelsOf(change),
        annotations: { summary: change.message, ...change.annotations },
        startsAt: formatIsoTime(change.firedAt),
        ...(change.state === 'resolved' ? { endsAt: formatIsoTime(change.at) } : {}),
        ...(options.generatorURL === undefined ? {} : { generatorURL: options.generatorURL }),
      };
      if (change.state === 'firing') firing.set(change.fingerprint, alert);
      else firing.delete(change.fingerprint);
      delivery.enqueue([alert]);
    },
    async close(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      await delivery.close();
    },
    stats: () => delivery.stats(),
  };
}

function labelsOf(change: AlertChange): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(change.labels)) labels[labelName(k)] = String(v);
  labels['alertname'] = change.rule;
  labels['severity'] = change.severity;
  return labels;
}

function labelName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
}
