import type { Pane } from '../aggregation/pane.js';
import type { ThresholdAggregate } from './rule-options.js';

const QUANTILE: Partial<Record<ThresholdAggregate, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/**
 * The aggregate of the events in `pane` (a window's panes merged), over a window of `spanMs`;
 * `undefined` when there is no value to judge (an empty window has a count and a rate of 0, a
 * sum of 0, but no mean, extremes or quantiles).
 */
export function aggregateOf(aggregate: ThresholdAggregate, pane: Pane | undefined, spanMs: number): number | undefined {
  const count = pane?.count ?? 0;
  if (aggregate === 'count') return count;
  if (aggregate === 'rate') return (count * 1000) / spanMs;
  const sketch = pane?.sketch;
  if (aggregate === 'sum') return sketch?.sum ?? 0;
  if (sketch === undefined || sketch.count === 0) return undefined;
  switch (aggregate) {
    case 'min':
      return sketch.min;
    case 'max':
      return sketch.max;
    case 'mean':
      return sketch.sum / sketch.count;
    default:
      return sketch.quantile(QUANTILE[aggregate]!);
  }
}
