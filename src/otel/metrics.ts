import { context, metrics, ROOT_CONTEXT, trace, type Context, type Histogram, type MeterProvider } from '@opentelemetry/api';
import type { StatsSource, Subscribable, TraceContext } from '../index.js';
import { InvalidOptionError } from '../internal.js';
import { DEFAULT_DURATION_BUCKETS, feedMeasurements, LabelLimiter, type LabelLimiterOptions, type StreamGroupSource } from '../monitoring/index.js';
import { observeBusCounters, observeFolded, observeResources, observeStreamGroups, type LatestResources } from './metrics-observed.js';
import { spanContextOf } from './trace-context.js';

/** Options of {@link otelMetrics}. */
export interface OtelMetricsOptions {
  /** Where the instruments come from. @default the global `MeterProvider` of `@opentelemetry/api` */
  readonly meterProvider?: MeterProvider;
  /**
   * Bucket boundaries advised for the duration histograms, in seconds, increasing (a view of
   * your SDK can still override them).
   * @default `DEFAULT_DURATION_BUCKETS` of `dotbus/monitoring`: 10 µs to 10 s
   */
  readonly durationBuckets?: readonly number[];
  /** Caps on attribute values taken from events. @default `{ maxValuesPerLabel: 100, maxValueLength: 100 }` */
  readonly labels?: LabelLimiterOptions;
  /** Redis Streams consumer groups to observe (e.g. the Streams transport): lag, pending entries, members. @default none */
  readonly streams?: StreamGroupSource | readonly StreamGroupSource[];
  /** How long one collection waits for `streams`, in ms. @default 2_000 */
  readonly streamsTimeoutMs?: number;
}


/**
 * Records what the performance and validation events of a bus measure through the meter of
 * `@opentelemetry/api`, for pushing with any SDK exporter (OTLP to a collector, InfluxDB, …).
 *
 * @remarks The instruments, under the names an OTel → Prometheus translation turns into those of
 * `dotbus/prometheus`:
 * - histograms `dotbus.operation.duration` and `dotbus.phase.duration` (unit `s`; attributes
 *   `dotbus.operation.name`, `dotbus.phase.name`, `dotbus.work.status`), recorded in the context of
 *   the event's trace, so that an SDK samples exemplars from it;
 * - counters `dotbus.validations` (`dotbus.validation.subject`, `dotbus.validation.status`) and
 *   `dotbus.validation.errors` (`dotbus.validation.rule`, `dotbus.validation.severity`);
 * - gauges `dotbus.resource.rss`, `dotbus.resource.heap_used` (`By`) and
 *   `dotbus.resource.event_loop.delay` (`s`), the latest per `dotbus.event.source`;
 * - `dotbus.label_values.folded` (`dotbus.label.name`): values reported as `other` past the caps;
 * - when the bus has `stats()`: the messaging conventions' `messaging.client.sent.messages`
 *   (accepted publishes; failed ones with `error.type` `_OTHER`) and
 *   `messaging.client.consumed.messages` (handler calls), with `messaging.system` `dotbus`;
 * - with `streams`: `dotbus.stream.group.lag`, `.pending`, `.consumers` and
 *   `.oldest_pending.age` (`s`), by `dotbus.namespace` and `messaging.consumer.group.name`
 *   (transport-owned groups folded into `broadcast-*`).
 *
 * Messaging names follow the OpenTelemetry semantic conventions for messaging metrics, v1.38
 * (status Development). The performance measurements have no messaging equivalent (they time your
 * work, not the delivery of a message), hence the `dotbus.*` names.
 * @returns a function that stops recording and observing
 * @throws {@link InvalidOptionError} for bad buckets, caps or timeout.
 * @example
 * ```ts
 * import { otelMetrics } from 'dotbus/otel';
 * const stop = otelMetrics(bus, { meterProvider }); // e.g. a MeterProvider with an OTLP exporter
 * ```
 */
export function otelMetrics(bus: Subscribable & Partial<StatsSource>, options: OtelMetricsOptions = {}): () => void {
  const buckets = [...(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)];
  if (buckets.length === 0 || !buckets.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]!))) {
    throw new InvalidOptionError('durationBuckets', `must be upper bounds in seconds, positive and increasing, e.g. [0.001, 0.01, 0.1, 1]; got [${buckets.join(', ')}]`);
  }
  const timeoutMs = options.streamsTimeoutMs ?? 2_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidOptionError('streamsTimeoutMs', `must be a positive number of ms, got ${String(timeoutMs)}`);
  const labels = new LabelLimiter(options.labels);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter('dotbus');
  const advice = { explicitBucketBoundaries: buckets };
  const operations = meter.createHistogram('dotbus.operation.duration', { unit: 's', description: 'Duration of operations (performance.operation.complete)', advice });
  const phases = meter.createHistogram('dotbus.phase.duration', { unit: 's', description: 'Duration of phases (performance.phase.complete)', advice });
  const validations = meter.createCounter('dotbus.validations', { unit: '{validation}', description: 'Validation runs that ended (validation.completed, validation.failed)' });
  const errors = meter.createCounter('dotbus.validation.errors', { unit: '{error}', description: 'Failed rules of validation runs that ended' });
  const latest: LatestResources = new Map();
  const record = (histogram: Histogram, seconds: number, attributes: Record<string, string>, tc: TraceContext | undefined): void =>
    histogram.record(seconds, attributes, traceContextOf(tc));
  const stopFeed = feedMeasurements(bus, {
    operation: (l, s, e) => record(operations, s, { 'dotbus.operation.name': l.operation, 'dotbus.phase.name': l.phase, 'dotbus.work.status': l.status }, e.trace),
    phase: (l, s, e) => record(phases, s, { 'dotbus.phase.name': l.phase, 'dotbus.work.status': l.status }, e.trace),
    validation: (l) => validations.add(1, { 'dotbus.validation.subject': l.subject, 'dotbus.validation.status': l.status }),
    validationError: (l) => errors.add(1, { 'dotbus.validation.rule': l.rule, 'dotbus.validation.severity': l.severity }),
    resources: (source, usage) => void latest.set(source, usage),
  }, { labels });
  const stops = [stopFeed, observeResources(meter, latest), observeFolded(meter, labels)];
  if (typeof bus.stats === 'function') stops.push(observeBusCounters(meter, bus as StatsSource));
  if (options.streams !== undefined) {
    const sources = Array.isArray(options.streams) ? (options.streams as readonly StreamGroupSource[]) : [options.streams as StreamGroupSource];
    stops.push(observeStreamGroups(meter, sources, labels, timeoutMs));
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

/** The context to record in: the event's trace when it has one (exemplars), else the active one. */
function traceContextOf(tc: TraceContext | undefined): Context {
  const span = spanContextOf(tc);
  return span === undefined ? context.active() : trace.setSpanContext(ROOT_CONTEXT, span);
}
