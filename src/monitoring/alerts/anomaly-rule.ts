import type { AnyBusEvent } from '../../index.js';
import { valueReader } from '../aggregation/field-path.js';
import { GroupTable } from '../aggregation/group-table.js';
import type { AlertLabels } from './alert-change.js';
import { AlertBook, type ChangeListener } from './alert-book.js';
import { GroupLabels } from './group-labels.js';
import type { RuleRuntime, RuleState } from './rule-runtime.js';
import type { AnomalySpec } from './rule-spec.js';
import { RunningStats } from './running-stats.js';

interface Group {
  readonly labels: AlertLabels;
  readonly stats: RunningStats;
  touched: boolean;
}

/**
 * A value far off its running baseline, per group: more than `zScore` standard deviations (and
 * more than `minDeviation`) from its exponentially weighted mean, once `minSamples` values are in.
 * Judged at each event; the next normal value clears the condition. Memory: three numbers per
 * group, at most `maxGroups` groups (second-chance eviction, counted).
 */
export class AnomalyRule implements RuleRuntime {
  readonly name: string;
  readonly patterns: readonly string[];
  seen = 0;
  readonly #spec: AnomalySpec;
  readonly #book: AlertBook;
  readonly #labels: GroupLabels;
  readonly #value: (event: AnyBusEvent) => unknown;
  readonly #groups: GroupTable<string | undefined, Group>;
  #evicted = 0;
  #skipped = 0;

  constructor(spec: AnomalySpec, listener: ChangeListener) {
    this.#spec = spec;
    this.name = spec.name;
    this.patterns = [spec.pattern];
    this.#labels = new GroupLabels(spec.groupBy);
    this.#value = typeof spec.value === 'string' ? valueReader(spec.value) : spec.value;
    this.#groups = new GroupTable(spec.maxGroups);
    this.#book = new AlertBook(spec, spec.forMs, listener, (state, _labels, value) =>
      state === 'resolved' ? `${spec.name}: back within ${spec.zScore} standard deviations (${value})` : `${spec.name}: ${value} is more than ${spec.zScore} standard deviations off the running mean`,
    );
  }

  start(): void {}

  accept(event: AnyBusEvent, time: number): boolean {
    this.#take(event, time);
    return true; // any event may move the next wake-up earlier
  }

  #take(event: AnyBusEvent, time: number): void {
    const spec = this.#spec;
    if (spec.where !== undefined && !spec.where(event)) return;
    const x = this.#value(event);
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      this.#skipped++;
      return;
    }
    this.seen++;
    const key = this.#labels.key(event);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { labels: this.#labels.labels(event), stats: new RunningStats(spec.alpha), touched: false };
      this.#groups.add(key, group, () => this.#evicted++);
    }
    const stats = group.stats;
    const z = stats.zScore(x);
    const off = stats.samples >= spec.minSamples && Math.abs(z) > spec.zScore && Math.abs(x - stats.mean) > spec.minDeviation;
    stats.add(x);
    this.#book.update(key, group.labels, off, x, time);
  }

  nextWake(): number {
    return this.#book.nextWake();
  }

  wake(time: number): void {
    this.#book.wake(time);
  }

  state(): RuleState {
    return this.#book.stateOf(this, 'anomaly', { skipped: this.#skipped, groups: this.#groups.size, evicted: this.#evicted, timedOut: 0 });
  }
}
