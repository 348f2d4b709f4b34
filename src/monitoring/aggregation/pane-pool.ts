import { Pane } from './pane.js';
import { QuantileSketch } from './quantile-sketch.js';

/** Spare panes kept for reuse, so closing windows does not churn sketches through the GC. */
const MAX_SPARE_PANES = 256;

/** Panes of one aggregation: new ones, or ones whose windows all closed, emptied for reuse. */
export class PanePool {
  readonly #spare: Pane[] = [];

  /** @param sketch - accuracy and cap of each pane's sketch; `undefined` for an aggregation that only counts */
  constructor(readonly sketch: { readonly relativeAccuracy: number; readonly maxBuckets: number } | undefined) {}

  /** An empty pane starting at `start`. */
  take(start: number): Pane {
    const spare = this.#spare.pop();
    if (spare !== undefined) return spare.reset(start);
    const s = this.sketch;
    return new Pane(s === undefined ? undefined : new QuantileSketch(s.relativeAccuracy, s.maxBuckets)).reset(start);
  }

  /** Takes back panes no window needs any more (beyond the spare cap they are left to the GC). */
  give(panes: readonly Pane[]): void {
    for (let i = 0; i < panes.length && this.#spare.length < MAX_SPARE_PANES; i++) this.#spare.push(panes[i]!);
  }
}
