import { InvalidOptionError } from '../internal.js';

/** What an {@link OutageBuffer} does when it is full. */
export type OutagePolicy = 'drop-oldest' | 'drop-newest';

/** Why an {@link OutageBuffer} let go of an item without handing it out. */
export type OutageDropReason = 'drop-oldest' | 'drop-newest' | 'expired';

/** Limits of an {@link OutageBuffer}. */
export interface OutageBufferOptions {
  /** Most items held at once. @default 10_000 */
  readonly maxEvents?: number;
  /** Oldest item kept, in ms; older ones are dropped as `expired`. @default 60_000 */
  readonly maxAgeMs?: number;
  /** What to do when full. @default 'drop-oldest' */
  readonly policy?: OutagePolicy;
}

/** Counters of an {@link OutageBuffer}. */
export interface OutageBufferStats {
  /** Items held now. */
  readonly size: number;
  /** Items ever accepted. */
  readonly buffered: number;
  /** Items handed out by {@link OutageBuffer.take}. */
  readonly flushed: number;
  /** Items dropped, by reason. */
  readonly dropped: Readonly<Record<OutageDropReason, number>>;
}

/** Called once per dropped item, so the owner can count it where users look (observer, stats). */
export type OutageDropHook<T> = (reason: OutageDropReason, item: T) => void;

interface Entry<T> {
  readonly item: T;
  readonly at: number;
}

/** Defaults of {@link OutageBufferOptions}. */
export const DEFAULT_OUTAGE_BUFFER = Object.freeze({ maxEvents: 10_000, maxAgeMs: 60_000, policy: 'drop-oldest' as OutagePolicy });

/**
 * A bounded FIFO that holds what a producer could not send while its broker was unreachable.
 *
 * @remarks Bounded by count and by age (DESIGN §6): nothing grows without limit, and every item
 * it lets go of goes through the drop hook and its counters; none disappears silently. Items come
 * out in the order they went in. Not tied to Redis Pub/Sub: the Streams transport uses it too.
 *
 * @example
 * ```ts
 * const buffer = new OutageBuffer<string>({ maxEvents: 100 }, (reason) => drops[reason]++);
 * buffer.push('a');
 * for (let x = buffer.take(); x !== undefined; x = buffer.take()) send(x);
 * ```
 */
export class OutageBuffer<T> {
  readonly #maxEvents: number;
  readonly #maxAgeMs: number;
  readonly #policy: OutagePolicy;
  readonly #onDrop: OutageDropHook<T>;
  readonly #now: () => number;
  #items: Entry<T>[] = [];
  #head = 0;
  #buffered = 0;
  #flushed = 0;
  readonly #dropped: Record<OutageDropReason, number> = { 'drop-oldest': 0, 'drop-newest': 0, expired: 0 };

  /** @param now - the clock, in ms (tests pass a fake one). */
  constructor(options: OutageBufferOptions = {}, onDrop: OutageDropHook<T> = () => {}, now: () => number = Date.now) {
    this.#maxEvents = options.maxEvents ?? DEFAULT_OUTAGE_BUFFER.maxEvents;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_OUTAGE_BUFFER.maxAgeMs;
    this.#policy = options.policy ?? DEFAULT_OUTAGE_BUFFER.policy;
    if (!Number.isInteger(this.#maxEvents) || this.#maxEvents < 0) {
      throw new InvalidOptionError('buffer.maxEvents', 'must be an integer ≥ 0 (0 drops everything while disconnected)');
    }
    if (!(this.#maxAgeMs > 0)) throw new InvalidOptionError('buffer.maxAgeMs', 'must be a positive number of ms');
    if (this.#policy !== 'drop-oldest' && this.#policy !== 'drop-newest') {
      throw new InvalidOptionError('buffer.policy', "must be 'drop-oldest' or 'drop-newest'");
    }
    this.#onDrop = onDrop;
    this.#now = now;
  }

  /** Items held now. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /**
   * Adds `item` at the tail. Returns `false` when it was refused (full, `drop-newest`, or
   * `maxEvents` 0); with `drop-oldest` the evicted head goes through the drop hook instead.
   */
  push(item: T): boolean {
    this.expire();
    if (this.size >= this.#maxEvents) {
      if (this.#policy === 'drop-newest' || this.size === 0) {
        this.#drop('drop-newest', item);
        return false;
      }
      this.#drop('drop-oldest', this.#shift()!.item);
    }
    this.#items.push({ item, at: this.#now() });
    this.#buffered++;
    return true;
  }

  /** The oldest item that has not expired (expired ones are dropped on the way), or `undefined`. */
  take(): T | undefined {
    this.expire();
    const entry = this.#shift();
    if (entry === undefined) return undefined;
    this.#flushed++;
    return entry.item;
  }

  /** Drops every item older than `maxAgeMs`; returns how many. */
  expire(): number {
    const oldest = this.#now() - this.#maxAgeMs;
    let n = 0;
    while (this.size > 0 && this.#items[this.#head]!.at < oldest) {
      this.#drop('expired', this.#shift()!.item);
      n++;
    }
    return n;
  }

  /** Removes and returns every item without counting it; the caller decides what happened to them. */
  clear(): T[] {
    const rest = this.#items.slice(this.#head).map((e) => e.item);
    this.#items = [];
    this.#head = 0;
    return rest;
  }

  /** A snapshot of the counters. */
  stats(): OutageBufferStats {
    return { size: this.size, buffered: this.#buffered, flushed: this.#flushed, dropped: Object.freeze({ ...this.#dropped }) };
  }

  #shift(): Entry<T> | undefined {
    if (this.size === 0) return undefined;
    const entry = this.#items[this.#head++]!;
    // Compact now and then instead of Array#shift, which is O(n) per call.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }

  #drop(reason: OutageDropReason, item: T): void {
    this.#dropped[reason]++;
    try {
      this.#onDrop(reason, item);
    } catch {
      // A failing hook must not corrupt the buffer; the counter above still has the drop.
    }
  }
}
