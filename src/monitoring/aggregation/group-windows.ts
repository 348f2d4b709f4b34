import type { Pane } from './pane.js';
import type { PanePool } from './pane-pool.js';

/*
 * One group's panes, ascending by start, and the windows made of them. A window ending at `end`
 * is the union of the panes starting in `[end − windowMs, end)`.
 */

/** The pane starting at `start` in `panes`, inserted in order if needed (usually it is the newest). */
export function paneAt(panes: Pane[], start: number, pool: PanePool): Pane {
  let i = panes.length - 1;
  while (i >= 0 && panes[i]!.start > start) i--;
  if (i >= 0 && panes[i]!.start === start) return panes[i]!;
  const pane = pool.take(start);
  panes.splice(i + 1, 0, pane);
  return pane;
}

/** The window sizes, in ms; `windowMs` is a multiple of `slideMs`, pane starts are multiples of `slideMs`. */
export interface WindowShape {
  readonly windowMs: number;
  readonly slideMs: number;
}

/**
 * Hands each non-empty window ending in `(after, until]` to `emit` (in order of end; the pane it
 * gets is only valid during the call), then removes and pools the panes that no open window needs.
 */
export function closeWindows(panes: Pane[], shape: WindowShape, after: number, until: number, pool: PanePool, emit: (end: number, window: Pane) => void): void {
  const { windowMs, slideMs } = shape;
  if (panes.length === 0) return;
  const last = Math.min(until, panes[panes.length - 1]!.start + windowMs);
  let end = Math.max(after + slideMs, panes[0]!.start + slideMs);
  let first = 0;
  while (end <= last) {
    while (first < panes.length && panes[first]!.start < end - windowMs) first++;
    if (first === panes.length) break;
    if (panes[first]!.start >= end) {
      end = panes[first]!.start + slideMs; // no pane in this window: on to the first window that has one
      continue;
    }
    if (first + 1 < panes.length && panes[first + 1]!.start < end) {
      const merged = pool.take(end - windowMs);
      for (let i = first; i < panes.length && panes[i]!.start < end; i++) merged.merge(panes[i]!);
      if (merged.count > 0) emit(end, merged);
      pool.give([merged]);
    } else if (panes[first]!.count > 0) {
      emit(end, panes[first]!); // a window of one pane (always, for tumbling windows): no copy
    }
    end += slideMs;
  }
  let done = 0;
  while (done < panes.length && panes[done]!.start + windowMs <= until) done++;
  pool.give(panes.splice(0, done));
}
