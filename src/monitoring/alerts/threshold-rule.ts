import type { AnyBusEvent } from '../../index.js';
import { valueReader, type FieldReader } from '../aggregation/field-path.js';
import { GroupTable } from '../aggregation/group-table.js';
import { paneAt } from '../aggregation/group-windows.js';
import type { Pane } from '../aggregation/pane.js';
import { PanePool } from '../aggregation/pane-pool.js';
import { aggregateOf } from './aggregate-of.js';
import { AlertBook, type ChangeListener } from './alert-book.js';
import { GroupLabels } from './group-labels.js';
import { SharedGroups, type GroupRow } from './shared-groups.js';
import { StepCountTable } from './step-counts.js';
import { CountingGroup, type Group } from './threshold-group.js';
import type { RuleRuntime, RuleState } from './rule-runtime.js';
import type { ThresholdSpec } from './rule-spec.js';

/** Accuracy of the quantile sketches of threshold windows (as the aggregator's default). */
const SKETCH = { relativeAccuracy: 0.01, maxBuckets: 2_048 } as const;

/** The groups of threshold rules that share their `groupBy` paths (see {@link SharedGroups}). */
export type ThresholdGroups = SharedGroups<Group>;

/**
 * A threshold over a window aggregate, per group, built on the aggregator's parts: the events of
 * one step (`every`) of one group go into one pane (a count and a quantile sketch), and at each
 * step's end the rule merges the panes of the last `window` and judges the aggregate.
 *
 * @remarks Judged at step ends only (as Prometheus judges at each evaluation), so the cost per
 * event is one pane update whatever the window; state changes happen at step ends, or at the end
 * of `for` / `keepFiringFor`. Session windows are judged when a group's session ends (`window` of
 * silence) and the judgement stands until its next session ends. Hysteresis: an alert whose
 * condition holds keeps it until the aggregate crosses the resolve threshold.
 */
export class ThresholdRule implements RuleRuntime {
  readonly name: string;
  readonly patterns: readonly string[];
  seen = 0;
  readonly #spec: ThresholdSpec;
  readonly #book: AlertBook;
  readonly #labels: GroupLabels;
  readonly #value: FieldReader | undefined;
  readonly #groups: GroupTable<string | undefined, Group>;
  readonly #shared: ThresholdGroups;
  readonly #slot: number;
  readonly #pool: PanePool;
  /** The groups' counts per step, when they count (`count`, `rate`) rather than keep panes. */
  readonly #counts: StepCountTable | undefined;
  /** Open sessions in order of their last event: the first ends first (session windows). */
  readonly #sessions = new Map<string | undefined, Group>();
  #nextStep = Infinity;
  /**
   * The step event time started in: step counts are kept relative to it. Epoch steps
   * (`⌊time / every⌋`) are past V8's small-integer range, so each one handed to the counts was a
   * heap-allocated number, per rule and per event; relative ones are small integers.
   */
  #origin = 0;
  #evicted = 0;
  #skipped = 0;

  /** `shared`: the groups of the engine's other rules with the same `groupBy` (one key lookup per event for them all). */
  constructor(spec: ThresholdSpec, listener: ChangeListener, shared: ThresholdGroups = new SharedGroups(spec.groupBy)) {
    this.#spec = spec;
    this.name = spec.name;
    this.patterns = [spec.pattern];
    this.#labels = new GroupLabels(spec.groupBy);
    this.#value = spec.value === undefined ? undefined : valueReader(spec.value);
    this.#groups = new GroupTable(spec.maxGroups);
    this.#shared = shared;
    this.#slot = shared.slot();
    this.#pool = new PanePool(this.#value === undefined ? undefined : SKETCH);
    const countsOnly = (spec.aggregate === 'count' || spec.aggregate === 'rate') && spec.windowType !== 'session';
    this.#counts = countsOnly ? new StepCountTable(spec.windowMs / spec.everyMs) : undefined;
    const unit = spec.aggregate === 'rate' ? '/s' : '';
    const opposite = spec.direction === 'above' ? 'below' : 'above';
    // What #judge resolves at: past the resolve threshold with hysteresis, back to the firing one without.
    const resolves = spec.hysteresis ? `resolves ${opposite} ${spec.resolveAt}` : `resolves at or ${opposite} ${spec.fireAt}`;
    this.#book = new AlertBook(spec, spec.forMs, listener, (state, _labels, value) =>
      `${spec.name}: ${spec.aggregate}${spec.value === undefined ? '' : ` of ${spec.value}`} ${value === null ? 'has no value' : `is ${round(value)}${unit}`} (${state === 'resolved' ? resolves : `fires ${spec.direction} ${spec.fireAt}`})`,
    );
  }

  start(time: number): void {
    this.#origin = Math.floor(time / this.#spec.everyMs);
  }

  /** @returns `true` only when the event starts the steps (the first since the rule had no group) or moves a session window. */
  accept(event: AnyBusEvent, time: number): boolean {
    const spec = this.#spec;
    if (spec.where !== undefined && !spec.where(event)) return false;
    this.seen++;
    let value = 0;
    if (this.#value !== undefined) {
      const v = this.#value(event);
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.#skipped++;
        return false;
      }
      value = v;
    }
    const counts = this.#counts;
    if (counts !== undefined) {
      const row = this.#shared.row(event);
      let ring = row.tags[this.#slot];
      if (ring === undefined || ring < 0) ring = this.#newGroup(event, row).ring!;
      else counts.touch(ring);
      const step = Math.floor(time / spec.everyMs) - this.#origin;
      counts.add(ring, step);
      if (this.#nextStep !== Infinity) return false;
      this.#nextStep = (step + this.#origin + 1) * spec.everyMs;
      return true;
    }
    return this.#addToPane(event, time, value);
  }

  /**
   * Adds an event to its group's pane (rules that keep panes). Apart from {@link accept} so that
   * the counting path stays small enough for V8 to inline into the engine's loop: called, it
   * would take each event's time as a new heap number, per rule and per event.
   */
  #addToPane(event: AnyBusEvent, time: number, value: number): boolean {
    const spec = this.#spec;
    const group = this.#groupOf(event);
    let moved = false;
    let pane: Pane;
    if (spec.windowType === 'session') {
      pane = group.panes[0] ?? (group.panes[0] = this.#pool.take(time));
      group.last = time;
      this.#sessions.delete(group.key); // to the back: sessions stay in order of their end
      this.#sessions.set(group.key, group);
      moved = true;
    } else {
      const step = spec.everyMs;
      const start = Math.floor(time / step) * step;
      pane = paneAt(group.panes, start, this.#pool);
      if (this.#nextStep === Infinity) {
        this.#nextStep = start + step;
        moved = true;
      }
    }
    pane.count++;
    if (pane.sketch !== undefined) pane.sketch.add(value);
    return moved;
  }

  nextWake(): number {
    let next = this.#book.nextWake();
    if (this.#spec.windowType === 'session') {
      for (const g of this.#sessions.values()) {
        next = Math.min(next, g.last + this.#spec.windowMs);
        break;
      }
      return next;
    }
    return Math.min(next, this.#nextStep);
  }

  wake(time: number): void {
    // Judge first: a condition that cleared at this step end must not fire by its `for` now.
    if (this.#spec.windowType === 'session') this.#endSessions(time);
    else if (time >= this.#nextStep) this.#judgeStep(this.#nextStep);
    this.#book.wake(time);
  }

  state(): RuleState {
    return this.#book.stateOf(this, 'threshold', { skipped: this.#skipped, groups: this.#groups.size, evicted: this.#evicted, timedOut: 0 });
  }

  /** Judges every group over the window ending at `end`, then drops the panes no later window needs. */
  #judgeStep(end: number): void {
    const { windowMs, everyMs } = this.#spec;
    const from = end - windowMs;
    for (const group of this.#groups.values()) {
      const key = group.key;
      if (group.ring !== undefined) {
        const counts = this.#counts!;
        const count = counts.windowBefore(group.ring, end / everyMs - this.#origin);
        this.#judge(group, this.#spec.aggregate === 'count' ? count : (count * 1000) / windowMs, end);
        if (counts.total(group.ring) === 0 && !this.#book.has(key)) this.#drop(group);
        continue;
      }
      const panes = group.panes;
      let merged: Pane | undefined;
      let first = 0;
      while (first < panes.length && panes[first]!.start < from) first++;
      let last = first;
      while (last < panes.length && panes[last]!.start < end) last++;
      if (last - first === 1) merged = panes[first];
      else if (last - first > 1) {
        merged = this.#pool.take(from);
        for (let i = first; i < last; i++) merged.merge(panes[i]!);
      }
      this.#judge(group, aggregateOf(this.#spec.aggregate, merged, windowMs), end);
      if (merged !== undefined && merged !== panes[first]) this.#pool.give([merged]);
      let done = 0;
      while (done < panes.length && panes[done]!.start < from + everyMs) done++;
      if (done > 0) this.#pool.give(panes.splice(0, done));
      if (panes.length === 0 && !this.#book.has(key)) this.#drop(group);
    }
    this.#nextStep = this.#groups.size === 0 ? Infinity : end + everyMs;
  }

  #endSessions(time: number): void {
    for (const group of this.#sessions.values()) {
      const end = group.last + this.#spec.windowMs;
      if (end > time) break;
      this.#sessions.delete(group.key);
      const pane = group.panes.pop()!;
      this.#judge(group, aggregateOf(this.#spec.aggregate, pane, end - pane.start), end);
      this.#pool.give([pane]);
      if (!this.#book.has(group.key)) this.#drop(group);
    }
  }

  /** Hysteresis: an alert whose condition holds keeps it until the value crosses the resolve threshold. */
  #judge(group: Group, value: number | undefined, time: number): void {
    const { direction, fireAt, resolveAt, hysteresis } = this.#spec;
    // Without a resolve threshold the condition is the firing one: `above: 0` resolves at 0.
    const holds = hysteresis && this.#book.holds(group.key);
    let active = false;
    if (value !== undefined) {
      if (direction === 'above') active = holds ? !(value < resolveAt) : value > fireAt;
      else active = holds ? !(value > resolveAt) : value < fireAt;
    }
    this.#book.update(group.key, group.labels, active, value ?? null, time);
  }

  #groupOf(event: AnyBusEvent): Group {
    const row = this.#shared.row(event);
    const group = row.groups[this.#slot];
    if (group === undefined) return this.#newGroup(event, row);
    group.touched = true;
    return group;
  }

  #newGroup(event: AnyBusEvent, row: GroupRow<Group>): Group {
    const key = row.key;
    const labels = this.#labels.labels(event);
    const counts = this.#counts;
    const group: Group = counts === undefined ? { key, row, labels, panes: [], ring: undefined, last: 0, touched: false } : new CountingGroup(key, row, labels, counts.open(), counts);
    this.#groups.add(key, group, this.#evict);
    this.#shared.fill(row, this.#slot, group, group.ring ?? -1);
    return group;
  }

  /**
   * Made once, not in {@link #newGroup}: a method holding a closure that captures `this`
   * allocates a context on every call, even on a path that never makes the closure, and the
   * group lookup (once per rule and per event) once held this callback.
   */
  readonly #evict = (evicted: Group): void => {
    this.#evicted++;
    this.#sessions.delete(evicted.key);
    this.#pool.give(evicted.panes.splice(0));
    if (evicted.ring !== undefined) this.#counts!.close(evicted.ring);
    this.#shared.clear(evicted.row, this.#slot);
  };

  #drop(group: Group): void {
    this.#groups.delete(group.key);
    if (group.ring !== undefined) this.#counts!.close(group.ring);
    this.#shared.clear(group.row, this.#slot);
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
