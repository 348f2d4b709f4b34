import { parsePattern, type AnyBusEvent, type CompiledPattern } from '../../index.js';
import type { AlertLabels } from './alert-change.js';
import { AlertBook, type ChangeListener } from './alert-book.js';
import { GroupLabels } from './group-labels.js';
import type { RuleRuntime, RuleState } from './rule-runtime.js';
import type { SequenceSpec } from './rule-spec.js';

interface Partial {
  readonly key: string | undefined;
  readonly labels: AlertLabels;
  readonly start: number;
  step: number;
  count: number;
}

/**
 * A sequence of steps per correlation key, completed `within` a time: fires when it completes.
 *
 * @remarks One partial sequence per key, started by an event of the first step; events that match
 * no awaited step are passed over (skip-till-next-match), so a retry in between does not break a
 * sequence. A partial that runs past `within` is dropped (counted as timed out) and the next event
 * of the first step starts a new one. Partials are kept in order of their start (insertion order,
 * since events arrive in event-time order), so expiry looks at the first one only; at most
 * `maxGroups` of them, the oldest evicted beyond (counted).
 */
export class SequenceRule implements RuleRuntime {
  readonly name: string;
  readonly patterns: readonly string[];
  seen = 0;
  readonly #spec: SequenceSpec;
  readonly #book: AlertBook;
  readonly #labels: GroupLabels;
  readonly #steps: readonly { readonly pattern: CompiledPattern; readonly times: number; readonly where: SequenceSpec['steps'][number]['where'] }[];
  readonly #partials = new Map<string | undefined, Partial>();
  #evicted = 0;
  #timedOut = 0;

  constructor(spec: SequenceSpec, listener: ChangeListener) {
    this.#spec = spec;
    this.name = spec.name;
    this.patterns = [...new Set(spec.steps.map((s) => s.pattern))];
    this.#labels = new GroupLabels(spec.correlate);
    this.#steps = spec.steps.map((s) => ({ pattern: parsePattern(s.pattern), times: s.times, where: s.where }));
    this.#book = new AlertBook(spec, 0, listener, (state, _labels, value) =>
      state === 'resolved' ? `${spec.name}: sequence alert over` : `${spec.name}: sequence of ${spec.steps.length} step(s) completed in ${value} ms`,
    );
  }

  start(): void {}

  accept(event: AnyBusEvent, time: number): boolean {
    this.#take(event, time);
    return true; // any event may move the next wake-up earlier
  }

  #take(event: AnyBusEvent, time: number): void {
    if (!this.#labels.complete(event)) return;
    this.seen++;
    const key = this.#labels.key(event);
    let partial = this.#partials.get(key);
    if (partial !== undefined && time - partial.start > this.#spec.withinMs) {
      this.#partials.delete(key);
      this.#timedOut++;
      partial = undefined;
    }
    if (partial === undefined) {
      if (!this.#matches(0, event)) return;
      if (this.#partials.size >= this.#spec.maxGroups) {
        this.#partials.delete(this.#partials.keys().next().value);
        this.#evicted++;
      }
      partial = { key, labels: this.#labels.labels(event), start: time, step: 0, count: 0 };
      this.#partials.set(key, partial);
    } else if (!this.#matches(partial.step, event)) {
      return;
    }
    if (++partial.count < this.#steps[partial.step]!.times) return;
    partial.step++;
    partial.count = 0;
    if (partial.step < this.#steps.length) return;
    this.#partials.delete(key);
    this.#book.pulse(key, partial.labels, time - partial.start, time);
  }

  nextWake(): number {
    let next = this.#book.nextWake();
    for (const p of this.#partials.values()) {
      next = Math.min(next, p.start + this.#spec.withinMs + 1);
      break;
    }
    return next;
  }

  wake(time: number): void {
    for (const p of this.#partials.values()) {
      if (time - p.start <= this.#spec.withinMs) break;
      this.#partials.delete(p.key);
      this.#timedOut++;
    }
    this.#book.wake(time);
  }

  state(): RuleState {
    return this.#book.stateOf(this, 'sequence', { skipped: 0, groups: this.#partials.size, evicted: this.#evicted, timedOut: this.#timedOut });
  }

  #matches(step: number, event: AnyBusEvent): boolean {
    const s = this.#steps[step]!;
    return s.pattern.matches(event.eventType) && (s.where === undefined || s.where(event));
  }
}
