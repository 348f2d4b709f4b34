import { parsePattern, type AnyBusEvent, type CompiledPattern } from '../../index.js';
import type { AlertLabels } from './alert-change.js';
import { AlertBook, type ChangeListener } from './alert-book.js';
import { GroupLabels } from './group-labels.js';
import type { RuleRuntime, RuleState } from './rule-runtime.js';
import type { AbsenceSpec } from './rule-spec.js';

interface Wait {
  readonly key: string | undefined;
  readonly labels: AlertLabels;
  /** When the wait started: the event of the pattern, or the last event of the group. */
  readonly since: number;
}

/**
 * An expected event that did not come.
 *
 * @remarks With `expect`: an event of `pattern` starts a wait for its correlation key (a second
 * one while waiting does not restart it); an `expect` event with the same key by `within` ends the
 * wait (one exactly at the deadline is in time); otherwise the alert fires at the deadline and
 * resolves when the expected event finally comes. Without `expect`: each group (one, without
 * `correlate`) fires when `within` passes without an event of `pattern`, counted from its last
 * event (for the one group, from the start of event time too), and resolves at its next event.
 * Waits are kept in order of their deadline (insertion order), at most `maxGroups`.
 */
export class AbsenceRule implements RuleRuntime {
  readonly name: string;
  readonly patterns: readonly string[];
  seen = 0;
  readonly #spec: AbsenceSpec;
  readonly #book: AlertBook;
  readonly #labels: GroupLabels;
  readonly #pattern: CompiledPattern;
  readonly #expect: CompiledPattern | undefined;
  readonly #waits = new Map<string | undefined, Wait>();
  #evicted = 0;

  constructor(spec: AbsenceSpec, listener: ChangeListener) {
    this.#spec = spec;
    this.name = spec.name;
    this.patterns = [...new Set(spec.expect === undefined ? [spec.pattern] : [spec.pattern, spec.expect])];
    this.#labels = new GroupLabels(spec.correlate);
    this.#pattern = parsePattern(spec.pattern);
    this.#expect = spec.expect === undefined ? undefined : parsePattern(spec.expect);
    const what = spec.expect === undefined ? `no ${spec.pattern} event` : `no ${spec.expect} after ${spec.pattern}`;
    this.#book = new AlertBook(spec, 0, listener, (state) => `${spec.name}: ${what} within ${spec.withinMs} ms${state === 'resolved' ? ' — it came' : ''}`);
  }

  start(time: number): void {
    // The key of the one group is '' (`GroupKey` without paths), so the first event ends this wait.
    if (this.#expect === undefined && this.#spec.correlate.length === 0) this.#wait('', {}, time);
  }

  accept(event: AnyBusEvent, time: number): boolean {
    this.#take(event, time);
    return true; // any event may move the next wake-up earlier
  }

  #take(event: AnyBusEvent, time: number): void {
    if (!this.#labels.complete(event)) return;
    const spec = this.#spec;
    const type = event.eventType;
    const started = this.#pattern.matches(type) && (spec.where === undefined || spec.where(event));
    const expected = this.#expect !== undefined && this.#expect.matches(type) && (spec.expectWhere === undefined || spec.expectWhere(event));
    if (!started && !expected) return;
    this.seen++;
    const key = this.#labels.key(event);
    if (this.#expect === undefined) {
      // A silence ends at each event and the next one is measured from it.
      this.#waits.delete(key);
      this.#wait(key, this.#labels.labels(event), time);
      this.#book.update(key, this.#labels.labels(event), false, null, time);
      return;
    }
    // An event that matches both (`expect: job.+` after `job.started`) ends a wait if there is
    // one, and otherwise starts one: it is never its own expected event.
    const waiting = this.#waits.has(key);
    if (expected && (waiting || !started)) {
      this.#waits.delete(key);
      this.#book.update(key, this.#labels.labels(event), false, null, time);
    } else if (!waiting) {
      this.#wait(key, this.#labels.labels(event), time);
    }
  }

  nextWake(): number {
    let next = this.#book.nextWake();
    for (const w of this.#waits.values()) {
      next = Math.min(next, w.since + this.#spec.withinMs);
      break;
    }
    return next;
  }

  wake(time: number): void {
    for (const w of this.#waits.values()) {
      const due = w.since + this.#spec.withinMs;
      if (due > time) break;
      this.#waits.delete(w.key);
      this.#book.update(w.key, w.labels, true, null, due);
    }
    this.#book.wake(time);
  }

  state(): RuleState {
    return this.#book.stateOf(this, 'absence', { skipped: 0, groups: this.#waits.size, evicted: this.#evicted, timedOut: 0 });
  }

  #wait(key: string | undefined, labels: AlertLabels, since: number): void {
    if (this.#waits.size >= this.#spec.maxGroups) {
      this.#waits.delete(this.#waits.keys().next().value);
      this.#evicted++;
    }
    this.#waits.set(key, { key, labels, since });
  }
}
