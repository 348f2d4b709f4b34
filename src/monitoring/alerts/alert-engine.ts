import {
  AlertEvent,
  parsePattern,
  type AnyBusEvent,
  type CompiledPattern,
  type ErrorHook,
  type EventSink,
  type MatchingEvents,
  type Subscription,
  type ValidPattern,
} from '../../index.js';
import { DotbusError, describeError, formatIsoTime, InvalidOptionError, warnOnError } from '../../internal.js';
import type { AggregatorSource } from '../aggregation/window-aggregator.js';
import { AbsenceRule } from './absence-rule.js';
import type { AlertChange, RuleKind } from './alert-change.js';
import type { AlertSink } from './alert-sink.js';
import { AnomalyRule } from './anomaly-rule.js';
import { EventTimeQueue } from './event-time-queue.js';
import type { AbsenceRuleOptions, AnomalyRuleOptions, SequenceRuleOptions, SequenceStep, ThresholdRuleOptions } from './rule-options.js';
import type { RuleRuntime, RuleState } from './rule-runtime.js';
import { ruleSpec, type RawRule, type RuleSpec } from './rule-spec.js';
import { SequenceRule } from './sequence-rule.js';
import { SharedGroups } from './shared-groups.js';
import { ThresholdRule, type ThresholdGroups } from './threshold-rule.js';

/** Options of {@link AlertEngine}. */
export interface AlertEngineOptions<E extends AnyBusEvent = AnyBusEvent> {
  /** Where rules read events (a typed bus types the rules); without it, hand events to `push`. @default none */
  readonly source?: AggregatorSource<E>;
  /** Where `alert.pending` / `alert.firing` / `alert.resolved` go, usually the same bus. @default none */
  readonly publisher?: EventSink<AlertEvent>;
  /** `source` of the alert events. @default '/dotbus/alerts' */
  readonly eventSource?: string;
  /**
   * How far behind the newest event time an event may be and still count, in ms. Events wait
   * this long before the rules see them, in event-time order; older ones are late: counted
   * (`stats().late`), never used.
   * @default 1_000
   */
  readonly allowedLatenessMs?: number;
  /**
   * The wall clock (ms), which moves event time on when no event comes, checked every `tickMs`;
   * `'events'`: time moves only with events, {@link AlertEngine.advanceTo} and
   * {@link AlertEngine.flush} (replays and tests: a virtual clock).
   * @default Date.now
   */
  readonly clock?: (() => number) | 'events';
  /** How often the wall clock moves event time on, in ms. @default 1_000 */
  readonly tickMs?: number;
  /** With a wall clock, events further ahead of it than this (ms) are refused and counted (`stats().future`). @default 60_000 */
  readonly maxFutureMs?: number;
  /** Most events waiting for the watermark; beyond it the oldest are released early (`stats().forced`). @default 100_000 */
  readonly maxBufferedEvents?: number;
  /** Called on every alert change, in order. @default none */
  readonly onChange?: (change: AlertChange) => void;
  /** Where changes go besides the bus (see `webhookSink`, `alertmanagerSink`). @default [] */
  readonly sinks?: readonly AlertSink[];
  /** Where failures go (a listener that threw, an alert event that could not be built). @default a rate-limited process warning */
  readonly onError?: ErrorHook;
}

/** Counters of an {@link AlertEngine}. */
export interface AlertEngineStats {
  /** Events received (one per distinct pattern of the rules that they match). */
  readonly events: number;
  /** Events older than the watermark: counted, not used. */
  readonly late: number;
  /** Events too far ahead of the wall clock: counted, not used. */
  readonly future: number;
  /** Events released before the watermark passed them, because the buffer was full. */
  readonly forced: number;
  /** Events waiting for the watermark now. */
  readonly buffered: number;
  /** Alert changes so far. */
  readonly changes: number;
  /** Event time up to which everything is decided (ms); `-Infinity` before the first event. */
  readonly watermark: number;
}

/** Options of {@link AlertEngine.step}. */
export interface StepOptions<E extends AnyBusEvent> {
  /** @default 1 */
  readonly times?: number;
  readonly where?: (event: E) => boolean;
}

/**
 * Alert rules over events by event time, with the pending → firing → resolved lifecycle
 * (spec: "event patterns trigger alert rules; complex event processing for anomaly detection").
 *
 * @remarks Four kinds of rule, typed from their patterns: `threshold` (a window aggregate per
 * group, with hysteresis, `for` and `keepFiringFor`), `sequence` (steps in order per correlation
 * key, `within` a time), `absence` (an expected event that did not follow, or a pattern gone
 * silent) and `anomaly` (a value far off its running baseline).
 * - **Event time.** Rules see events in the order of their timestamps once the watermark (newest
 *   event time minus `allowedLatenessMs`, or the clock minus it) passes them; later ones are
 *   late, counted, never used. So the same events give the same alerts live, on replay and under
 *   a virtual clock (`clock: 'events'`, then `advanceTo` / `flush`).
 * - **Lifecycle.** Each alert (rule + labels, fingerprinted) goes pending → firing → resolved;
 *   each change goes to `onChange`, the sinks and, as a typed `alert.<state>` event stamped with
 *   its event time, to `publisher`. A firing alert is not announced again while it stays firing.
 * - **Bounded.** Each rule keeps at most `maxGroups` groups, partial sequences or waits, and as
 *   many alerts (evictions counted in `rules()`); at most `maxBufferedEvents` events wait.
 * - **Never throws into the bus.** Listener and sink failures go to `onError`.
 * @example
 * ```ts
 * const alerts = new AlertEngine({ source: bus, publisher: bus });
 * alerts.threshold('performance.operation.complete', {
 *   name: 'slow-ops', value: 'data.durationMs', aggregate: 'p95', window: '5m', groupBy: ['data.operation'],
 *   above: 500, resolveBelow: 400, for: '2m', severity: 'critical',
 * });
 * alerts.absence('validation.started', { name: 'stuck', expect: 'validation.completed', correlate: ['data.contextId'], within: '30s' });
 * ```
 */
export class AlertEngine<E extends AnyBusEvent = AnyBusEvent> implements AsyncDisposable {
  readonly #rules = new Map<string, RuleRuntime>();
  /** One entry (and one subscription) per distinct pattern, with the rules that read it. */
  readonly #patterns = new Map<string, PatternGroup>();
  readonly #subscriptions: Subscription[] = [];
  /** Groups of threshold rules by their `groupBy` paths: one key lookup per event for rules that group alike. */
  readonly #sharedGroups = new Map<string, ThresholdGroups>();
  readonly #queue = new EventTimeQueue();
  readonly #source: AggregatorSource<E> | undefined;
  readonly #publisher: EventSink<AlertEvent> | undefined;
  readonly #eventSource: string;
  readonly #lateness: number;
  readonly #clock: (() => number) | undefined;
  readonly #maxFuture: number;
  readonly #maxBuffered: number;
  readonly #onChange: ((change: AlertChange) => void) | undefined;
  readonly #sinks: readonly AlertSink[];
  readonly #onError: ErrorHook;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #inflight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;
  #started = false;
  #startTime = -Infinity;
  #maxTime = -Infinity;
  #watermark = -Infinity;
  #draining = false;
  #events = 0;
  #late = 0;
  #future = 0;
  #forced = 0;
  #changes = 0;

  /** @throws {@link InvalidOptionError} for an invalid option. */
  constructor(options: AlertEngineOptions<E> = {}) {
    this.#source = options.source;
    this.#publisher = options.publisher;
    this.#eventSource = options.eventSource ?? '/dotbus/alerts';
    this.#lateness = nonNegative('allowedLatenessMs', options.allowedLatenessMs ?? 1_000);
    this.#maxFuture = nonNegative('maxFutureMs', options.maxFutureMs ?? 60_000);
    this.#maxBuffered = options.maxBufferedEvents ?? 100_000;
    if (!(Number.isSafeInteger(this.#maxBuffered) && this.#maxBuffered >= 1)) throw new InvalidOptionError('maxBufferedEvents', 'must be an integer ≥ 1');
    this.#onChange = options.onChange;
    this.#sinks = options.sinks ?? [];
    this.#onError = options.onError ?? warnOnError;
    const clock = options.clock ?? Date.now;
    this.#clock = clock === 'events' ? undefined : clock;
    if (this.#clock !== undefined) {
      const tick = options.tickMs ?? 1_000;
      if (!(tick >= 1)) throw new InvalidOptionError('tickMs', 'must be ≥ 1 ms');
      this.#begin(this.#clock());
      this.#timer = setInterval(() => this.#advance(this.#clock!() - this.#lateness, false), tick);
      this.#timer.unref();
    }
  }

  /**
   * A threshold over a window aggregate of the events matching `pattern`, one alert per group.
   * @throws {@link RuleError} naming the rule and the field.
   */
  threshold<const P extends string>(pattern: ValidPattern<P>, options: ThresholdRuleOptions<MatchingEvents<E, P>>): this {
    return this.#add('threshold', { ...options, pattern });
  }

  /** A sequence of steps per correlation key, completed `within` a time (see {@link step} for typed steps). */
  sequence(options: SequenceRuleOptions<E>): this {
    return this.#add('sequence', options as unknown as RawRule);
  }

  /** A typed step of a sequence: its `where` sees the events of `pattern`. */
  step<const P extends string>(pattern: ValidPattern<P>, options: StepOptions<MatchingEvents<E, P>> = {}): SequenceStep<E> {
    return { pattern, ...options } as SequenceStep<E>;
  }

  /** An event matching `pattern` not followed by one matching `expect` (same correlation) `within` a time; without `expect`, a pattern gone silent. */
  absence<const P extends string, const X extends string = never>(
    pattern: ValidPattern<P>,
    options: Omit<AbsenceRuleOptions<MatchingEvents<E, P>, MatchingEvents<E, X>>, 'expect'> & { readonly expect?: ValidPattern<X> },
  ): this {
    return this.#add('absence', { ...options, pattern });
  }

  /** A value far off its running baseline, per group. */
  anomaly<const P extends string>(pattern: ValidPattern<P>, options: AnomalyRuleOptions<MatchingEvents<E, P>>): this {
    return this.#add('anomaly', { ...options, pattern });
  }

  /** Adds checked rules (what `loadRuleFile` / `parseRules` return). */
  addRules(specs: readonly RuleSpec[]): this {
    for (const spec of specs) this.#install(spec);
    return this;
  }

  /**
   * Hands an event to every rule whose patterns match its type (instead of, or besides, `source`).
   * Any event moves event time on, matching or not (a recorded stream is one clock). Never
   * throws; a rule never sees an alert of its own.
   */
  push(event: AnyBusEvent): void {
    let matched = false;
    for (const group of this.#patterns.values()) {
      if (!group.pattern.matches(event.eventType)) continue;
      const rules = targetsOf(group, event.eventType);
      if (rules.length === 0) continue;
      matched = true;
      this.#receive(event, rules);
    }
    if (!matched && this.#closing === undefined) {
      const time = event.timestamp.getTime();
      if (!this.#started) this.#begin(time);
      if (time > this.#maxTime && (this.#clock === undefined || time <= this.#clock() + this.#maxFuture)) {
        this.#maxTime = time;
        this.#advance(time - this.#lateness, false);
      }
    }
  }

  /** Moves event time to `time` (ms): every buffered event and every deadline up to it is decided; older events are late from now on. */
  advanceTo(time: number): void {
    if (!this.#started) this.#begin(time);
    this.#advance(time, true);
  }

  /** Decides every buffered event and the deadlines up to the newest event time (the end of a replay). */
  flush(): void {
    if (this.#started) this.#advance(Math.max(this.#maxTime, this.#watermark), true);
  }

  /** Every rule's state. */
  rules(): RuleState[] {
    return [...this.#rules.values()].map((r) => r.state());
  }

  /** The counters. */
  stats(): AlertEngineStats {
    return {
      events: this.#events,
      late: this.#late,
      future: this.#future,
      forced: this.#forced,
      buffered: this.#queue.size,
      changes: this.#changes,
      watermark: this.#watermark,
    };
  }

  /** Stops reading, decides what is buffered ({@link flush}), then closes the sinks and waits for the alert events in flight. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const s of this.#subscriptions.splice(0)) s.unsubscribe();
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.flush();
      await Promise.all(this.#sinks.map((s) => s.close().catch((e: unknown) => this.#report(e, 'a sink failed to close'))));
      await Promise.all(this.#inflight);
    })();
    return this.#closing;
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #add(kind: RuleKind, raw: RawRule): this {
    this.#install(ruleSpec(kind, raw));
    return this;
  }

  #install(spec: RuleSpec): void {
    if (this.#closing !== undefined) throw new InvalidOptionError('rules', 'the engine is closed');
    if (this.#rules.has(spec.name)) throw new InvalidOptionError('name', `a rule named ${JSON.stringify(spec.name)} exists already; names must be unique`);
    const listener = (change: AlertChange) => this.#changed(change);
    const runtime =
      spec.kind === 'threshold'
        ? new ThresholdRule(spec, listener, this.#groupsBy(spec.groupBy))
        : spec.kind === 'sequence'
          ? new SequenceRule(spec, listener)
          : spec.kind === 'absence'
            ? new AbsenceRule(spec, listener)
            : new AnomalyRule(spec, listener);
    this.#rules.set(spec.name, runtime);
    if (this.#started) {
      runtime.start(this.#startTime);
      this.#queue.schedule(runtime, runtime.nextWake());
    }
    runtime.patterns.forEach((pattern, i) => {
      let group = this.#patterns.get(pattern);
      if (group === undefined) {
        group = { pattern: parsePattern(pattern), rules: [], earlier: new Map(), byType: new Map() };
        this.#patterns.set(pattern, group);
        const g = group;
        if (this.#source !== undefined) this.#subscriptions.push(this.#source.subscribe(pattern, (event: AnyBusEvent) => this.#receive(event, targetsOf(g, event.eventType))));
      }
      group.rules.push(runtime);
      // A rule reads an event through the first of its patterns that matches it, never twice.
      if (i > 0) group.earlier.set(runtime, runtime.patterns.slice(0, i).map((p) => parsePattern(p)));
      group.byType.clear();
    });
  }

  /** The groups shared by the threshold rules with these `groupBy` paths. */
  #groupsBy(paths: readonly string[]): ThresholdGroups {
    const id = JSON.stringify(paths);
    let shared = this.#sharedGroups.get(id);
    if (shared === undefined) {
      shared = new SharedGroups(paths);
      this.#sharedGroups.set(id, shared);
    }
    return shared;
  }

  #receive(event: AnyBusEvent, rules: readonly RuleRuntime[]): void {
    if (this.#closing !== undefined || rules.length === 0) return;
    this.#events++;
    const time = event.timestamp.getTime();
    if (!this.#started) this.#begin(time);
    if (time < this.#watermark) {
      this.#late++;
      return;
    }
    if (this.#clock !== undefined && time > this.#clock() + this.#maxFuture) {
      this.#future++;
      return;
    }
    this.#queue.push(time, event, rules);
    if (this.#queue.size > this.#maxBuffered) {
      this.#forced++;
      this.#advance(this.#queue.nextEventTime(), false);
    }
    if (time > this.#maxTime) this.#maxTime = time;
    this.#advance(this.#maxTime - this.#lateness, false);
  }

  #begin(time: number): void {
    this.#started = true;
    this.#startTime = time;
    for (const runtime of this.#rules.values()) {
      runtime.start(time);
      this.#queue.schedule(runtime, runtime.nextWake());
    }
  }

  /**
   * Moves the watermark to `watermark` (never back) and decides, in event-time order, the events
   * at or before it and the wake-ups before it (at it too when `final`): at equal times events
   * come first, so an expected event exactly at a deadline is in time.
   */
  #advance(watermark: number, final: boolean): void {
    if (watermark > this.#watermark) this.#watermark = watermark;
    if (this.#draining) return; // a listener that pushes events re-enters: the loop in progress sees them
    this.#draining = true;
    try {
      const limit = this.#watermark;
      const queue = this.#queue;
      for (;;) {
        const eventTime = queue.nextEventTime();
        const wakeTime = queue.nextWakeTime();
        if (eventTime <= limit && eventTime <= wakeTime) {
          const { event, rules, time } = queue.shiftEvent();
          const alert = event.eventType.startsWith('alert.') ? (event.data as { rule?: unknown } | undefined)?.rule : undefined;
          for (let i = 0; i < rules.length; i++) {
            const rule = rules[i]!;
            // A rule never sees its own alerts: no alert can feed itself.
            if (alert === rule.name) continue;
            let moved = true;
            try {
              moved = rule.accept(event, time);
            } catch (e) {
              // A `where` or `value` callback threw: the event is skipped for this rule.
              this.#report(e, `rule ${JSON.stringify(rule.name)} failed on an event of type ${event.eventType}`);
            }
            // The wake-up asked for after the rule's last call stands unless it says otherwise.
            if (moved) queue.schedule(rule, rule.nextWake());
          }
        } else if (wakeTime < limit || (final && wakeTime === limit)) {
          const rule = queue.shiftWake();
          try {
            rule.wake(wakeTime);
          } catch (e) {
            this.#report(e, `rule ${JSON.stringify(rule.name)} failed at a deadline`);
          }
          queue.schedule(rule, rule.nextWake());
        } else {
          break;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #changed(change: AlertChange): void {
    this.#changes++;
    if (this.#onChange !== undefined) {
      try {
        this.#onChange(change);
      } catch (e) {
        this.#report(e, 'onChange threw');
      }
    }
    for (const sink of this.#sinks) {
      try {
        sink.send(change);
      } catch (e) {
        this.#report(e, 'a sink threw');
      }
    }
    this.#publish(change);
  }

  #publish(change: AlertChange): void {
    const sink = this.#publisher;
    if (sink === undefined || !sink.enabled) return;
    let event: AlertEvent;
    try {
      event = AlertEvent.create(`alert.${change.state}`, alertData(change), { source: this.#eventSource, timestamp: new Date(change.at) });
    } catch (e) {
      this.#report(e, `alert event of rule ${JSON.stringify(change.rule)}`);
      return;
    }
    // A bus never rejects and reports its own failures; the catch only keeps a custom sink quiet.
    const sent = sink.publish(event).catch(() => undefined);
    this.#inflight.add(sent);
    void sent.finally(() => this.#inflight.delete(sent));
  }

  #report(error: unknown, context: string): void {
    try {
      this.#onError(error instanceof DotbusError ? error : new DotbusError('HANDLER_FAILED', `${context}: ${describeError(error)}`));
    } catch {
      // A throwing hook must not break the rules; there is nowhere left to report it.
    }
  }
}

/** The rules that read one pattern, and the one subscription for them all. */
interface PatternGroup {
  readonly pattern: CompiledPattern;
  readonly rules: RuleRuntime[];
  /** The earlier patterns of rules for which this is not the first pattern. */
  readonly earlier: Map<RuleRuntime, readonly CompiledPattern[]>;
  /** Rules an event of a type is for, when some rule has several patterns. */
  readonly byType: Map<string, readonly RuleRuntime[]>;
}

/** Cap of a group's type cache. */
const MAX_CACHED_TYPES = 1_000;

/** The rules of `group` an event of `type` is for: those that do not read it through an earlier pattern. */
function targetsOf(group: PatternGroup, type: string): readonly RuleRuntime[] {
  if (group.earlier.size === 0) return group.rules;
  let rules = group.byType.get(type);
  if (rules === undefined) {
    rules = group.rules.filter((r) => !(group.earlier.get(r)?.some((p) => p.matches(type)) ?? false));
    if (group.byType.size >= MAX_CACHED_TYPES) group.byType.clear();
    group.byType.set(type, rules);
  }
  return rules;
}

/** The data of the `alert.<state>` event of a change. */
function alertData(c: AlertChange): AlertEvent['data'] {
  return {
    rule: c.rule,
    kind: c.kind,
    state: c.state,
    severity: c.severity,
    labels: c.labels,
    fingerprint: c.fingerprint,
    value: c.value,
    at: formatIsoTime(c.at),
    activeSince: formatIsoTime(c.activeSince),
    ...(c.firedAt === undefined ? {} : { firedAt: formatIsoTime(c.firedAt) }),
    message: c.message,
    ...(Object.keys(c.annotations).length === 0 ? {} : { annotations: c.annotations }),
  };
}

function nonNegative(option: string, value: number): number {
  if (!(value >= 0 && Number.isFinite(value))) throw new InvalidOptionError(option, `must be a finite number of ms ≥ 0, got ${value}`);
  return value;
}
