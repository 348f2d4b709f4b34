import type { MetricsWindowEvent } from '../../index.js';
import { formatIsoTime } from '../../internal.js';
import type { AggregatorSettings } from './aggregator-options.js';
import type { Pane } from './pane.js';

/** What every window of one aggregation shares. */
export interface WindowContext {
  readonly settings: AggregatorSettings;
  readonly pattern: string;
  /** The value's path, when it was given as one. */
  readonly field: string | undefined;
  /** Keys of the published quantiles, in the order of `settings.quantiles`. */
  readonly quantileKeys: readonly string[];
}

/** Counters of one aggregation, copied into each window it publishes. */
export interface WindowTotals {
  readonly lateEvents: number;
  readonly futureEvents: number;
  readonly evictedGroups: number;
}

/** The data of the `metrics.window.closed` event of the window `[end − windowMs, end)`, merged into `pane`. */
export function windowData(
  context: WindowContext,
  group: Readonly<Record<string, string>>,
  end: number,
  pane: Pane,
  totals: WindowTotals,
): MetricsWindowEvent['data'] {
  const { windowMs, slideMs, name } = context.settings;
  // Optional members are assigned, not spread: one object shape per aggregation keeps this cheap.
  const data: { -readonly [K in keyof MetricsWindowEvent['data']]: MetricsWindowEvent['data'][K] } = {
    aggregation: name,
    pattern: context.pattern,
    group,
    start: formatIsoTime(end - windowMs),
    end: formatIsoTime(end),
    windowMs,
    slideMs,
    count: pane.count,
    rate: (pane.count * 1000) / windowMs,
    lateEvents: totals.lateEvents,
    futureEvents: totals.futureEvents,
    evictedGroups: totals.evictedGroups,
  };
  if (context.field !== undefined) data.field = context.field;
  const sketch = pane.sketch;
  if (sketch !== undefined) {
    data.sum = sketch.sum;
    data.min = sketch.min;
    data.max = sketch.max;
    data.mean = sketch.sum / sketch.count;
    const values = sketch.quantiles(context.settings.quantiles);
    const quantiles: Record<string, number> = {};
    for (let i = 0; i < values.length; i++) quantiles[context.quantileKeys[i]!] = values[i]!;
    data.quantiles = quantiles;
    data.relativeAccuracy = sketch.relativeAccuracy;
  }
  return data;
}
