import { createHash } from 'node:crypto';

/** How serious an alert is. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** The four kinds of rule. */
export type RuleKind = 'threshold' | 'sequence' | 'absence' | 'anomaly';

/** Where an alert is in its lifecycle. */
export type AlertState = 'pending' | 'firing' | 'resolved';

/** The value of one label: what the event held at the path. */
export type LabelValue = string | number | boolean;

/** Labels of an alert: the last segment of each `groupBy` / `correlate` path → the event's value there. */
export type AlertLabels = Readonly<Record<string, LabelValue>>;

/**
 * One state change of one alert, as the engine hands it to its `onChange` listeners and sinks
 * (and publishes it as an `alert.<state>` event).
 */
export interface AlertChange {
  readonly rule: string;
  readonly kind: RuleKind;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  /** Time of the change, event time, in ms since the epoch. */
  readonly at: number;
  readonly labels: AlertLabels;
  /** Stable id of the rule and labels (hex). */
  readonly fingerprint: string;
  /** The value judged; `null` when there is none (e.g. an absence). */
  readonly value: number | null;
  /** When the condition first held in this episode (ms). */
  readonly activeSince: number;
  /** When the alert started firing (ms); absent while pending and on a pending alert that cleared. */
  readonly firedAt?: number;
  /** A sentence for people. */
  readonly message: string;
  /** The rule's annotations (e.g. `summary`, `runbook_url`). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** The fingerprint of an alert: a hash of the rule name and its labels in key order. */
export function fingerprintOf(rule: string, labels: AlertLabels): string {
  const keys = Object.keys(labels).sort();
  const text = JSON.stringify([rule, ...keys.map((k) => [k, labels[k]])]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
