import type { AnyBusEvent } from '../../index.js';
import type { RuleRuntime } from './rule-runtime.js';

/** An event waiting for the watermark, for the rules it is meant for. */
interface Pending {
  readonly time: number;
  readonly event: AnyBusEvent;
  readonly rules: readonly RuleRuntime[];
}

/** A wake-up of one rule. */
interface Wake {
  readonly time: number;
  readonly seq: number;
  readonly rule: RuleRuntime;
}

/**
 * Events not yet released by the watermark, in event-time order (arrival order among equal
 * times), and the rules' wake-ups: what makes the engine's results independent of arrival order
 * within the allowed lateness.
 *
 * @remarks Events almost always arrive in order, so the buffer is an array appended to and read
 * from its head; an out-of-order event is inserted by binary search. Wake-ups are a binary heap
 * with at most one live entry per rule (a superseded one is skipped when it comes up).
 */
export class EventTimeQueue {
  readonly #events: Pending[] = [];
  #head = 0;
  readonly #wakes: Wake[] = [];
  readonly #scheduled = new Map<RuleRuntime, number>();
  #seq = 0;

  /** Events buffered. */
  get size(): number {
    return this.#events.length - this.#head;
  }

  /** Adds an event for `rules`. */
  push(time: number, event: AnyBusEvent, rules: readonly RuleRuntime[]): void {
    const events = this.#events;
    const item = { time, event, rules };
    if (events.length === this.#head || events[events.length - 1]!.time <= time) {
      events.push(item);
      return;
    }
    let lo = this.#head;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (events[mid]!.time <= time) lo = mid + 1;
      else hi = mid;
    }
    events.splice(lo, 0, item);
  }

  /** Time of the oldest buffered event; `Infinity` if none. */
  nextEventTime(): number {
    return this.#head < this.#events.length ? this.#events[this.#head]!.time : Infinity;
  }

  /** Removes and returns the oldest buffered event. */
  shiftEvent(): Pending {
    const item = this.#events[this.#head++]!;
    if (this.#head === this.#events.length) {
      this.#events.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1_024 && this.#head * 2 >= this.#events.length) {
      this.#events.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Asks for `rule` to be woken at `time` (replacing a later request). */
  schedule(rule: RuleRuntime, time: number): void {
    if (time === Infinity || time >= (this.#scheduled.get(rule) ?? Infinity)) return;
    this.#scheduled.set(rule, time);
    this.#pushWake({ time, seq: this.#seq++, rule });
  }

  /** Time of the next live wake-up; `Infinity` if none. */
  nextWakeTime(): number {
    const wakes = this.#wakes;
    while (wakes.length > 0 && this.#scheduled.get(wakes[0]!.rule) !== wakes[0]!.time) this.#popWake();
    return wakes.length > 0 ? wakes[0]!.time : Infinity;
  }

  /** Removes and returns the rule of the next live wake-up (call after {@link nextWakeTime}). */
  shiftWake(): RuleRuntime {
    const wake = this.#popWake();
    this.#scheduled.delete(wake.rule);
    return wake.rule;
  }

  #pushWake(w: Wake): void {
    const heap = this.#wakes;
    heap.push(w);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #popWake(): Wake {
    const heap = this.#wakes;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Wake, b: Wake): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
