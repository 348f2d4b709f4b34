import { ValidationEvent, type AnyBusEvent, type Subscribable, type Subscription } from '../index.js';
import { InvalidOptionError } from '../internal.js';
import { ContextState, type ContextLimits } from './context-state.js';
import { SummaryStats } from './summary-stats.js';
import type { ContextStatus, ContextView, MonitoringSummary } from './validation-view.js';

/** Options of {@link ValidationMonitoringService}. */
export interface ValidationMonitoringOptions {
  /** Where to subscribe; omit it to feed events yourself with {@link ValidationMonitoringService.record}. */
  readonly subscriber?: Subscribable;
  /** A context without events for this long is dropped, in ms. @default 300_000 (5 min) */
  readonly idleTimeoutMs?: number;
  /** Most contexts held; beyond it the least recently updated one is evicted. @default 10_000 */
  readonly maxContexts?: number;
  /** Most phases kept per context. @default 32 */
  readonly maxPhasesPerContext?: number;
  /** Most distinct (field, rule) errors kept per context. @default 100 */
  readonly maxErrorsPerContext?: number;
  /** Most distinct phase names in the summary. @default 256 */
  readonly maxPhaseNames?: number;
  /** Most distinct error kinds (rule, folded field) in the summary. @default 1_000 */
  readonly maxErrorKinds?: number;
  /** Length of the summary's lists. @default 10 */
  readonly topN?: number;
  /** Clock for idle expiry, in ms. @default Date.now */
  readonly now?: () => number;
}

/**
 * A live, bounded view of validation runs, built from `validation.*` events.
 *
 * @remarks Spec: `ValidationMonitoringService`. Subscribes exactly as the spec shows:
 * `validation.*` for the lifecycle and `validation.phase.*` for phases. Since `*` matches one or more
 * segments, `validation.*` also sees phase events; its handler leaves them to the phase handler, so
 * each event is applied once. Memory is bounded: at most `maxContexts` contexts (least recently
 * updated evicted first), each with at most `maxPhasesPerContext` phases and `maxErrorsPerContext`
 * errors; idle contexts expire. Expiry runs on every event and query (no timer), so an idle service
 * costs nothing.
 *
 * @example
 * ```ts
 * using monitor = new ValidationMonitoringService({ subscriber: bus });
 * // … validation.* events are published on the bus …
 * console.log(monitor.summary().finished); // { passed: 912, failed: 88 }
 * ```
 */
export class ValidationMonitoringService implements Disposable {
  readonly #contexts = new Map<string, ContextState>();
  readonly #limits: ContextLimits;
  readonly #stats: SummaryStats;
  readonly #idleMs: number;
  readonly #maxContexts: number;
  readonly #topN: number;
  readonly #now: () => number;
  readonly #subscriptions: Subscription[] = [];
  readonly #finished = { passed: 0, failed: 0 };
  readonly #counted = new WeakMap<ContextState, 'passed' | 'failed'>();
  #seen = 0;
  #expired = 0;
  #evicted = 0;
  #events = 0;
  #ignored = 0;

  constructor(options: ValidationMonitoringOptions = {}) {
    this.#idleMs = positive(options.idleTimeoutMs ?? 300_000, 'idleTimeoutMs');
    this.#maxContexts = positive(options.maxContexts ?? 10_000, 'maxContexts');
    this.#limits = {
      maxPhases: positive(options.maxPhasesPerContext ?? 32, 'maxPhasesPerContext'),
      maxErrors: positive(options.maxErrorsPerContext ?? 100, 'maxErrorsPerContext'),
    };
    this.#stats = new SummaryStats(options.maxPhaseNames ?? 256, options.maxErrorKinds ?? 1_000);
    this.#topN = options.topN ?? 10;
    this.#now = options.now ?? Date.now;
    const source = options.subscriber;
    if (source !== undefined) {
      this.#subscriptions.push(source.subscribe('validation.*', (e) => this.#handleValidationEvent(e)));
      this.#subscriptions.push(source.subscribe('validation.phase.*', (e) => this.#handlePhaseEvent(e)));
    }
  }

  /** Applies one event as if it had arrived on the subscriptions (once, whatever its type). */
  record(event: AnyBusEvent): void {
    if (event.eventType.startsWith('validation.phase.')) this.#handlePhaseEvent(event);
    else this.#handleValidationEvent(event);
  }

  /** The current view of `contextId`, or `undefined` if unknown, expired or evicted. */
  snapshot(contextId: string): ContextView | undefined {
    this.#expire(this.#now());
    return this.#contexts.get(contextId)?.view();
  }

  /** Ids of the contexts held now, least recently updated first. */
  contextIds(): string[] {
    this.#expire(this.#now());
    return [...this.#contexts.keys()];
  }

  /** Number of contexts held now. */
  get size(): number {
    return this.#contexts.size;
  }

  /** Counts by status, slowest phases and most frequent errors. */
  summary(): MonitoringSummary {
    this.#expire(this.#now());
    const byStatus: Record<ContextStatus, number> = { started: 0, running: 0, passed: 0, failed: 0 };
    for (const c of this.#contexts.values()) byStatus[c.status]++;
    return {
      byStatus,
      finished: { ...this.#finished },
      contexts: { live: this.#contexts.size, seen: this.#seen, expired: this.#expired, evicted: this.#evicted },
      events: this.#events,
      ignored: this.#ignored,
      slowestPhases: this.#stats.slowestPhases(this.#topN),
      topErrors: this.#stats.topErrors(this.#topN),
      otherErrors: this.#stats.otherErrors,
    };
  }

  /** Stops both subscriptions; the view stays readable. */
  close(): void {
    for (const s of this.#subscriptions.splice(0)) s.unsubscribe();
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  // Spec: `_handle_validation_event`. Phase events also match `validation.*`; the phase handler owns them.
  #handleValidationEvent(event: AnyBusEvent): void {
    if (event.eventType.startsWith('validation.phase.')) return;
    this.#apply(event);
  }

  // Spec: `_handle_phase_event`.
  #handlePhaseEvent(event: AnyBusEvent): void {
    this.#apply(event);
  }

  #apply(event: AnyBusEvent): void {
    if (!ValidationEvent.is(event)) {
      this.#ignored++;
      return;
    }
    const now = this.#now();
    this.#expire(now);
    const state = this.#touch(event, now);
    state.apply(event, this.#limits, (e) => this.#stats.error(e));
    this.#events++;
    if (event.eventType === 'validation.phase.completed' && event.data.durationMs !== undefined) {
      this.#stats.phase(event.data.phase ?? '(unnamed)', event.data.durationMs, state.contextId);
    }
    this.#countFinal(state);
  }

  /** The state of the event's context, moved to the most-recently-updated end of the map. */
  #touch(event: ValidationEvent, now: number): ContextState {
    const id = event.data.contextId;
    let state = this.#contexts.get(id);
    if (state === undefined) {
      state = new ContextState(event, now);
      this.#seen++;
      while (this.#contexts.size >= this.#maxContexts) this.#dropOldest();
    } else {
      this.#contexts.delete(id);
      state.lastSeen = now;
    }
    this.#contexts.set(id, state);
    return state;
  }

  #countFinal(state: ContextState): void {
    if (state.status !== 'passed' && state.status !== 'failed') return;
    const before = this.#counted.get(state);
    if (before === state.status) return;
    if (before !== undefined) this.#finished[before]--;
    this.#finished[state.status]++;
    this.#counted.set(state, state.status);
  }

  /** Removes contexts idle for longer than `idleTimeoutMs`; the map is ordered by last update. */
  #expire(now: number): void {
    for (const [id, state] of this.#contexts) {
      if (now - state.lastSeen <= this.#idleMs) return;
      this.#contexts.delete(id);
      this.#expired++;
    }
  }

  #dropOldest(): void {
    const oldest = this.#contexts.keys().next();
    if (oldest.done === true) return;
    this.#contexts.delete(oldest.value);
    this.#evicted++;
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new InvalidOptionError(name, `must be a positive number, got ${value}`);
  return value;
}
