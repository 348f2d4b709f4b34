import type { AnyBusEvent } from '../../index.js';

/** How serious an alert is. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** What every rule has. */
export interface RuleOptions<E extends AnyBusEvent> {
  /** Unique name, shown in alerts. */
  readonly name: string;
  /** @default 'warning' */
  readonly severity?: AlertSeverity;
  /** Only events for which this holds count. @default every matching event */
  readonly when?: (event: E) => boolean;
  /** Least time between two `alert.triggered` of this rule, in ms. @default 60_000 */
  readonly cooldownMs?: number;
}

/** Fires on every matching event (subject to the cooldown); never resolves. */
export type MatchRuleOptions<E extends AnyBusEvent> = RuleOptions<E>;

/** Fires when at least `count` matching events arrive within `windowMs`; resolves when fewer do. */
export interface ThresholdRuleOptions<E extends AnyBusEvent> extends RuleOptions<E> {
  readonly count: number;
  readonly windowMs: number;
}

/**
 * Fires when a value read from each matching event lies more than `zScore` standard deviations
 * (and more than `minDeviation`) from its running mean; resolves at the next normal value.
 */
export interface AnomalyRuleOptions<E extends AnyBusEvent> extends RuleOptions<E> {
  /** The observed number, e.g. `(e) => e.data.durationMs`; `undefined` skips the event. */
  readonly value: (event: E) => number | undefined;
  /** @default 3 */
  readonly zScore?: number;
  /** Values needed before judging, so the baseline means something. @default 30 */
  readonly minSamples?: number;
  /** Smallest absolute deviation worth an alert (ignores jitter of a very steady series). @default 0 */
  readonly minDeviation?: number;
  /** Weight of the newest value in the running mean and variance. @default 0.05 */
  readonly alpha?: number;
}

/** One rule's state as {@link AlertEngine.rules} reports it. */
export interface RuleState {
  readonly name: string;
  readonly pattern: string;
  readonly kind: 'match' | 'threshold' | 'anomaly';
  readonly active: boolean;
  /** Times it fired. */
  readonly triggered: number;
  /** Matching events it looked at. */
  readonly seen: number;
}
