import type { BusEvent, PublishReceipt } from '../../index.js';
import { InvalidOptionError } from '../../internal.js';

/**
 * Batch mode of the Redis Pub/Sub producer: events of one type published within a short window
 * go out as one message in the CloudEvents JSON batch format (a JSON array of structured-mode
 * events, content type `application/cloudevents-batch+json`), on that type's channel.
 */
export interface PubSubBatchOptions {
  /** Most events in one message: a type's batch is sent as soon as it holds this many. Keep it ≤ the consumers' `maxBatchEvents`. @default 100 */
  readonly maxEvents?: number;
  /**
   * How long the first event of a batch waits for more, in ms. 0 sends once the current turn of
   * the event loop ends (`setImmediate`): events published in one synchronous run share a
   * message and none waits for a timer; a long run (a catch-up burst) sends what it holds once
   * its first event has waited {@link BATCH_HOLD_LIMIT_MS}, so batching never adds more than
   * that to an event's latency. A window over 0 holds every event it takes for the whole window.
   * @default 0
   */
  readonly flushMs?: number;
  /** Largest batch message, in bytes (UTF-16 code units, an upper bound for ASCII JSON); more goes in further messages. Keep it ≤ the consumers' `maxMessageBytes`. @default 1 MiB */
  readonly maxBytes?: number;
}

/** With `flushMs` 0, longest the first event of a batch waits while its run adds more, in ms. */
export const BATCH_HOLD_LIMIT_MS = 0.25;

/** Defaults of {@link PubSubBatchOptions}. */
export const DEFAULT_BATCH = Object.freeze({ maxEvents: 100, flushMs: 0, maxBytes: 1024 * 1024 });

/** An event waiting in a {@link PubSubBatcher}, with the receipt its publisher awaits. */
export interface BatchEntry {
  readonly event: BusEvent;
  /** What it was first sent as, when it is being re-sent after a broken connection. */
  readonly payload: string | undefined;
  readonly resolve: (receipt: PublishReceipt) => void;
  readonly reject: (error: unknown) => void;
}

/** Checked limits of a {@link PubSubBatcher}. */
export interface ResolvedBatchOptions {
  readonly maxEvents: number;
  readonly flushMs: number;
  readonly maxBytes: number;
}

/** The checked batch options, or an {@link InvalidOptionError} naming the wrong one. */
export function batchLimitsOf(options: PubSubBatchOptions): ResolvedBatchOptions {
  const maxEvents = options.maxEvents ?? DEFAULT_BATCH.maxEvents;
  const flushMs = options.flushMs ?? DEFAULT_BATCH.flushMs;
  const maxBytes = options.maxBytes ?? DEFAULT_BATCH.maxBytes;
  if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new InvalidOptionError('batch.maxEvents', 'must be an integer ≥ 1');
  if (!(flushMs >= 0) || flushMs > 60_000) throw new InvalidOptionError('batch.flushMs', 'must be 0–60,000 ms (0: the end of the current event-loop turn)');
  if (!(maxBytes >= 1)) throw new InvalidOptionError('batch.maxBytes', 'must be a positive number of bytes');
  return { maxEvents, flushMs, maxBytes };
}

/**
 * Collects events per type until a type holds `maxEvents` or the flush window ends, then hands
 * each type's events, in publish order, to `send`.
 *
 * @remarks One timer for all types, started by the first event after a flush. Order is kept per
 * type; events of different types may go out in another order than they were published.
 */
export class PubSubBatcher {
  readonly #pending = new Map<string, BatchEntry[]>();
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #size = 0;
  /** When the open window's first event came (`now()`, ms). */
  #openedAt = 0;

  constructor(
    readonly limits: ResolvedBatchOptions,
    private readonly send: (eventType: string, entries: BatchEntry[]) => void,
    /** The time in ms (`performance.now()`; tests give their own clock). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Events waiting now. */
  get size(): number {
    return this.#size;
  }

  /** Adds `event`; its receipt resolves once the message that carries it was answered. */
  add(event: BusEvent, payload?: string): Promise<PublishReceipt> {
    return new Promise<PublishReceipt>((resolve, reject) => {
      const type = event.eventType;
      let list = this.#pending.get(type);
      if (list === undefined) this.#pending.set(type, (list = []));
      list.push({ event, payload, resolve, reject });
      this.#size++;
      if (list.length >= this.limits.maxEvents) this.#sendType(type, list);
      else if (this.#timer === undefined) {
        this.#openedAt = this.now();
        this.#timer = this.limits.flushMs === 0 ? setImmediate(this.flush) : setTimeout(this.flush, this.limits.flushMs);
      } else if (this.limits.flushMs === 0 && this.now() - this.#openedAt >= BATCH_HOLD_LIMIT_MS) this.flush();
    });
  }

  /** Sends every waiting event now. */
  readonly flush = (): void => {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
    for (const [type, list] of this.#pending) this.#sendType(type, list);
  };

  #sendType(type: string, list: BatchEntry[]): void {
    this.#pending.delete(type);
    this.#size -= list.length;
    this.send(type, list);
  }
}
