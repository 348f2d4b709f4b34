/**
 * The bounded send buffer of one browser connection: rows wait here until the connection takes
 * them; when it is full, new rows are skipped and counted, so a slow browser costs at most
 * `capacity` rows of memory and never slows the bus.
 */
export class ClientQueue {
  readonly #capacity: number;
  #rows: string[] = [];
  #skipped = 0;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Rows skipped so far because the buffer was full. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Rows waiting now. */
  get size(): number {
    return this.#rows.length;
  }

  /** Queues one row (JSON text); skips and counts it when the buffer is full. */
  push(row: string): void {
    if (this.#closed) return;
    if (this.#rows.length >= this.#capacity) {
      this.#skipped++;
      return;
    }
    this.#rows.push(row);
    this.#wake?.();
  }

  /** Every waiting row, once there is at least one; `undefined` once closed. */
  async take(): Promise<string[] | undefined> {
    while (this.#rows.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    if (this.#closed) return undefined;
    const rows = this.#rows;
    this.#rows = [];
    return rows;
  }

  /** Ends {@link take}: the connection is gone. */
  close(): void {
    this.#closed = true;
    this.#rows = [];
    this.#wake?.();
  }
}
