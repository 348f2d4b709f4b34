import type { AuditEntry } from './audit-record.js';
import type { AuditStore } from './audit-store.js';

/** Options of {@link BatchWriter}. */
export interface BatchWriterOptions {
  /** Most entries per transaction. @default 500 */
  readonly batchSize?: number;
  /** Longest an entry waits for its batch to fill before it is committed anyway, in ms. @default 20 */
  readonly flushMs?: number;
}

/** Counters of a {@link BatchWriter}. */
export interface BatchWriterStats {
  readonly appended: number;
  readonly duplicates: number;
  readonly batches: number;
  readonly failedBatches: number;
}

interface Pending {
  readonly entry: AuditEntry;
  readonly settle: (error?: unknown) => void;
}

/**
 * Collects entries into batches and appends each batch in one transaction, one batch at a time
 * (so the log keeps arrival order). `add` resolves once the entry's batch is committed, and rejects
 * when it failed: what lets a Redis Streams recorder acknowledge only committed entries.
 */
export class BatchWriter {
  readonly #store: AuditStore;
  readonly #size: number;
  readonly #flushMs: number;
  #pending: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;
  #stats = { appended: 0, duplicates: 0, batches: 0, failedBatches: 0 };

  constructor(store: AuditStore, options: BatchWriterOptions = {}) {
    this.#store = store;
    this.#size = Math.max(1, Math.trunc(options.batchSize ?? 500));
    this.#flushMs = Math.max(0, options.flushMs ?? 20);
  }

  /** Resolves when `entry` is committed (or was a duplicate); rejects with the store's error. */
  add(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ entry, settle: (e) => (e === undefined ? resolve() : reject(e)) });
      if (this.#pending.length >= this.#size) this.#kick();
      else this.#timer ??= setTimeout(() => this.#kick(), this.#flushMs);
    });
  }

  /** Commits everything added so far. */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#writing !== undefined) {
      this.#kick();
      await this.#writing;
    }
  }

  stats(): BatchWriterStats {
    return { ...this.#stats };
  }

  #kick(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#writing !== undefined || this.#pending.length === 0) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = undefined;
      if (this.#pending.length > 0) this.#timer ??= setTimeout(() => this.#kick(), this.#pending.length >= this.#size ? 0 : this.#flushMs);
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#size);
      try {
        const result = await this.#store.append(batch.map((p) => p.entry));
        this.#stats.appended += result.appended;
        this.#stats.duplicates += result.duplicates;
        this.#stats.batches++;
        for (const p of batch) p.settle();
      } catch (e) {
        this.#stats.failedBatches++;
        for (const p of batch) p.settle(e ?? new Error('append failed'));
      }
      // Below a full batch, let more arrive (the timer) rather than commit a trickle.
      if (this.#pending.length < this.#size) return;
    }
  }
}
