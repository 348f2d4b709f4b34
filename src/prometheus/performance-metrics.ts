import { Counter, Gauge, Histogram, Registry, register as defaultRegistry } from 'prom-client';
import type { Subscribable, TraceContext } from '../index.js';
import { InvalidOptionError } from '../internal.js';
import { DEFAULT_DURATION_BUCKETS, feedMeasurements, LabelLimiter, type LabelLimiterOptions, type MeasurementSink } from '../monitoring/index.js';
import type { AnyRegistry } from './any-registry.js';

/** Options of {@link registerPerformanceMetrics}. */
export interface PerformanceMetricsOptions {
  /** Where the metrics go; an OpenMetrics registry also gets exemplars. @default prom-client's global registry */
  readonly registry?: AnyRegistry;
  /** Prefix of every metric name. @default 'dotbus_' */
  readonly prefix?: string;
  /**
   * Upper bounds of the operation-duration buckets, in seconds, increasing.
   * @default `DEFAULT_DURATION_BUCKETS` of `dotbus/monitoring`: 10 µs to 10 s
   */
  readonly operationBuckets?: readonly number[];
  /** Upper bounds of the phase-duration buckets, in seconds, increasing. @default as `operationBuckets` */
  readonly phaseBuckets?: readonly number[];
  /**
   * Caps on the values of each label (`operation`, `phase`, `subject`, `rule`, `source`): past
   * them a value becomes `other`. @default `{ maxValuesPerLabel: 100, maxValueLength: 100 }`
   */
  readonly labels?: LabelLimiterOptions;
}


/** The names this function registers, after the prefix. */
const NAMES = [
  'operation_duration_seconds', 'phase_duration_seconds', 'validations_total', 'validation_errors_total',
  'resource_rss_bytes', 'resource_heap_used_bytes', 'resource_event_loop_delay_seconds', 'label_values_folded_total',
] as const;

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * Turns the performance and validation events of a bus into Prometheus metrics:
 * `dotbus_operation_duration_seconds{operation,phase,status}` and
 * `dotbus_phase_duration_seconds{phase,status}` (histograms), `dotbus_validations_total{subject,status}`
 * and `dotbus_validation_errors_total{rule,severity}` (counters), and the latest
 * `dotbus_resource_rss_bytes`, `…_heap_used_bytes` and `…_event_loop_delay_seconds` per `source`.
 *
 * @remarks Label values are capped per label (see `labels`); values past the cap are
 * reported as `other` and counted in `dotbus_label_values_folded_total{label}`. Ids never become
 * labels. On an OpenMetrics registry (`registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)`) each
 * duration observation of an event carrying a `traceparent` is an exemplar with its `trace_id` and
 * `span_id`. One registration per registry and prefix.
 * @returns a function that unsubscribes and removes the metrics
 * @throws {@link InvalidOptionError} for bad buckets or caps, or when these metrics are registered
 * on the registry with this prefix already.
 * @example
 * ```ts
 * import { registerPerformanceMetrics } from 'dotbus/prometheus';
 * const stop = registerPerformanceMetrics(bus); // GET /metrics → await register.metrics()
 * ```
 */
export function registerPerformanceMetrics(bus: Subscribable, options: PerformanceMetricsOptions = {}): () => void {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? 'dotbus_';
  const labels = new LabelLimiter(options.labels);
  const operationBuckets = buckets('operationBuckets', options.operationBuckets ?? DEFAULT_DURATION_BUCKETS);
  const phaseBuckets = buckets('phaseBuckets', options.phaseBuckets ?? operationBuckets);
  const taken = NAMES.find((n) => registry.getSingleMetric(prefix + n) !== undefined);
  if (taken !== undefined) {
    throw new InvalidOptionError('registry', `${prefix}${taken} is registered on it already: call the function the first registration returned, or pass another \`prefix\``);
  }
  new Counter({
    name: `${prefix}label_values_folded_total`, help: 'Observations whose label value was reported as "other": the label had reached its cap of distinct values, or the value was too long',
    labelNames: ['label'], registers: [registry],
    collect() {
      this.reset();
      for (const [label, n] of labels.folded()) this.inc({ label }, n);
    },
  });
  const stop = feedMeasurements(bus, prometheusSink(registry, prefix, operationBuckets, phaseBuckets), { labels });
  return () => {
    stop();
    for (const n of NAMES) registry.removeSingleMetric(prefix + n);
  };
}

/** The histograms, counters and gauges of {@link registerPerformanceMetrics}, registered, as a sink. */
function prometheusSink(registry: AnyRegistry, prefix: string, operationBuckets: number[], phaseBuckets: number[]): MeasurementSink {
  const registers = [registry];
  const enableExemplars = registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE;
  const operations = new Histogram({
    name: `${prefix}operation_duration_seconds`, help: 'Duration of operations (performance.operation.complete)',
    labelNames: ['operation', 'phase', 'status'], buckets: operationBuckets, registers, enableExemplars,
  });
  const phases = new Histogram({
    name: `${prefix}phase_duration_seconds`, help: 'Duration of phases (performance.phase.complete)',
    labelNames: ['phase', 'status'], buckets: phaseBuckets, registers, enableExemplars,
  });
  const validations = new Counter({ name: `${prefix}validations_total`, help: 'Validation runs that ended (validation.completed, validation.failed)', labelNames: ['subject', 'status'], registers });
  const errors = new Counter({ name: `${prefix}validation_errors_total`, help: 'Failed rules of validation runs that ended', labelNames: ['rule', 'severity'], registers });
  const gauge = (name: string, help: string) => new Gauge({ name: prefix + name, help, labelNames: ['source'], registers });
  const rss = gauge('resource_rss_bytes', 'Resident set size after the latest measured work, by event source');
  const heap = gauge('resource_heap_used_bytes', 'V8 heap in use after the latest measured work, by event source');
  const loopDelay = gauge('resource_event_loop_delay_seconds', 'Mean event-loop delay during the latest measured work, by event source');
  const observe = (histogram: Histogram, l: Record<string, string>, value: number, trace: TraceContext | undefined): void => {
    // With exemplars on, prom-client's observe takes only the object form; no labels, no exemplar.
    if (enableExemplars) histogram.observe({ labels: l, value, exemplarLabels: exemplarOf(trace) ?? {} });
    else histogram.observe(l, value);
  };
  return {
    operation: (l, seconds, e) => observe(operations, { ...l }, seconds, e.trace),
    phase: (l, seconds, e) => observe(phases, { ...l }, seconds, e.trace),
    validation: (l) => validations.inc({ ...l }),
    validationError: (l) => errors.inc({ ...l }),
    resources: (source, usage) => {
      rss.set({ source }, usage.rssBytes);
      heap.set({ source }, usage.heapUsedBytes);
      if (usage.eventLoopDelayMs !== undefined) loopDelay.set({ source }, usage.eventLoopDelayMs / 1000);
    },
  };
}

/** The exemplar labels of an event's trace context, if it has a valid one. */
function exemplarOf(trace: TraceContext | undefined): { trace_id: string; span_id: string } | undefined {
  const m = trace === undefined ? null : TRACEPARENT.exec(trace.traceparent);
  if (m === null || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { trace_id: m[1]!, span_id: m[2]! };
}

function buckets(option: string, bounds: readonly number[]): number[] {
  const ok = bounds.length > 0 && bounds.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > bounds[i - 1]!));
  if (!ok) throw new InvalidOptionError(option, `must be upper bounds in seconds, positive and increasing, e.g. [0.001, 0.01, 0.1, 1]; got [${bounds.join(', ')}]`);
  return [...bounds];
}
