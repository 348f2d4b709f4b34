import { RECEIPT_PROMISE } from '../internal.js';
import type { AnyBusEvent, EventBus, EventSink, MetricsWindowEvent } from '../index.js';
import { WindowAggregator } from '../monitoring/index.js';
import { TimeSeries, type ChartData } from './time-series.js';

/** Options of {@link LiveCharts}. */
export interface LiveChartsOptions {
  /** Length of each (tumbling) window, in ms. @default 5_000 */
  readonly windowMs?: number;
  /** How far back the charts go, in ms. @default 300_000 (5 minutes) */
  readonly keepMs?: number;
  /** Most lines per chart (the busiest are kept). @default 8 */
  readonly maxSeries?: number;
}

/** The charts' data: events per second per type, and duration quantiles per operation and phase. */
export interface ChartsView {
  readonly rates: ChartData;
  readonly durations: ChartData;
}

/**
 * Rates per event type and p50/p95/p99 durations per operation and phase, from two
 * {@link WindowAggregator}s on the bus whose windows go to in-process series (never back to the
 * bus, where other processes would see them).
 */
export class LiveCharts {
  readonly #rates: TimeSeries;
  readonly #durations: TimeSeries;
  readonly #aggregators: WindowAggregator[];

  constructor(bus: EventBus<AnyBusEvent>, options: LiveChartsOptions = {}) {
    const windowMs = options.windowMs ?? 5_000;
    const keepMs = options.keepMs ?? 300_000;
    const maxSeries = options.maxSeries ?? 8;
    this.#rates = new TimeSeries({ '': (d) => d.rate }, keepMs, maxSeries);
    this.#durations = new TimeSeries({ p50: (d) => d.quantiles?.['p50'], p95: (d) => d.quantiles?.['p95'], p99: (d) => d.quantiles?.['p99'] }, keepMs, maxSeries * 3);
    this.#aggregators = [
      new WindowAggregator(bus, '*', { name: 'rates', publisher: sinkInto(this.#rates), groupBy: ['eventType'], windowMs, maxGroups: 200 }),
      new WindowAggregator(bus, 'performance.operation.complete', {
        name: 'durations', publisher: sinkInto(this.#durations), value: 'data.durationMs', groupBy: ['data.operation', 'data.phase'], windowMs, maxGroups: 200,
      }),
    ];
  }

  view(): ChartsView {
    return { rates: this.#rates.chart(), durations: this.#durations.chart() };
  }

  async close(): Promise<void> {
    await Promise.all(this.#aggregators.map((a) => a.close()));
  }
}

function sinkInto(series: TimeSeries): EventSink<MetricsWindowEvent> {
  return {
    enabled: true,
    publish(event) {
      series.add(event.data);
      return RECEIPT_PROMISE.accepted;
    },
  };
}
