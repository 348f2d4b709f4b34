import type { BusEvent } from '../events/bus-event.js';
import { BufferFullError, InvalidOptionError } from '../errors.js';
import type { BackpressurePolicy, Delivery, EventHandler, SubscriptionId } from '../transport.js';
import { RingBuffer } from './ring-buffer.js';
import { TableSubscription } from './subscription-table.js';

/** How an offer to a subscription's queue went. */
export type OfferOutcome = 'queued' | 'dropped-oldest' | 'dropped-newest' | 'wait';

/** Defaults of a subscription's queue and concurrency. */
export const DEFAULT_QUEUE_CAPACITY = 10_000;
export const DEFAULT_POLICY: BackpressurePolicy = 'drop-oldest';
export const DEFAULT_MAX_IN_FLIGHT = 64;

interface Waiter {
  readonly event: BusEvent;
  /** `true` once queued, `false` if the subscription ended first (the event was dropped). */
  readonly resolve: (admitted: boolean) => void;
}

/**
 * One subscription of a {@link LocalDispatcher}: its handler, bounded queue and in-flight count.
 *
 * @internal The dispatcher drives it; applications see it as a {@link Subscription}.
 */
export class LocalSubscription extends TableSubscription {
  readonly queue: RingBuffer<BusEvent>;
  /** What every handler call of this subscription is: one attempt, nothing after a failure. Shared, so dispatch allocates nothing. */
  readonly delivery: Delivery;
  inFlight = 0;
  /** Whether it is already in the dispatcher's ready list. */
  scheduled = false;
  /** Publishers waiting for room (policy `wait`), in publish order. */
  readonly waiters: Waiter[] = [];

  constructor(
    id: SubscriptionId,
    pattern: string,
    handler: EventHandler,
    readonly policy: BackpressurePolicy,
    capacity: number,
    readonly maxInFlight: number,
    release: (s: LocalSubscription) => void,
  ) {
    super(id, pattern, handler, release as (s: TableSubscription) => void);
    if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidOptionError('queue.capacity', 'must be an integer ≥ 1');
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new InvalidOptionError('maxInFlight', 'must be an integer ≥ 1');
    this.queue = new RingBuffer<BusEvent>(capacity);
    this.delivery = Object.freeze({ pattern, attempt: 1, onFailure: 'none' });
  }

  /**
   * Queues `event` under this subscription's policy.
   * @throws {@link BufferFullError} when full and the policy is `reject`.
   */
  offer(event: BusEvent): OfferOutcome {
    if (this.waiters.length === 0 && this.queue.push(event)) return 'queued';
    switch (this.policy) {
      case 'drop-oldest':
        this.queue.shift();
        this.queue.push(event);
        return 'dropped-oldest';
      case 'drop-newest':
        return 'dropped-newest';
      case 'reject':
        throw new BufferFullError(`queue of subscription ${JSON.stringify(this.pattern)}`, this.queue.limit);
      case 'wait':
        // Parked publishers are bounded too (by the capacity): past that, publishers that don't
        // await their publishes get a BufferFullError instead of growing memory.
        if (this.waiters.length >= this.queue.limit) {
          throw new BufferFullError(`wait list of subscription ${JSON.stringify(this.pattern)}`, this.queue.limit);
        }
        return 'wait';
    }
  }

  /** Parks a publisher until there is room for `event` (policy `wait`). */
  park(event: BusEvent): Promise<boolean> {
    return new Promise<boolean>((resolve) => this.waiters.push({ event, resolve }));
  }

  /** Moves parked events into the queue while there is room, waking their publishers. */
  admitWaiters(): number {
    let admitted = 0;
    while (this.waiters.length > 0 && !this.queue.isFull) {
      const w = this.waiters.shift()!;
      this.queue.push(w.event);
      w.resolve(true);
      admitted++;
    }
    return admitted;
  }

  /** Empties the queue and wakes parked publishers; returns how many events were discarded. */
  discard(): number {
    const parked = this.waiters.length;
    for (const w of this.waiters.splice(0)) w.resolve(false);
    return this.queue.clear() + parked;
  }
}
