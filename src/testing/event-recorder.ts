import type { AnyBusEvent } from '../events/bus-event.js';
import { DotbusError } from '../errors.js';
import { matchesPattern } from '../patterns/pattern.js';
import type { Subscribable } from '../bus-views.js';
import type { SubscribeOptions, Subscription } from '../transport.js';

interface Waiter<E> {
  readonly pattern: string;
  readonly predicate: (event: E) => boolean;
  readonly resolve: (event: E) => void;
}

/**
 * Records the events matching a pattern, for tests: inspect them, or wait for one.
 *
 * @example
 * ```ts
 * using rec = new EventRecorder(bus, 'validation.*');
 * await runPipeline();
 * const done = await rec.waitFor('validation.completed', (e) => e.data.contextId === 'c-1');
 * ```
 */
export class EventRecorder<E extends AnyBusEvent = AnyBusEvent> implements Disposable {
  readonly #events: E[] = [];
  readonly #waiters = new Set<Waiter<E>>();
  readonly #subscription: Subscription;

  constructor(source: Subscribable, pattern = '*', options?: SubscribeOptions) {
    this.#subscription = source.subscribe(pattern, (e) => this.#record(e as E), options);
  }

  /** Every recorded event, in arrival order. */
  get events(): readonly E[] {
    return this.#events;
  }

  /** The recorded events whose type matches `pattern`. */
  matching(pattern: string): E[] {
    return this.#events.filter((e) => matchesPattern(pattern, e.eventType));
  }

  /**
   * The first recorded or future event matching `pattern` and `predicate`.
   * @throws {@link DotbusError} after `timeoutMs` without one.
   */
  waitFor(pattern: string, predicate: (event: E) => boolean = () => true, timeoutMs = 5_000): Promise<E> {
    const seen = this.#events.find((e) => matchesPattern(pattern, e.eventType) && predicate(e));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<E>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new DotbusError('TIMED_OUT', `no event matching ${JSON.stringify(pattern)} arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter<E> = {
        pattern,
        predicate,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Forgets every recorded event. */
  clear(): void {
    this.#events.length = 0;
  }

  /** Stops recording. */
  [Symbol.dispose](): void {
    this.#subscription.unsubscribe();
  }

  #record(event: E): void {
    this.#events.push(event);
    for (const w of this.#waiters) {
      if (matchesPattern(w.pattern, event.eventType) && w.predicate(event)) {
        this.#waiters.delete(w);
        w.resolve(event);
      }
    }
  }
}
