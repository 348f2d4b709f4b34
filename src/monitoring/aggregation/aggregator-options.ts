import type { AnyBusEvent, ErrorHook, EventSink, MetricsWindowEvent } from '../../index.js';
import { InvalidOptionError } from '../../internal.js';
import type { GroupPath, ValuePath } from './field-path.js';

/** Options of {@link WindowAggregator}, for the events `E` its pattern matches. */
export interface WindowAggregatorOptions<E extends AnyBusEvent = AnyBusEvent> {
  /** Name of the aggregation, in every window it publishes (`data.aggregation`). */
  readonly name: string;
  /** Where `metrics.window.closed` events go (usually the bus the aggregator reads). */
  readonly publisher: EventSink<MetricsWindowEvent>;
  /**
   * The number to aggregate: a path such as `'data.durationMs'`, or a function. Events without a
   * finite number there are skipped (`stats().skipped`). Omit it to count events only (count and
   * rate, no sum, extremes, mean or quantiles).
   * @default none
   */
  readonly value?: ValuePath<E> | ((event: E) => number | undefined);
  /**
   * Paths whose values make a group, e.g. `['data.operation', 'data.phase']`; each group gets its
   * own windows. Values are compared as strings; a path an event lacks (or that holds no string,
   * number or boolean) is left out of its group's key.
   * @default [] (one group)
   */
  readonly groupBy?: readonly GroupPath<E>[];
  /** Length of a window, in whole ms of event time. Windows are aligned on multiples of `slideMs` since the epoch. */
  readonly windowMs: number;
  /**
   * How far consecutive windows start apart, in ms; `windowMs` must be a multiple of it. Less than
   * `windowMs` gives sliding (overlapping) windows, each event counting in `windowMs / slideMs` of them.
   * @default windowMs (tumbling windows)
   */
  readonly slideMs?: number;
  /**
   * How far behind the newest event time an event may be and still count, in ms. The watermark is
   * the newest event time minus this; a window closes once the watermark passes its end, and an
   * event older than the watermark is late: counted (`stats().late`), never merged.
   * @default 1_000
   */
  readonly allowedLatenessMs?: number;
  /**
   * After this long without events (wall clock, ms), the watermark moves on with the clock from
   * where events left it, as if event time went on: windows of a quiet stream still close, about
   * `allowedLatenessMs` plus one check after their end, and events that resume on time are not
   * late. Checked every `min(idleFlushMs, slideMs)` ms. `0` turns it off (replays: only events and
   * `close()` close windows).
   * @default 1_000
   */
  readonly idleFlushMs?: number;
  /**
   * Most groups with open windows; a new group beyond it evicts the least recently updated one
   * (second-chance order), whose open windows are discarded and counted (`stats().evictedGroups`).
   * @default 1_000
   */
  readonly maxGroups?: number;
  /** Quantiles to publish, each in [0, 1]; keys are `p50`, `p95`, `p99`, `p99.9`, … @default [0.5, 0.95, 0.99] */
  readonly quantiles?: readonly number[];
  /** Relative error bound of every quantile, in (0, 0.5]. @default 0.01 (1 %) */
  readonly relativeAccuracy?: number;
  /** Buckets per sign in each quantile sketch (memory: 8 bytes each), at least 16. @default 2_048 */
  readonly maxBuckets?: number;
  /**
   * Events more than this ahead of the clock (ms) are refused and counted (`stats().future`): one
   * producer with a clock running ahead would otherwise push the watermark on and make everyone
   * else's events late.
   * @default 60_000
   */
  readonly maxFutureMs?: number;
  /** `source` of the published events. @default '/dotbus/aggregation' */
  readonly eventSource?: string;
  /** Where failures to build a window event go (e.g. a sum that overflowed). @default a rate-limited process warning */
  readonly onError?: ErrorHook;
  /** Wall clock, in ms (idle flush, `maxFutureMs`). @default Date.now */
  readonly now?: () => number;
}

/** The options, checked, with every default filled in. */
export interface AggregatorSettings {
  readonly name: string;
  readonly windowMs: number;
  readonly slideMs: number;
  readonly allowedLatenessMs: number;
  readonly idleFlushMs: number;
  readonly maxGroups: number;
  readonly quantiles: readonly number[];
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  readonly maxFutureMs: number;
  readonly eventSource: string;
}

/** Most panes a group may hold, `(windowMs + allowedLatenessMs) / slideMs`: bounds memory per group. */
export const MAX_PANES = 1_000;
/** Most quantiles per aggregation. */
const MAX_QUANTILES = 16;

/**
 * Checks the options and fills in the defaults.
 * @throws {@link InvalidOptionError} naming the option and what to change.
 */
export function aggregatorSettings(options: Omit<WindowAggregatorOptions, 'value' | 'groupBy'>): AggregatorSettings {
  if (typeof options.name !== 'string' || options.name === '') throw new InvalidOptionError('name', 'give the aggregation a non-empty name');
  const windowMs = wholeMs('windowMs', options.windowMs);
  const slideMs = wholeMs('slideMs', options.slideMs ?? windowMs);
  if (slideMs > windowMs || !Number.isInteger(windowMs / slideMs)) {
    throw new InvalidOptionError('slideMs', `windowMs (${windowMs}) must be a whole multiple of slideMs (${slideMs})`);
  }
  const allowedLatenessMs = atLeastZero('allowedLatenessMs', options.allowedLatenessMs ?? 1_000);
  if ((windowMs + allowedLatenessMs) / slideMs > MAX_PANES) {
    throw new InvalidOptionError('slideMs', `(windowMs + allowedLatenessMs) / slideMs must be at most ${MAX_PANES}: raise slideMs`);
  }
  const quantiles = options.quantiles ?? [0.5, 0.95, 0.99];
  if (quantiles.length > MAX_QUANTILES || !quantiles.every((q) => q >= 0 && q <= 1)) {
    throw new InvalidOptionError('quantiles', `give at most ${MAX_QUANTILES} numbers in [0, 1], e.g. [0.5, 0.95, 0.99]`);
  }
  const relativeAccuracy = options.relativeAccuracy ?? 0.01;
  if (!(relativeAccuracy > 0 && relativeAccuracy <= 0.5)) throw new InvalidOptionError('relativeAccuracy', 'must be in (0, 0.5], e.g. 0.01 for 1 %');
  const maxBuckets = options.maxBuckets ?? 2_048;
  if (!(Number.isInteger(maxBuckets) && maxBuckets >= 16)) throw new InvalidOptionError('maxBuckets', 'must be an integer ≥ 16');
  const maxGroups = options.maxGroups ?? 1_000;
  if (!(Number.isInteger(maxGroups) && maxGroups >= 1)) throw new InvalidOptionError('maxGroups', 'must be an integer ≥ 1');
  return {
    name: options.name,
    windowMs,
    slideMs,
    allowedLatenessMs,
    idleFlushMs: finite('idleFlushMs', atLeastZero('idleFlushMs', options.idleFlushMs ?? 1_000)),
    maxGroups,
    quantiles: [...quantiles],
    relativeAccuracy,
    maxBuckets,
    maxFutureMs: atLeastZero('maxFutureMs', options.maxFutureMs ?? 60_000),
    eventSource: options.eventSource ?? '/dotbus/aggregation',
  };
}

/** The key a quantile is published under: 0.5 → `p50`, 0.999 → `p99.9`. */
export function quantileKey(q: number): string {
  return `p${Number((q * 100).toFixed(6))}`;
}

function wholeMs(option: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new InvalidOptionError(option, `must be a whole number of ms ≥ 1, got ${value}`);
  return value;
}

function finite(option: string, value: number): number {
  if (!Number.isFinite(value)) throw new InvalidOptionError(option, 'must be finite (0 turns it off)');
  return value;
}

function atLeastZero(option: string, value: number): number {
  if (!(value >= 0)) throw new InvalidOptionError(option, `must be a number of ms ≥ 0, got ${value}`);
  return value;
}
