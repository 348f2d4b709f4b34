import { isUntyped, PerformanceEvent, ValidationEvent, type AnyBusEvent, type ResourceUsage, type Subscribable } from '../index.js';
import { LabelLimiter } from './label-limiter.js';

/** Labels of an operation's duration (`performance.operation.complete`). */
export interface OperationLabels {
  readonly operation: string;
  readonly phase: string;
  readonly status: string;
}

/** Labels of a phase's duration (`performance.phase.complete`). */
export interface PhaseLabels {
  readonly phase: string;
  readonly status: string;
}

/** Labels of a finished validation run (`validation.completed` / `validation.failed`). */
export interface ValidationLabels {
  readonly subject: string;
  readonly status: string;
}

/** Labels of one failed rule of a finished validation run. */
export interface ValidationErrorLabels {
  readonly rule: string;
  readonly severity: string;
}

/**
 * Where {@link feedMeasurements} sends what it reads from events; an exporter (Prometheus,
 * OpenTelemetry, your own) implements it. Label values arrive bounded (see {@link LabelLimiter}),
 * durations in seconds. Methods run in a bus handler: they should be cheap and must not throw.
 */
export interface MeasurementSink {
  /** An operation ended (`performance.operation.complete`). */
  operation(labels: OperationLabels, seconds: number, event: PerformanceEvent): void;
  /** A phase ended (`performance.phase.complete`). */
  phase(labels: PhaseLabels, seconds: number, event: PerformanceEvent): void;
  /** A validation run ended (`validation.completed` / `validation.failed`). */
  validation(labels: ValidationLabels, event: ValidationEvent): void;
  /** One failed rule of a run that ended: called once per entry of its `errors`. */
  validationError(labels: ValidationErrorLabels, event: ValidationEvent): void;
  /** The resource usage a performance event of `source` carries (every `performance.*` type). */
  resources(source: string, usage: ResourceUsage, event: PerformanceEvent): void;
}

/** Options of {@link feedMeasurements}. */
export interface MeasurementFeedOptions {
  /** Bounds the label values (share one between feeds that write the same metrics). @default a new `LabelLimiter()` */
  readonly labels?: LabelLimiter;
}

/**
 * Histogram bucket bounds for durations, in seconds: 10 µs to 10 s, roughly 1-2.5-5 per decade,
 * for millisecond-scale work and the microseconds of in-memory steps. The default of both exporters.
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Seconds per millisecond. */
const MS = 1 / 1000;

/**
 * Subscribes to the performance and validation events of a bus and hands each measurement to
 * `sink`: the one place that decides what the built-in events measure, shared by
 * `dotbus/prometheus` and `dotbus/otel`.
 *
 * @remarks Reads `performance.*` (durations of `operation.complete` and `phase.complete`,
 * resource usage of all four types) and `validation.completed` / `validation.failed` (runs, and the
 * rules in their `errors`). Ids (`contextId`, `eventId`, field paths) never become labels, and
 * every free-text label (`operation`, `phase`, `subject`, `rule`, `source`) goes through the
 * limiter. Events of those types that carry no definition's brand (untyped) are ignored.
 * @returns a function that ends the subscriptions
 * @example
 * ```ts
 * const stop = feedMeasurements(bus, {
 *   operation: (l, seconds) => console.log(l.operation, seconds), phase: () => {},
 *   validation: () => {}, validationError: () => {}, resources: () => {},
 * });
 * ```
 */
export function feedMeasurements(source: Subscribable, sink: MeasurementSink, options: MeasurementFeedOptions = {}): () => void {
  const labels = options.labels ?? new LabelLimiter();
  const performance = (event: AnyBusEvent): void => {
    if (!PerformanceEvent.is(event) || isUntyped(event)) return;
    const d = event.data;
    sink.resources(labels.value('source', event.source), d.resourceUsage, event);
    if (event.eventType === 'performance.operation.complete') {
      const l = { operation: labels.value('operation', d.operation), phase: labels.value('phase', d.phase), status: d.status };
      sink.operation(l, d.durationMs * MS, event);
    } else if (event.eventType === 'performance.phase.complete') {
      sink.phase({ phase: labels.value('phase', d.phase), status: d.status }, d.durationMs * MS, event);
    }
  };
  const validation = (event: AnyBusEvent): void => {
    if (!ValidationEvent.is(event) || isUntyped(event)) return;
    sink.validation({ subject: labels.value('subject', event.data.subject), status: event.data.status }, event);
    for (const e of event.data.errors) sink.validationError({ rule: labels.value('rule', e.rule), severity: e.severity }, event);
  };
  const subscriptions = [
    source.subscribe('performance.*', performance),
    source.subscribe('validation.completed', validation),
    source.subscribe('validation.failed', validation),
  ];
  return () => {
    for (const s of subscriptions) s.unsubscribe();
  };
}
