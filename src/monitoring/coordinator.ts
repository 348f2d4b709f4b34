import { performance } from 'node:perf_hooks';
import { FieldPath, PerformanceEvent, type EventSink, type PublishReceipt, type ResourceUsage } from '../index.js';
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
}

/** Counters of an {@link EventDrivenPerformanceCoordinator}. */
export interface CoordinatorStats {
  /** Events handed to the publisher. */
  readonly published: number;
  /** Events whose construction or publishing failed (never thrown into the caller). */
  readonly publishFailures: number;
  /** `endPhase` calls without a matching `startPhase`. */
  readonly unmatchedEnds: number;
  /** Open phases forgotten because `maxOpenPhases` was reached. */
  readonly evictedPhases: number;
  /** Phases open now. */
  readonly openPhases: number;
}

interface OpenPhase {
  readonly startedAt: number;
  readonly mark: ResourceMark;
}

type PerformanceType = PerformanceEvent['eventType'];
type PerformanceData = PerformanceEvent['data'];

/**
 * Measures phases and operations with a monotonic clock and real resource counters, and publishes
 * them as `performance.*` events.
 *
 * @remarks Spec: `EventDrivenPerformanceCoordinator`. When the publisher is disabled (NoOp), every
 * method checks `publisher.enabled` first and does nothing else: `measure` just calls `fn`. Publishing
 * never throws into the measured code; `measure` rethrows only the error of `fn`, unchanged.
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
  readonly #open = new Map<string, OpenPhase>();
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
  }

  /** Whether measurements are taken and published (the publisher's `enabled`). */
  get enabled(): boolean {
    return this.#publisher.enabled;
  }

  /** Starts timing `phase` and publishes `performance.phase.start`. Starting it again restarts it. */
  startPhase(phase: string, scope?: PerformanceScope): void {
    if (!this.#publisher.enabled) return;
    const fieldPath = scope?.fieldPath ?? FieldPath.root;
    const contextId = scope?.contextId ?? this.#contextId;
    const key = phaseKey(contextId, phase, fieldPath);
    this.#open.delete(key);
    if (this.#open.size >= this.#maxOpen) this.#evictOldest();
    this.#open.set(key, { startedAt: performance.now(), mark: this.#meter.mark() });
    this.#emit('performance.phase.start', {
      contextId, fieldPath, operation: this.#operation, durationMs: 0,
      resourceUsage: this.#meter.current(), phase, status: 'started',
    });
  }

  /**
   * Ends `phase` and publishes `performance.phase.complete` with its duration and resource usage.
   * @returns the duration in ms, or `undefined` when disabled or when the phase was not started.
   */
  endPhase(phase: string, end?: PhaseEnd): number | undefined {
    if (!this.#publisher.enabled) return undefined;
    const fieldPath = end?.fieldPath ?? FieldPath.root;
    const contextId = end?.contextId ?? this.#contextId;
    const key = phaseKey(contextId, phase, fieldPath);
    const open = this.#open.get(key);
    if (open === undefined) {
      this.#unmatched++;
      return undefined;
    }
    this.#open.delete(key);
    const durationMs = Math.max(0, performance.now() - open.startedAt);
    this.#emit('performance.phase.complete', {
      contextId, fieldPath, operation: this.#operation, durationMs,
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
    } catch {
      // Bad input (e.g. an empty phase name) must not break the measured code: count it instead.
      this.#failures++;
    }
  }

  readonly #countFailure = (): void => {
    this.#failures++;
  };

  /** A bus resolves failures instead of rejecting: count `failed` and `dropped` receipts too. */
  readonly #countReceipt = (receipt: PublishReceipt): void => {
    if (receipt.status === 'failed' || receipt.status === 'dropped') this.#failures++;
  };

  #evictOldest(): void {
    const oldest = this.#open.keys().next();
    if (oldest.done === true) return;
    this.#open.delete(oldest.value);
    this.#evicted++;
  }
}

/** Marks "no error" distinctly from `undefined`, which `fn` may legitimately throw. */
const NO_ERROR: unique symbol = Symbol('no error');

function phaseKey(contextId: string, phase: string, fieldPath: FieldPath): string {
  return fieldPath.length === 0 ? `${contextId}\u0000${phase}` : `${contextId}\u0000${phase}\u0000${FieldPath.format(fieldPath)}`;
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
