import { fingerprintOf, type AlertChange, type AlertLabels, type AlertState, type RuleKind } from './alert-change.js';
import type { RuleState } from './rule-runtime.js';
import type { BaseSpec } from './rule-spec.js';

/** Where a rule's alerts report their changes. */
export type ChangeListener = (change: AlertChange) => void;

/** Describes an alert's value for people. */
export type Describe = (state: AlertState, labels: AlertLabels, value: number | null) => string;

interface Entry {
  readonly key: string | undefined;
  readonly labels: AlertLabels;
  readonly fingerprint: string;
  state: 'pending' | 'firing';
  value: number | null;
  readonly activeSince: number;
  firedAt: number | undefined;
  /** Since when the condition is false while the alert keeps firing (`keepFiringFor`). */
  clearedAt: number | undefined;
}

/**
 * The alerts of one rule and their lifecycle: pending → firing → resolved.
 *
 * @remarks The rule says, at an event time, whether each alert's condition holds; the book turns
 * that into changes: pending while the condition has not held for `forMs`, firing once it has
 * (announced once: no change while it stays firing), resolved once it cleared and `keepFiringForMs`
 * passed. Deadlines are kept in two maps in insertion order, which is deadline order because the
 * engine hands everything over in event-time order: the next deadline is the first entry, O(1).
 */
export class AlertBook {
  readonly #alerts = new Map<string | undefined, Entry>();
  readonly #pending = new Map<string | undefined, Entry>();
  readonly #cooling = new Map<string | undefined, Entry>();
  #evicted = 0;
  #fired = 0;

  constructor(
    readonly spec: BaseSpec,
    readonly forMs: number,
    readonly listener: ChangeListener,
    readonly describe: Describe,
  ) {}

  /** Alerts pending or firing. */
  get size(): number {
    return this.#alerts.size;
  }

  /** Alerts dropped at the cap (`maxGroups`). */
  get evicted(): number {
    return this.#evicted;
  }

  /** Times an alert started firing. */
  get fired(): number {
    return this.#fired;
  }

  /** Counts of alerts by state. */
  counts(): { pending: number; firing: number } {
    return { pending: this.#pending.size, firing: this.#alerts.size - this.#pending.size };
  }

  /**
   * The state of the rule this book serves: what the rule counts itself (`own`, its evictions
   * besides the book's) and the alerts the book holds.
   */
  stateOf(
    rule: { readonly name: string; readonly patterns: readonly string[]; readonly seen: number },
    kind: RuleKind,
    own: { readonly skipped: number; readonly groups: number; readonly evicted: number; readonly timedOut: number },
  ): RuleState {
    return {
      name: rule.name, kind, patterns: rule.patterns, seen: rule.seen,
      skipped: own.skipped, groups: own.groups, evicted: own.evicted + this.#evicted, timedOut: own.timedOut,
      ...this.counts(), fired: this.#fired,
    };
  }

  /** Whether the condition of `key`'s alert holds (pending, or firing and not clearing): what hysteresis needs. */
  holds(key: string | undefined): boolean {
    const e = this.#alerts.get(key);
    return e !== undefined && e.clearedAt === undefined;
  }

  /** Whether `key` has an alert at all. */
  has(key: string | undefined): boolean {
    return this.#alerts.has(key);
  }

  /** The condition of `key`'s alert at `time`: holds (`active`) or not, with the value judged. */
  update(key: string | undefined, labels: AlertLabels, active: boolean, value: number | null, time: number): void {
    const e = this.#alerts.get(key);
    if (active) {
      if (e === undefined) {
        this.#open(key, labels, value, time);
        return;
      }
      e.value = value;
      if (e.clearedAt !== undefined) {
        e.clearedAt = undefined;
        this.#cooling.delete(key);
      }
      return;
    }
    if (e === undefined) return;
    if (e.state === 'pending') {
      e.value = value;
      this.#close(e, time);
    } else if (e.clearedAt === undefined) {
      e.value = value;
      if (this.spec.keepFiringForMs === 0) {
        this.#close(e, time);
      } else {
        e.clearedAt = time;
        this.#cooling.set(key, e);
      }
    }
  }

  /** An instant condition (a completed sequence): firing at `time`, then clearing at once (`keepFiringFor` applies). */
  pulse(key: string | undefined, labels: AlertLabels, value: number | null, time: number): void {
    this.update(key, labels, true, value, time);
    this.update(key, labels, false, value, time);
  }

  /** The next time {@link wake} has something to do; `Infinity` if none. */
  nextWake(): number {
    if (this.#pending.size === 0 && this.#cooling.size === 0) return Infinity;
    let next = Infinity;
    for (const e of this.#pending.values()) {
      next = e.activeSince + this.forMs;
      break;
    }
    for (const e of this.#cooling.values()) {
      next = Math.min(next, e.clearedAt! + this.spec.keepFiringForMs);
      break;
    }
    return next;
  }

  /** Fires the pending alerts whose `for` passed by `time` and resolves those whose `keepFiringFor` did. */
  wake(time: number): void {
    for (const e of this.#pending.values()) {
      const due = e.activeSince + this.forMs;
      if (due > time) break;
      this.#pending.delete(e.key);
      this.#fire(e, due);
    }
    for (const e of this.#cooling.values()) {
      const due = e.clearedAt! + this.spec.keepFiringForMs;
      if (due > time) break;
      this.#close(e, due);
    }
  }

  #open(key: string | undefined, labels: AlertLabels, value: number | null, time: number): void {
    if (this.#alerts.size >= this.spec.maxGroups) {
      // The oldest alert goes; it is counted, not resolved: nothing says its condition cleared.
      const oldest = this.#alerts.values().next().value as Entry;
      this.#forget(oldest);
      this.#evicted++;
    }
    const e: Entry = { key, labels, fingerprint: fingerprintOf(this.spec.name, labels), state: 'pending', value, activeSince: time, firedAt: undefined, clearedAt: undefined };
    this.#alerts.set(key, e);
    if (this.forMs === 0) {
      this.#fire(e, time);
    } else {
      this.#pending.set(key, e);
      this.#emit(e, 'pending', time);
    }
  }

  #fire(e: Entry, time: number): void {
    e.state = 'firing';
    e.firedAt = time;
    this.#fired++;
    this.#emit(e, 'firing', time);
  }

  #close(e: Entry, time: number): void {
    this.#forget(e);
    this.#emit(e, 'resolved', time);
  }

  #forget(e: Entry): void {
    this.#alerts.delete(e.key);
    this.#pending.delete(e.key);
    this.#cooling.delete(e.key);
  }

  #emit(e: Entry, state: AlertState, at: number): void {
    const { name, kind, severity, annotations } = this.spec;
    this.listener({
      rule: name,
      kind,
      severity,
      state,
      at,
      labels: e.labels,
      fingerprint: e.fingerprint,
      value: e.value,
      activeSince: e.activeSince,
      ...(e.firedAt === undefined ? {} : { firedAt: e.firedAt }),
      message: this.describe(state, e.labels, e.value),
      annotations,
    });
  }
}
