import { type PublishReceipt } from '../index.js';
import { RECEIPT } from '../internal.js';

interface Pending {
  settled: boolean;
  readonly resolve: (receipt: PublishReceipt) => void;
}

/**
 * The replies a producer is waiting for: each write's receipt, the counts of sent and
 * unacknowledged writes, and the release of every waiting publisher when the connection breaks.
 *
 * @remarks ioredis re-sends commands in flight when a connection comes back; a publisher should
 * not wait for that, so {@link releaseAll} settles every waiting receipt as `buffered` at once.
 */
export class ReplyTracker {
  readonly #pending = new Set<Pending>();
  #sent = 0;
  #inFlight = 0;

  /** Writes acknowledged by the broker. */
  get sent(): number {
    return this.#sent;
  }

  /** Writes sent and not yet acknowledged. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The receipt of one write: `accepted` on its reply, `onError(cause)` if the broker refused it. */
  track(reply: Promise<unknown>, onError: (cause: unknown) => PublishReceipt): Promise<PublishReceipt> {
    this.#inFlight++;
    return new Promise<PublishReceipt>((resolve) => {
      const pending: Pending = { settled: false, resolve };
      this.#pending.add(pending);
      const done = (receipt: PublishReceipt): void => {
        this.#inFlight--;
        this.#pending.delete(pending);
        if (!pending.settled) resolve(receipt);
      };
      reply.then(
        () => {
          this.#sent++;
          done(RECEIPT.accepted);
        },
        (e: unknown) => done(onError(e)),
      );
    });
  }

  /** The receipts of a pipeline's replies, in order; `onError` for each refused write. */
  async trackAll<T>(items: readonly T[], replies: Promise<[Error | null, unknown][] | null>, onError: (item: T, cause: unknown, index: number) => PublishReceipt): Promise<PublishReceipt[]> {
    this.#inFlight += items.length;
    try {
      const results = (await replies) ?? [];
      return items.map((item, i) => {
        const err = results[i]?.[0];
        if (err == null) {
          this.#sent++;
          return RECEIPT.accepted;
        }
        return onError(item, err, i);
      });
    } catch (e) {
      return items.map((item, i) => onError(item, e, i));
    } finally {
      this.#inFlight -= items.length;
    }
  }

  /** Settles every waiting receipt as `buffered` (the connection broke; ioredis will re-send). */
  releaseAll(): void {
    for (const p of this.#pending) {
      if (p.settled) continue;
      p.settled = true;
      p.resolve(RECEIPT.buffered);
    }
  }
}
