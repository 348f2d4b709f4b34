import {
  AlertEvent,
  type AnyBusEvent,
  type EventSink,
  type EventHandler,
  type MatchingEvents,
  type Subscription,
  type ValidPattern,
} from '../../index.js';
import {
  InvalidOptionError,
} from '../../internal.js';
import type { AnomalyRuleOptions, MatchRuleOptions, RuleOptions, RuleState, ThresholdRuleOptions } from './alert-rules.js';
import { RunningStats } from './running-stats.js';
import { SlidingWindow } from './sliding-window.js';

/** Where rules subscribe: an `EventBus` or `EventSubscriber`. */
export interface AlertSource {
  subscribe(pattern: string, handler: EventHandler): Subscription;
}

/** Options of {@link AlertEngine}. */
export interface AlertEngineOptions {
  /** Where rules read events. */
  readonly source: AlertSource;
  /** Where `alert.triggered` / `alert.resolved` go (usually the same bus). */
  readonly publisher: EventSink<AlertEvent>;
  /** `source` of alert events. @default '/dotbus/alerts' */
  readonly eventSource?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

type Verdict = { readonly fire: boolean; readonly message: string; readonly extra: Partial<AlertEvent['data']> };

interface Rule {
  readonly state: { -readonly [K in keyof RuleState]: RuleState[K] };
  readonly options: RuleOptions<AnyBusEvent>;
  lastFired: number;
  judge(event: AnyBusEvent, now: number): Verdict | undefined;
}

/**
 * Turns patterns of events into alerts (spec: "event patterns trigger alert rules; complex event
 * processing for anomaly detection"): a match, a count within a time window, or a value far off
 * its running baseline. State changes are published as `alert.triggered` / `alert.resolved`.
 *
 * @remarks Memory is constant per rule (a window keeps `count` timestamps, an anomaly rule three
 * numbers). Rules never see `alert.*` events unless their pattern starts with `alert.` (an
 * escalation rule), and an escalation rule never sees its own alerts nor alerts about alerts:
 * no alert can trigger itself, and escalation chains stop after one level.
 * @example
 * ```ts
 * const alerts = new AlertEngine<BuiltInEvent>({ source: bus, publisher: bus });
 * alerts.threshold('validation.failed', { name: 'failures', count: 50, windowMs: 60_000 });
 * alerts.anomaly('performance.operation.complete', { name: 'slow-ops', value: (e) => e.data.durationMs });
 * ```
 */
export class AlertEngine<E extends AnyBusEvent> implements Disposable {
  readonly #options: AlertEngineOptions;
  readonly #rules = new Map<string, Rule>();
  readonly #subscriptions: Subscription[] = [];
  readonly #now: () => number;

  constructor(options: AlertEngineOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Fires on every matching event (at most once per cooldown). */
  match<const P extends string>(pattern: ValidPattern<P>, options: MatchRuleOptions<MatchingEvents<E, P>>): void {
    this.#add(pattern, 'match', options, () => ({ fire: true, message: `${options.name}: matching event`, extra: {} }));
  }

  /** Fires when `count` matching events arrive within `windowMs`. */
  threshold<const P extends string>(pattern: ValidPattern<P>, options: ThresholdRuleOptions<MatchingEvents<E, P>>): void {
    if (!(Number.isInteger(options.count) && options.count > 0)) throw new InvalidOptionError('count', 'must be an integer ≥ 1');
    if (!(options.windowMs > 0)) throw new InvalidOptionError('windowMs', 'must be > 0');
    const window = new SlidingWindow(options.count, options.windowMs);
    this.#add(pattern, 'threshold', options, (_e, now) => {
      window.add(now);
      const fire = window.reached(now);
      const count = window.inWindow(now);
      const message = `${options.name}: ${count} matching event(s) within ${options.windowMs} ms (threshold ${options.count})`;
      return { fire, message, extra: { count, windowMs: options.windowMs } };
    });
  }

  /** Fires when a value is far off its running baseline. */
  anomaly<const P extends string>(pattern: ValidPattern<P>, options: AnomalyRuleOptions<MatchingEvents<E, P>>): void {
    const stats = new RunningStats(options.alpha ?? 0.05);
    const limit = options.zScore ?? 3;
    const minSamples = options.minSamples ?? 30;
    const value = options.value as (e: AnyBusEvent) => number | undefined;
    this.#add(pattern, 'anomaly', options, (event) => {
      const x = value(event);
      if (x === undefined || !Number.isFinite(x)) return undefined;
      const ready = stats.samples >= minSamples;
      const z = stats.zScore(x);
      const verdict: Verdict = {
        fire: ready && Math.abs(z) > limit && Math.abs(x - stats.mean) > (options.minDeviation ?? 0),
        message: `${options.name}: ${x} is ${Number.isFinite(z) ? Math.abs(z).toFixed(1) : '∞'} standard deviations from the mean ${stats.mean.toFixed(3)}`,
        extra: { value: x, mean: stats.mean, stdDev: stats.stdDev },
      };
      stats.add(x);
      return verdict;
    });
  }

  /** Every rule's state. */
  rules(): RuleState[] {
    return [...this.#rules.values()].map((r) => ({ ...r.state }));
  }

  /** Stops every rule. */
  [Symbol.dispose](): void {
    for (const s of this.#subscriptions.splice(0)) s.unsubscribe();
  }

  #add(pattern: string, kind: RuleState['kind'], options: RuleOptions<never>, judge: Rule['judge']): void {
    if (this.#rules.has(options.name)) throw new InvalidOptionError('name', `a rule named ${JSON.stringify(options.name)} exists already`);
    const rule: Rule = {
      state: { name: options.name, pattern, kind, active: false, triggered: 0, seen: 0 },
      options: options as RuleOptions<AnyBusEvent>,
      lastFired: -Infinity,
      judge,
    };
    const escalates = pattern.startsWith('alert.');
    this.#subscriptions.push(
      this.#options.source.subscribe(pattern, (event) => {
        if (event.eventType.startsWith('alert.') && !(escalates && escalationOf(event, rule.state.name))) return;
        this.#observe(rule, event);
      }),
    );
    this.#rules.set(options.name, rule);
  }

  #observe(rule: Rule, event: AnyBusEvent): void {
    if (rule.options.when !== undefined && !rule.options.when(event)) return;
    rule.state.seen++;
    const now = this.#now();
    const verdict = rule.judge(event, now);
    if (verdict === undefined) return;
    if (verdict.fire) {
      // Already firing, or fired too recently: one alert per episode, and none in the cooldown.
      if (rule.state.active || now - rule.lastFired < (rule.options.cooldownMs ?? 60_000)) return;
      rule.state.active = rule.state.kind !== 'match';
      rule.lastFired = now;
      rule.state.triggered++;
      this.#publish('alert.triggered', rule, event, verdict);
    } else if (rule.state.active) {
      rule.state.active = false;
      this.#publish('alert.resolved', rule, event, { ...verdict, message: `${rule.state.name}: back to normal` });
    }
  }

  #publish(type: AlertEvent['eventType'], rule: Rule, cause: AnyBusEvent, verdict: Verdict): void {
    const sink = this.#options.publisher;
    if (!sink.enabled) return;
    const data = {
      rule: rule.state.name,
      severity: rule.options.severity ?? 'warning',
      kind: rule.state.kind,
      message: verdict.message,
      pattern: rule.state.pattern,
      eventType: cause.eventType,
      eventId: cause.eventId,
      ...verdict.extra,
    };
    const event = AlertEvent.create(type, data, { source: this.#options.eventSource ?? '/dotbus/alerts' });
    // The sink reports its own failures (a bus never rejects); nothing to add here.
    sink.publish(event).catch(() => undefined);
  }
}

/**
 * Whether the alert `event` may feed the escalation rule `name`: not its own alert, and not an
 * alert about an alert, so escalation is one level deep and two escalation rules can never
 * trigger each other for ever.
 */
function escalationOf(event: AnyBusEvent, name: string): boolean {
  const data = event.data as { readonly rule?: unknown; readonly eventType?: unknown };
  return data.rule !== name && !(typeof data.eventType === 'string' && data.eventType.startsWith('alert.'));
}
