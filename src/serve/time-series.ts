import type { MetricsWindowEvent } from '../index.js';

/** Series for a chart: shared x values (seconds since the epoch) and one y array per series (null: no value then). */
export interface ChartData {
  readonly times: readonly number[];
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
}

/** What one window gives a series: its rate, or one of its quantiles. */
export type WindowValue = (data: MetricsWindowEvent['data']) => number | undefined;

/**
 * The closed windows of one aggregation, kept for the last `keepMs` as chart series: one per group
 * and value (e.g. `parse/fields p95`). Bounded: old windows go, and at most `maxSeries` series are
 * kept (the busiest).
 */
export class TimeSeries {
  /** Window end (s) → series name → value. */
  readonly #points = new Map<number, Map<string, number>>();
  readonly #weight = new Map<string, number>();
  readonly #values: Readonly<Record<string, WindowValue>>;
  readonly #keepMs: number;
  readonly #maxSeries: number;

  constructor(values: Readonly<Record<string, WindowValue>>, keepMs: number, maxSeries: number) {
    this.#values = values;
    this.#keepMs = keepMs;
    this.#maxSeries = maxSeries;
  }

  /** Adds one closed window. */
  add(data: MetricsWindowEvent['data']): void {
    const end = Date.parse(data.end);
    const group = Object.values(data.group).join('/') || data.aggregation;
    let at = this.#points.get(end / 1000);
    if (at === undefined) this.#points.set(end / 1000, (at = new Map()));
    for (const [suffix, value] of Object.entries(this.#values)) {
      const v = value(data);
      if (v === undefined || !Number.isFinite(v)) continue;
      const name = suffix === '' ? group : `${group} ${suffix}`;
      at.set(name, v);
      this.#weight.set(name, (this.#weight.get(name) ?? 0) + data.count);
    }
    this.#prune(end);
  }

  /** The series, oldest window first. */
  chart(): ChartData {
    const times = [...this.#points.keys()].sort((a, b) => a - b);
    const names = [...this.#weight.entries()].sort((a, b) => b[1] - a[1]).slice(0, this.#maxSeries).map(([n]) => n).sort();
    return { times, series: names.map((name) => ({ name, values: times.map((t) => this.#points.get(t)?.get(name) ?? null) })) };
  }

  #prune(newest: number): void {
    const oldest = (newest - this.#keepMs) / 1000;
    for (const t of this.#points.keys()) if (t < oldest) this.#points.delete(t);
    // A series with no point left loses its weight, so the busiest of the kept period win.
    const live = new Set<string>();
    for (const m of this.#points.values()) for (const n of m.keys()) live.add(n);
    for (const n of this.#weight.keys()) if (!live.has(n)) this.#weight.delete(n);
  }
}
