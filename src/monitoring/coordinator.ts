import { performance } from 'node:perf_hooks';
import {
  FieldPath,
  isDotbusError,
  PerformanceEvent,
  type DotbusError,
  type ErrorHook,
  type EventSink,
  type PublishReceipt,
  type ResourceUsage,
} from '../index.js';
import { describeError as describeCause, PublishError, warnOnError } from '../internal.js';
import { ResourceMeter, type ResourceMark } from './resource-meter.js';

/** Which unit of work and which field a measurement is about. */
export interface PerformanceScope {
  /** @default the coordinator's `contextId` */
  readonly contextId?: string;
  /** @default `FieldPath.root` (the whole record) */
  readonly fieldPath?: FieldPath;
}

/** How a phase ended. */
export interface PhaseEnd extends PerformanceScope {
  /** @default 'completed' */
  readonly status?: 'completed' | 'failed';
  /** Why it failed. */
  readonly error?: string;
}

/** Options of {@link EventDrivenPerformanceCoordinator}. */
export interface CoordinatorOptions {
  /** Where performance events go; a disabled sink turns every method into (almost) nothing. */
  readonly publisher: EventSink<PerformanceEvent>;
  /** The default context of every measurement, e.g. a batch or request id. */
  readonly contextId: string;
  /** The `operation` of phase events. @default 'validation' */
  readonly operation?: string;
  /** `source` of the events built here. @default '/dotbus/monitoring' */
  readonly source?: string;
  /** Report mean event-loop delay during work that spans samples. @default true */
  readonly eventLoopDelay?: boolean;
  /** Most phases open at once; beyond it the oldest is forgotten (and counted). @default 10_000 */
  readonly maxOpenPhases?: number;
  /**
   * Receives every misuse and failure the coordinator handles without throwing: an `endPhase` that
   * matches no open phase (`PUBLISH_FAILED`, with a message naming what is open and what to pass),
   * and an event that can't be built from the input, e.g. an empty phase name (`INVALID_EVENT`).
   * Failures of the publisher itself are reported by the bus's own `onError`, not here. A hook
   * that throws is ignored: nothing reaches the measured code.
   * @default a rate-limited process warning (at most one per error code every 10 s), as the bus's `onError`
   */
  readonly onError?: ErrorHook;
}

/** Counters of an {@link EventDrivenPerformanceCoordinator}. */
export interface CoordinatorStats {
  /** Events handed to the publisher. */
  readonly published: number;
  /** Events whose construction or publishing failed (never thrown into the caller). */
  readonly publishFailures: number;
  /** `endPhase` calls that matched no open phase (each also reported to `onError`). */
  readonly unmatchedEnds: number;
  /** Open phases forgotten because `maxOpenPhases` was reached. */
  readonly evictedPhases: number;
  /** Phases open now. */
  readonly openPhases: number;
}

interface OpenPhase {
  readonly key: string;
  readonly phase: string;
  readonly contextId: string;
  readonly fieldPath: FieldPath;
  readonly startedAt: number;
  readonly mark: ResourceMark;
}

/** How many open phases or names an unmatched-end message lists. */
const LISTED = 3;

type PerformanceType = PerformanceEvent['eventType'];
type PerformanceData = PerformanceEvent['data'];

/**
 * Measures phases and operations with a monotonic clock and real resource counters, and publishes
 * them as `performance.*` events.
 *
 * @remarks Spec: `EventDrivenPerformanceCoordinator`. When the publisher is disabled (NoOp), every
 * method checks `publisher.enabled` first and does nothing else: `measure` just calls `fn`. Publishing
 * never throws into the measured code; `measure` rethrows only the error of `fn`, unchanged. Misuse
 * (an `endPhase` that matches no open phase, an empty phase name) is counted and reported to
 * `onError`, never thrown.
 *
 * @example
 * ```ts
 * const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'batch-7' });
 * perf.startPhase('parse');
 * const rows = perf.measure('parse-csv', 'parse', () => parse(text));
 * perf.endPhase('parse');
 * ```
 */
export class EventDrivenPerformanceCoordinator {
  readonly #publisher: EventSink<PerformanceEvent>;
  readonly #contextId: string;
  readonly #operation: string;
  readonly #source: string;
  readonly #maxOpen: number;
  readonly #meter: ResourceMeter;
  readonly #onError: ErrorHook;
  /** Open phases by scope key, in start order (the first is the oldest). */
  readonly #open = new Map<string, OpenPhase>();
  /** Open phases by name, in start order (the last is the innermost). */
  readonly #byName = new Map<string, OpenPhase[]>();
  #published = 0;
  #failures = 0;
  #unmatched = 0;
  #evicted = 0;

  constructor(options: CoordinatorOptions) {
    this.#publisher = options.publisher;
    this.#contextId = options.contextId;
    this.#operation = options.operation ?? 'validation';
    this.#source = options.source ?? '/dotbus/monitoring';
    this.#maxOpen = options.maxOpenPhases ?? 10_000;
    this.#meter = new ResourceMeter({ eventLoopDelay: options.eventLoopDelay ?? true });
    this.#onError = options.onError ?? warnOnError;
  }

  /** Whether measurements are taken and published (the publisher's `enabled`). */
  get enabled(): boolean {
    return this.#publisher.enabled;
  }

  /**
   * Starts timing `phase` and publishes `performance.phase.start`.
   *
   * @remarks A phase is identified by its name and scope (`contextId`, `fieldPath`, defaulting as in
   * {@link PerformanceScope}). Starting the same name with the same scope again restarts it; the same
   * name with other scopes opens further phases, which nest: see {@link endPhase}.
   */
  startPhase(phase: string, scope?: PerformanceScope): void {
    if (!this.#publisher.enabled) return;
    const fieldPath = scope?.fieldPath ?? FieldPath.root;
    const contextId = scope?.contextId ?? this.#contextId;
    const key = phaseKey(contextId, phase, fieldPath);
    const restarted = this.#open.get(key);
    if (restarted !== undefined) this.#forget(restarted);
    if (this.#open.size >= this.#maxOpen) this.#evictOldest();
    const open: OpenPhase = { key, phase, contextId, fieldPath, startedAt: performance.now(), mark: this.#meter.mark() };
    this.#open.set(key, open);
    const named = this.#byName.get(phase);
    if (named === undefined) this.#byName.set(phase, [open]);
    else named.push(open);
    this.#emit('performance.phase.start', {
      contextId, fieldPath, operation: this.#operation, durationMs: 0,
      resourceUsage: this.#meter.current(), phase, status: 'started',
    });
  }

  /**
   * Ends an open phase and publishes `performance.phase.complete` with its duration, resource usage
   * and the scope it was started with.
   *
   * @remarks Which phase ends:
   * - without a scope (neither `contextId` nor `fieldPath`; `status` and `error` are not scope): the
   *   innermost, i.e. most recently started, open phase named `phase`, whatever scope it was started
   *   with;
   * - with a scope: exactly the phase started with that name and scope, the scope's missing parts
   *   defaulting as in `startPhase` (`contextId` to the coordinator's, `fieldPath` to the root).
   *
   * A call that matches no open phase (never started, ended already, evicted by `maxOpenPhases`, or
   * another scope) ends nothing, counts in `stats().unmatchedEnds` and is reported to `onError` with
   * a message that lists the open phases of that name and the scope to pass. It never throws.
   * @returns the duration in ms, or `undefined` when disabled or when no open phase matched.
   */
  endPhase(phase: string, end?: PhaseEnd): number | undefined {
    if (!this.#publisher.enabled) return undefined;
    const open = this.#find(phase, end);
    if (open === undefined) {
      this.#unmatched++;
      this.#report(() => new PublishError('performance.phase.complete', this.#unmatchedMessage(phase, end)));
      return undefined;
    }
    this.#forget(open);
    const durationMs = Math.max(0, performance.now() - open.startedAt);
    this.#emit('performance.phase.complete', {
      contextId: open.contextId, fieldPath: open.fieldPath, operation: this.#operation, durationMs,
      resourceUsage: this.#meter.usageSince(open.mark), phase, status: end?.status ?? 'completed',
      ...(end?.error === undefined ? {} : { error: end.error }),
    });
    return durationMs;
  }

  /**
   * Runs `fn`, and publishes `performance.operation.complete` with its duration, resource usage and
   * status. A sync `fn` stays sync; a promise is awaited and its value passed through. An error of
   * `fn` is recorded as `failed` and rethrown unchanged.
   */
  measure<T>(operation: string, phase: string, fn: () => T, scope?: PerformanceScope): T {
    if (!this.#publisher.enabled) return fn();
    const mark = this.#meter.mark();
    const startedAt = performance.now();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.#operationDone(operation, phase, scope, startedAt, mark, error);
      throw error;
    }
    if (!isPromiseLike(result)) {
      this.#operationDone(operation, phase, scope, startedAt, mark, NO_ERROR);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.#operationDone(operation, phase, scope, startedAt, mark, NO_ERROR);
        return value;
      },
      (error: unknown) => {
        this.#operationDone(operation, phase, scope, startedAt, mark, error);
        throw error;
      },
    ) as T;
  }

  /** Publishes a measurement taken elsewhere as `performance.metric.recorded`. */
  recordMetric(operation: string, phase: string, durationMs: number, scope?: PerformanceScope): void {
    if (!this.#publisher.enabled) return;
    this.#emit('performance.metric.recorded', {
      contextId: scope?.contextId ?? this.#contextId, fieldPath: scope?.fieldPath ?? FieldPath.root,
      operation, durationMs: Math.max(0, durationMs), resourceUsage: this.#meter.current(), phase, status: 'completed',
    });
  }

  /** A snapshot of the counters. */
  stats(): CoordinatorStats {
    return {
      published: this.#published, publishFailures: this.#failures, unmatchedEnds: this.#unmatched,
      evictedPhases: this.#evicted, openPhases: this.#open.size,
    };
  }

  /** Forgets open phases and stops the event-loop sampler. */
  close(): void {
    this.#open.clear();
    this.#byName.clear();
    this.#meter.close();
  }

  #operationDone(operation: string, phase: string, scope: PerformanceScope | undefined, startedAt: number, mark: ResourceMark, error: unknown): void {
    const durationMs = Math.max(0, performance.now() - startedAt);
    const resourceUsage: ResourceUsage = this.#meter.usageSince(mark);
    const failed = error !== NO_ERROR;
    this.#emit('performance.operation.complete', {
      contextId: scope?.contextId ?? this.#contextId, fieldPath: scope?.fieldPath ?? FieldPath.root,
      operation, durationMs, resourceUsage, phase, status: failed ? 'failed' : 'completed',
      ...(failed ? { error: describeError(error) } : {}),
    });
  }

  #emit(type: PerformanceType, data: PerformanceData): void {
    try {
      const event = PerformanceEvent.create(type, data, { source: this.#source });
      this.#publisher.publish(event).then(this.#countReceipt, this.#countFailure);
      this.#published++;
    } catch (error) {
      // Bad input (e.g. an empty phase name) must not break the measured code: count and report it.
      this.#failures++;
      this.#report(() => (isDotbusError(error) ? error : new PublishError(type, describeCause(error))));
    }
  }

  /** Builds the error and hands it to `onError`; neither may throw into the measured code. */
  #report(error: () => DotbusError): void {
    try {
      this.#onError(error());
    } catch {
      // Ignored, as documented on `onError`.
    }
  }

  /** The open phase `endPhase(phase, end)` ends, by the rule documented there. */
  #find(phase: string, end: PhaseEnd | undefined): OpenPhase | undefined {
    if (end?.contextId === undefined && end?.fieldPath === undefined) return this.#byName.get(phase)?.at(-1);
    return this.#open.get(phaseKey(end.contextId ?? this.#contextId, phase, end.fieldPath ?? FieldPath.root));
  }

  /** Removes `open` from both indexes. */
  #forget(open: OpenPhase): void {
    this.#open.delete(open.key);
    const named = this.#byName.get(open.phase);
    if (named === undefined) return;
    // Phases mostly end innermost first (near the end) and are evicted oldest first (at the start).
    const at = named[0] === open ? 0 : named.lastIndexOf(open);
    if (at !== -1) named.splice(at, 1);
    if (named.length === 0) this.#byName.delete(open.phase);
  }

  /** Says why `endPhase(phase, end)` matched nothing: what is open, and what to pass. */
  #unmatchedMessage(phase: string, end: PhaseEnd | undefined): string {
    const given = scopeLiteral(end?.contextId, end?.fieldPath);
    const call = `endPhase(${JSON.stringify(phase)}${given === undefined ? '' : `, ${given}`})`;
    const named = this.#byName.get(phase);
    if (named !== undefined) {
      const scopes = listed(named.slice(-LISTED).reverse().map((o) => this.#scopeText(o.contextId, o.fieldPath)), named.length);
      return `${call} matched no open phase; open ${JSON.stringify(phase)} phases, most recent first: ${scopes}. ` +
        'Pass the scope the phase was started with, or no scope to end the most recent one';
    }
    const evicted = this.#evicted > 0 ? `, ended already, or evicted by maxOpenPhases, ${this.#evicted} so far` : ', or ended already';
    const names: string[] = [];
    for (const name of this.#byName.keys()) {
      if (names.length === LISTED) break;
      names.push(JSON.stringify(name));
    }
    const others = names.length === 0 ? 'no phase is open' : `open phases: ${listed(names, this.#byName.size)}`;
    return `${call} matched no open phase: ${JSON.stringify(phase)} is not open (not started${evicted}); ${others}`;
  }

  /** An open phase's scope as the object literal to pass, leaving out the defaults. */
  #scopeText(contextId: string, fieldPath: FieldPath): string {
    return scopeLiteral(contextId === this.#contextId ? undefined : contextId, fieldPath.length === 0 ? undefined : fieldPath) ?? 'no scope';
  }

  readonly #countFailure = (): void => {
    this.#failures++;
  };

  /** A bus resolves failures instead of rejecting: count `failed` and `dropped` receipts too. */
  readonly #countReceipt = (receipt: PublishReceipt): void => {
    if (receipt.status === 'failed' || receipt.status === 'dropped') this.#failures++;
  };

  #evictOldest(): void {
    const oldest = this.#open.values().next();
    if (oldest.done === true) return;
    this.#forget(oldest.value);
    this.#evicted++;
  }
}

/** Marks "no error" distinctly from `undefined`, which `fn` may legitimately throw. */
const NO_ERROR: unique symbol = Symbol('no error');

function phaseKey(contextId: string, phase: string, fieldPath: FieldPath): string {
  return fieldPath.length === 0 ? `${contextId}\u0000${phase}` : `${contextId}\u0000${phase}\u0000${FieldPath.format(fieldPath)}`;
}

/** `items`, comma-separated, with how many of `total` were left out. */
function listed(items: readonly string[], total: number): string {
  return total > items.length ? `${items.join(', ')} and ${total - items.length} more` : items.join(', ');
}

/** `{ contextId: "…", fieldPath: [...] }` with the parts given, or `undefined` for none. */
function scopeLiteral(contextId: string | undefined, fieldPath: FieldPath | undefined): string | undefined {
  const parts: string[] = [];
  if (contextId !== undefined) parts.push(`contextId: ${JSON.stringify(contextId)}`);
  if (fieldPath !== undefined) parts.push(`fieldPath: ${JSON.stringify(fieldPath)}`);
  return parts.length === 0 ? undefined : `{ ${parts.join(', ')} }`;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    // e.g. an object with a throwing toString: the measured code's own error still propagates.
    return 'unprintable error';
  }
}
