import type { AnyBusEvent } from '../../index.js';
import type { RuleKind } from './alert-change.js';

/** One rule's state, as `AlertEngine.rules()` reports it. */
export interface RuleState {
  readonly name: string;
  readonly kind: RuleKind;
  /** The patterns the rule reads. */
  readonly patterns: readonly string[];
  /** Matching events it looked at (late ones excluded). */
  readonly seen: number;
  /** Events without a finite number at `value` (threshold, anomaly): skipped. */
  readonly skipped: number;
  /** Live groups (threshold, anomaly), partial sequences (sequence) or open waits (absence). */
  readonly groups: number;
  /** Groups, partial sequences, waits or alerts evicted at `maxGroups`. */
  readonly evicted: number;
  /** Partial sequences that did not complete `within` (sequence rules). */
  readonly timedOut: number;
  /** Alerts pending now. */
  readonly pending: number;
  /** Alerts firing now. */
  readonly firing: number;
  /** Times an alert of this rule started firing. */
  readonly fired: number;
}

/**
 * A rule as the engine runs it: it hands over events and wake-ups in event-time order, never
 * going back in time, and asks after each call when the rule next needs waking.
 */
export interface RuleRuntime {
  readonly name: string;
  readonly patterns: readonly string[];
  /** Events the rule looked at. */
  seen: number;
  /** Event time has started at `time` (the first event, or the live clock). */
  start(time: number): void;
  /**
   * An event matching one of `patterns`, at its event time `time`.
   * @returns whether {@link nextWake} may have come earlier; `false` promises it did not, and
   * spares the engine asking (once per rule and per event, that asking is not free).
   */
  accept(event: AnyBusEvent, time: number): boolean;
  /** Does the time-driven work due at or before `time` (window ends, deadlines). */
  wake(time: number): void;
  /** The next time the rule needs {@link wake}; `Infinity` if none. */
  nextWake(): number;
  state(): RuleState;
}
