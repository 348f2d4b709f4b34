import type { BusEvent } from '../events/bus-event.js';
import { HandlerError } from '../errors.js';
import { NOOP_OBSERVER, type BusObserver, type DropReason } from '../observer.js';
import type { EventHandler, QueueOptions, SubscribeOptions, TransportStats } from '../transport.js';
import { DropCounters } from './drop-counters.js';
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_POLICY, DEFAULT_QUEUE_CAPACITY, LocalSubscription } from './local-subscription.js';
import { SubscriptionTable, type PatternHooks, type SubscriptionSupport } from './subscription-table.js';

/** Options of a {@link LocalDispatcher}. */
export interface LocalDispatcherOptions extends PatternHooks {
  /** The options the owning transport honours. @default every one (in-process) */
  readonly support?: SubscriptionSupport;
  /** Default queue of each subscription. */
  readonly queue?: QueueOptions;
  /** Default in-flight limit of each subscription. @default 64 */
  readonly maxInFlight?: number;
  /** Handler calls per turn of the event loop before yielding to I/O. @default 8192 */
  readonly batchSize?: number;
}

const NOT_WAITING = undefined;

/**
 * Routes events to the handlers of this process: pattern index, one bounded queue per
 * subscription, asynchronous dispatch in publish order, isolated handler failures.
 *
 * @remarks The local half of every transport: InMemory publishes straight into it, the Redis
 * consumers feed it what they decode. Handlers run on a later microtask, never inside `dispatch`;
 * a consumer fed by a socket runs them right after each dispatch with {@link runReady}.
 */
export class LocalDispatcher {
  observer: BusObserver = NOOP_OBSERVER;
  readonly #table: SubscriptionTable<LocalSubscription>;
  readonly #ready: LocalSubscription[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  readonly #drops = new DropCounters();
  readonly #options: LocalDispatcherOptions;
  readonly #batchSize: number;
  #scheduled = false;
  #flushing = false;
  #published = 0;
  #delivered = 0;
  #handlerErrors = 0;
  #unrouted = 0;
  #queued = 0;
  #inFlight = 0;

  constructor(options: LocalDispatcherOptions = {}) {
    this.#options = options;
    this.#table = new SubscriptionTable(options.support ?? { transport: 'in-memory' }, options);
    this.#batchSize = options.batchSize ?? 8192;
  }

  /** @see {@link EventConsumer.subscribe} */
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): LocalSubscription {
    return this.#table.add(pattern, handler, options, (id) => new LocalSubscription(
      id,
      pattern,
      handler,
      options?.queue?.policy ?? this.#options.queue?.policy ?? DEFAULT_POLICY,
      options?.queue?.capacity ?? this.#options.queue?.capacity ?? DEFAULT_QUEUE_CAPACITY,
      options?.maxInFlight ?? this.#options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      (s) => this.#release(s),
    ));
  }

  /** Distinct patterns with at least one subscription. */
  patterns(): string[] {
    return this.#table.patterns();
  }

  /** Whether any subscription matches `eventType` (cached; cheap). */
  hasSubscribers(eventType: string): boolean {
    return this.#table.match(eventType).length > 0;
  }

  /**
   * Queues `event` for every matching subscription and schedules their handlers.
   * Returns `undefined` when every matching queue took it, `'dropped'` when a `drop-newest` queue
   * refused it, and a promise when a `wait` queue is full (the caller should await it; it
   * resolves `'dropped'` if the subscription ended before there was room).
   * @throws {@link BufferFullError} when a `reject` queue is full (other subscriptions still get it).
   */
  dispatch(event: BusEvent): Promise<'dropped' | undefined> | 'dropped' | undefined {
    this.#published++;
    const subs = this.#table.match(event.eventType);
    if (subs.length === 0) {
      this.#unrouted++;
      return NOT_WAITING;
    }
    let waits: Promise<boolean>[] | undefined;
    let rejected: unknown;
    let refused = false;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      try {
        const outcome = sub.offer(event);
        if (outcome === 'queued') this.#queued++;
        else if (outcome === 'wait') (waits ??= []).push(sub.park(event));
        else if (outcome === 'dropped-oldest') this.#drop('drop-oldest', 1, event.eventType);
        else {
          refused = true;
          this.#drop('drop-newest', 1, event.eventType);
        }
      } catch (e) {
        this.#drop('reject', 1, event.eventType);
        rejected = e;
      }
      this.#markReady(sub);
    }
    if (rejected !== undefined) throw rejected;
    if (waits !== undefined) return Promise.all(waits).then((admitted) => (refused || admitted.includes(false) ? 'dropped' : undefined));
    return refused ? 'dropped' : NOT_WAITING;
  }

  /**
   * Dispatches a `system.*` event about this process without waiting and without throwing: a
   * full `wait` queue parks it, a full `reject` queue refuses it (counted as a drop already).
   */
  dispatchLocal(event: BusEvent): void {
    try {
      void this.dispatch(event);
    } catch {
      // Counted by dispatch; a system event must not fail its reporter.
    }
  }

  /** Resolves once every queue is empty and no handler is running. */
  drain(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Drains, then ends every subscription. */
  async close(): Promise<void> {
    await this.drain();
    for (const sub of this.#table.all()) this.#release(sub);
  }

  /** A snapshot of the counters. */
  stats(): TransportStats {
    return {
      published: this.#published,
      delivered: this.#delivered,
      handlerErrors: this.#handlerErrors,
      unrouted: this.#unrouted,
      dropped: this.#drops.snapshot(),
      queued: this.#queued,
      inFlight: this.#inFlight,
    };
  }

  /** Counts drops that happened outside the queues (outage buffers, losses) in the same counters; `revealedBy` as in {@link BusObserver.dropped}. */
  countDrop(reason: DropReason, count: number, eventType?: string, revealedBy?: BusEvent): void {
    this.#drop(reason, count, eventType, revealedBy);
  }

  /**
   * Runs the handlers of what is queued now, in this call, rather than on the next microtask.
   * For a consumer fed by a socket: each event it decodes reaches its handlers before the next
   * one is decoded, so a burst arriving in one read is handled as a stream, not store-and-forward.
   * A no-op inside a handler (dispatch never re-enters itself).
   */
  runReady(): void {
    if (this.#ready.length > 0) this.#flush();
  }

  #markReady(sub: LocalSubscription): void {
    if (sub.scheduled) return;
    sub.scheduled = true;
    this.#ready.push(sub);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = (): void => {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      this.#flushReady();
    } finally {
      this.#flushing = false;
    }
  };

  #flushReady(): void {
    this.#scheduled = false;
    let budget = this.#batchSize;
    const ready = this.#ready;
    let i = 0;
    for (; i < ready.length && budget > 0; i++) {
      const sub = ready[i]!;
      sub.scheduled = false;
      while (sub.active && sub.inFlight < sub.maxInFlight && sub.queue.length > 0 && budget-- > 0) {
        this.#queued--;
        this.#run(sub, sub.queue.shift()!);
        if (sub.waiters.length > 0) this.#queued += sub.admitWaiters();
      }
      if (sub.active && sub.queue.length > 0 && sub.inFlight < sub.maxInFlight && !sub.scheduled) {
        sub.scheduled = true;
        ready.push(sub);
      }
    }
    ready.splice(0, i);
    if (ready.length > 0) {
      // Yield to I/O between batches so a flood can't starve sockets and timers.
      this.#scheduled = true;
      setImmediate(this.#flush);
    } else {
      this.#checkIdle();
    }
  }

  #run(sub: LocalSubscription, event: BusEvent): void {
    this.#delivered++;
    this.#inFlight++;
    sub.inFlight++;
    let result: void | Promise<void>;
    try {
      result = sub.handler(event, sub.delivery);
    } catch (e) {
      this.#fail(sub, event, e);
      this.#settle(sub);
      return;
    }
    if (result !== undefined && typeof (result as { then?: unknown }).then === 'function') {
      result.then(
        () => this.#settle(sub),
        (e: unknown) => {
          this.#fail(sub, event, e);
          this.#settle(sub);
        },
      );
    } else {
      this.#inFlight--;
      sub.inFlight--;
    }
  }

  #settle(sub: LocalSubscription): void {
    this.#inFlight--;
    sub.inFlight--;
    if (sub.active && sub.queue.length > 0) this.#markReady(sub);
    else this.#checkIdle();
  }

  #fail(sub: LocalSubscription, event: BusEvent, cause: unknown): void {
    this.#handlerErrors++;
    const error = new HandlerError(sub.pattern, event.eventType, event.eventId, cause);
    try {
      this.observer.error(error, event);
    } catch {
      // An observer that throws must not break dispatch; there is nowhere left to report it.
    }
  }

  #drop(reason: DropReason, count: number, eventType?: string, revealedBy?: BusEvent): void {
    this.#drops.add(reason, count);
    try {
      this.observer.dropped(reason, count, eventType, revealedBy);
    } catch {
      // See #fail.
    }
  }

  #release(sub: LocalSubscription): void {
    if (!this.#table.release(sub)) return;
    const queued = sub.queue.length;
    const discarded = sub.discard();
    this.#queued -= queued;
    if (discarded > 0) this.#drop('closed', discarded);
    this.#checkIdle();
  }

  #idle(): boolean {
    return this.#queued === 0 && this.#inFlight === 0 && this.#ready.length === 0;
  }

  #checkIdle(): void {
    if (this.#drainWaiters.length === 0 || !this.#idle()) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}

