import type { RedisClient } from '../connection.js';
import { corkUntilTaskEnds } from '../cork.js';
import type { StreamKeys } from './keys.js';

export type { DeadLetterInfo, DeadLetterReason } from './dead-letter.js';

/** Retry delay of a failed acknowledgement, in ms. */
const ACK_RETRY_MS = 200;

/**
 * Acknowledges entries of one group in batches (one `XACK` per turn of the event loop) and keeps
 * the idempotency guard's marks (dead letters: `DeadLetterWriter`).
 *
 * @remarks An acknowledgement that fails (Redis down) is
 * retried; if it never lands, the entry stays pending and is claimed again (at-least-once).
 */
export class StreamSettler {
  #queue: string[] = [];
  #scheduled = false;
  #running = 0;
  #closed = false;
  readonly #idle: (() => void)[] = [];

  constructor(
    private readonly client: RedisClient,
    private readonly keys: StreamKeys,
    private readonly group: string,
    private readonly guardTtlMs: number | undefined,
  ) {}

  /**
   * Acknowledges `id`; with the guard, first remembers `eventId` as processed.
   *
   * The mark is written at once (with the other marks of this task, in one write) while the `XACK`
   * waits for the batch: a member that dies after its handler ran has most likely marked the event
   * already, so the member that claims the entry skips it instead of running the handler again.
   */
  ack(id: string, eventId?: string): void {
    if (this.guardTtlMs !== undefined && eventId !== undefined) {
      corkUntilTaskEnds(this.client);
      this.client.set(this.keys.processed(this.group, eventId), '1', 'PX', this.guardTtlMs).catch(() => {
        // Without the mark a redelivery runs the handler again: at-least-once still holds.
      });
    }
    this.#queue.push(id);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  /** Whether the idempotency guard is on (otherwise {@link processed} answers `false` for all). */
  get guarded(): boolean {
    return this.guardTtlMs !== undefined;
  }

  /**
   * Which of `eventIds` the guard has seen processed by this group (all `false` without the guard);
   * an `undefined` id (not known without parsing) is not looked up.
   */
  async processed(eventIds: readonly (string | undefined)[]): Promise<boolean[]> {
    const known = eventIds.filter((e): e is string => e !== undefined);
    if (this.guardTtlMs === undefined || known.length === 0) return eventIds.map(() => false);
    // One slot (hash tag), so MGET works on a Cluster too.
    const values = await this.client.mget(known.map((e) => this.keys.processed(this.group, e)));
    let k = 0;
    return eventIds.map((e) => e !== undefined && values[k++] !== null);
  }

  /** Resolves once every queued acknowledgement was sent (or given up at close). */
  async idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#running === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Stops retrying failed acknowledgements; what is left stays pending for the group. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return this.#wake();
    this.#queue = [];
    this.#running++;
    try {
      await this.#send(batch);
    } catch {
      if (!this.#closed) {
        this.#queue.unshift(...batch);
        this.#scheduled = true;
        setTimeout(() => void this.#flush(), ACK_RETRY_MS).unref();
      }
    } finally {
      this.#running--;
      this.#wake();
    }
  }

  async #send(ids: readonly string[]): Promise<void> {
    await this.client.xack(this.keys.events, this.group, ...ids);
  }

  #wake(): void {
    if ((this.#queue.length > 0 && !this.#closed) || this.#running > 0 || this.#scheduled) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
