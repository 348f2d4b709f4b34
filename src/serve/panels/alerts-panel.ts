import type { AlertChange } from '../../monitoring/index.js';
import type { DashboardPanel } from './panel.js';

/** Most alerts the panel remembers (resolved ones go first). */
const MAX_ALERTS = 500;

/**
 * The alerts of an `AlertEngine`: give {@link AlertBoard.onChange} as (or call it from) the engine's
 * `onChange`; the panel lists each alert's latest state with its labels and value.
 */
export class AlertBoard {
  readonly #alerts = new Map<string, AlertChange>();

  /** Records one state change. */
  readonly onChange = (change: AlertChange): void => {
    this.#alerts.delete(change.fingerprint);
    this.#alerts.set(change.fingerprint, change);
    if (this.#alerts.size > MAX_ALERTS) {
      const resolved = [...this.#alerts.values()].find((a) => a.state === 'resolved');
      this.#alerts.delete((resolved ?? this.#alerts.values().next().value!).fingerprint);
    }
  };

  /** The latest change of every alert, firing first. */
  list(): AlertChange[] {
    const order = { firing: 0, pending: 1, resolved: 2 };
    return [...this.#alerts.values()].sort((a, b) => order[a.state] - order[b.state] || b.at - a.at);
  }

  panel(): DashboardPanel {
    return {
      id: 'alerts',
      title: 'Alerts',
      read: () => [
        {
          title: 'Alerts',
          columns: ['state', 'rule', 'severity', 'labels', 'value', 'since', 'message'],
          rows: this.list().map((a) => [
            a.state, a.rule, a.severity,
            Object.entries(a.labels).map(([k, v]) => `${k}=${String(v)}`).join(' '),
            a.value, new Date(a.activeSince).toISOString(), a.message,
          ]),
          empty: 'no alert has been pending or firing',
        },
      ],
    };
  }
}
