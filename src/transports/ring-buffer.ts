/**
 * A FIFO queue on a circular array that grows by doubling up to `limit` entries.
 *
 * @remarks Starts small so that thousands of idle subscriptions cost little; `shift` is O(1),
 * unlike `Array.prototype.shift`.
 */
export class RingBuffer<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  constructor(readonly limit: number) {
    this.#items = new Array<T | undefined>(Math.min(16, limit));
  }

  get length(): number {
    return this.#length;
  }

  get isFull(): boolean {
    return this.#length >= this.limit;
  }

  /** Appends `item`; returns `false` (and keeps nothing) when full. */
  push(item: T): boolean {
    if (this.#length >= this.limit) return false;
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) % this.#items.length] = item;
    this.#length++;
    return true;
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    return item;
  }

  /** Removes everything; returns how many items there were. */
  clear(): number {
    const n = this.#length;
    this.#items = new Array<T | undefined>(Math.min(16, this.limit));
    this.#head = 0;
    this.#length = 0;
    return n;
  }

  #grow(): void {
    const size = Math.min(this.#items.length * 2, this.limit);
    const next = new Array<T | undefined>(size);
    for (let i = 0; i < this.#length; i++) next[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = next;
    this.#head = 0;
  }
}
