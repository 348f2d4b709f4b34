import type { AnyBusEvent } from '../../index.js';
import type { GroupPath, ValuePath } from '../aggregation/field-path.js';
import type { AlertSeverity } from './alert-change.js';
import type { Duration } from './duration.js';

/** What a threshold rule computes over its window. `rate` is events per second. */
export type ThresholdAggregate = 'count' | 'rate' | 'sum' | 'min' | 'max' | 'mean' | 'p50' | 'p95' | 'p99';

/** What every rule has. */
export interface CommonRuleOptions {
  /** Unique name, in every alert (Alertmanager's `alertname`). */
  readonly name: string;
  /** @default 'warning' */
  readonly severity?: AlertSeverity;
  /** Text for people, passed on to sinks (e.g. `summary`, `runbook_url`). @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Most groups (threshold, anomaly), partial sequences (sequence) or open waits (absence) the
   * rule keeps, and most alerts it tracks; beyond it the least recently used is evicted and
   * counted (`state().evicted`).
   * @default 10_000
   */
  readonly maxGroups?: number;
}

/** Options of a threshold rule over the events `E` of its pattern. */
export interface ThresholdRuleOptions<E extends AnyBusEvent> extends CommonRuleOptions {
  /** Path to the number aggregated; omit it to count events. @default none (count) */
  readonly value?: ValuePath<E>;
  /** @default 'count' without `value`, else 'mean' */
  readonly aggregate?: ThresholdAggregate;
  /** Length of the window (for `windowType: 'session'`, the gap of silence that ends a session). */
  readonly window: Duration;
  /**
   * `sliding`: judged every `every` over the last `window`; `tumbling`: judged at the end of each
   * window; `session`: judged when a group's session (events less than `window` apart) ends.
   * @default 'sliding'
   */
  readonly windowType?: 'sliding' | 'tumbling' | 'session';
  /** Step of a sliding window: how often it is judged; `window` must be a multiple. @default window ÷ 10 (or the largest whole divisor among ÷5, ÷4, ÷2) */
  readonly every?: Duration;
  /** Paths whose values make a group, one alert per group. @default [] (one group) */
  readonly groupBy?: readonly GroupPath<E>[];
  /** Only events for which this holds count. @default every matching event */
  readonly where?: (event: E) => boolean;
  /** Fires when the aggregate is above this (strictly). Give `above` or `below`. */
  readonly above?: number;
  /** Fires when the aggregate is below this (strictly). */
  readonly below?: number;
  /** A firing `above` alert resolves once the aggregate is below this (hysteresis). @default none: it resolves once the aggregate is no longer above `above` */
  readonly resolveBelow?: number;
  /** A firing `below` alert resolves once the aggregate is above this. @default none: it resolves once the aggregate is no longer below `below` */
  readonly resolveAbove?: number;
  /** How long the condition must hold before firing; the alert is `pending` meanwhile. @default 0 */
  readonly for?: Duration;
  /** How long a firing alert stays firing after its condition cleared. @default 0 */
  readonly keepFiringFor?: Duration;
}

/** One step of a sequence: events matching `pattern` (and `where`), `times` of them. */
export interface SequenceStep<E extends AnyBusEvent = AnyBusEvent> {
  readonly pattern: string;
  /** @default 1 */
  readonly times?: number;
  readonly where?: (event: E) => boolean;
}

/** Options of a sequence rule. */
export interface SequenceRuleOptions<E extends AnyBusEvent> extends CommonRuleOptions {
  /** The steps, in order (see `AlertEngine.step` for typed steps). */
  readonly steps: readonly SequenceStep<E>[];
  /** Paths that tie the events of one sequence together, e.g. `['data.contextId']`. @default [] */
  readonly correlate?: readonly GroupPath<E>[];
  /** The whole sequence must complete within this, from its first event. */
  readonly within: Duration;
  /** How long the alert stays firing after a completion. @default 0 (fires and resolves at once) */
  readonly keepFiringFor?: Duration;
}

/** Options of an absence rule over the events `E` of its pattern and `X` of `expect`. */
export interface AbsenceRuleOptions<E extends AnyBusEvent, X extends AnyBusEvent = AnyBusEvent> extends CommonRuleOptions {
  /** The event that should follow; omit it to fire when no event of the pattern comes at all for `within`. */
  readonly expect?: string;
  /** Paths shared by the event and the one expected (or, without `expect`, one silence per group). @default [] */
  readonly correlate?: readonly GroupPath<E>[];
  /** How long to wait. */
  readonly within: Duration;
  /** Only events of the pattern for which this holds start a wait. */
  readonly where?: (event: E) => boolean;
  /** Only expected events for which this holds end it. */
  readonly expectWhere?: (event: X) => boolean;
  /** How long the alert stays firing after the expected event came. @default 0 */
  readonly keepFiringFor?: Duration;
}

/** Options of an anomaly rule: a value far off its running baseline, per group. */
export interface AnomalyRuleOptions<E extends AnyBusEvent> extends CommonRuleOptions {
  /** The observed number: a path such as `'data.durationMs'`, or a function (`undefined` skips the event). */
  readonly value: ValuePath<E> | ((event: E) => number | undefined);
  readonly groupBy?: readonly GroupPath<E>[];
  readonly where?: (event: E) => boolean;
  /** @default 3 */
  readonly zScore?: number;
  /** Values needed before judging, so the baseline means something. @default 30 */
  readonly minSamples?: number;
  /** Smallest absolute deviation worth an alert. @default 0 */
  readonly minDeviation?: number;
  /** Weight of the newest value in the running mean and variance. @default 0.05 */
  readonly alpha?: number;
  /** @default 0 */
  readonly for?: Duration;
  /** @default 0 */
  readonly keepFiringFor?: Duration;
}
