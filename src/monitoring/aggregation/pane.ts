import type { QuantileSketch } from './quantile-sketch.js';

/**
 * What the events of one group added during one slide of event time, `[start, start + slideMs)`.
 * A window is the union of `windowMs / slideMs` consecutive panes, so each event is added once
 * however many sliding windows it belongs to.
 */
export class Pane {
  start = 0;
  count = 0;
  /** Present when the aggregation reads a value. */
  readonly sketch: QuantileSketch | undefined;

  constructor(sketch: QuantileSketch | undefined) {
    this.sketch = sketch;
  }

  /** Adds `other` to this pane (for a window made of several panes). */
  merge(other: Pane): void {
    this.count += other.count;
    if (this.sketch !== undefined && other.sketch !== undefined) this.sketch.merge(other.sketch);
  }

  /** Empties the pane for reuse at `start`. */
  reset(start: number): this {
    this.start = start;
    this.count = 0;
    this.sketch?.clear();
    return this;
  }
}
