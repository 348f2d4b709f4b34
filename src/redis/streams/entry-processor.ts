import { type BusEvent, type BusObserver, type JsonCodec } from '../../index.js';
import { DecodeError, HandlerError, type SubscriptionTable, type TableSubscription } from '../../internal.js';
import type { AttemptLedger } from './attempts.js';
import type { StreamsCounters } from './counters.js';
import type { StreamEntry } from './entries.js';
import { describeFailures, type HandlerRunner } from './handler-runner.js';
import type { StreamSettler } from './settler.js';

/** What an {@link EntryProcessor} works with. */
export interface EntryProcessorContext {
  readonly subscriptions: SubscriptionTable<TableSubscription>;
  readonly runner: HandlerRunner;
  readonly settler: StreamSettler;
  readonly attempts: AttemptLedger;
  readonly counters: StreamsCounters;
  readonly maxAttempts: number;
  readonly deadLetterMaxLen: number;
  codec(): JsonCodec;
  observer(): BusObserver;
  closing(): boolean;
}

/**
 * Takes one stream entry from read to acknowledgement: route, decode, guard, handle with retries,
 * then acknowledge or dead-letter.
 *
 * @remarks The acknowledgement comes only after every matching handler succeeded (at-least-once).
 * An entry nobody here subscribes to is acknowledged without being parsed. An entry that does
 * not decode, or whose handlers failed `maxAttempts` times, goes to the dead-letter stream with
 * the reason, the attempt count and the original id and message, and is acknowledged with it.
 * An entry whose retries were cut short by `close()` stays pending and is redelivered.
 * `maxAttempts` counts attempts across deliveries ({@link AttemptLedger}): a claimed entry goes
 * on from the attempts its earlier members made, and one that has used them all (its members kept
 * dying in its handlers) is dead-lettered as `attempts-exhausted` without running again.
 */
export class EntryProcessor {
  constructor(private readonly ctx: EntryProcessorContext) {}

  /**
   * Processes `entry`; `seen` says the guard already knows it as processed, `prior` how many
   * attempts earlier deliveries made (0 for a first delivery). Never rejects.
   */
  async process(entry: StreamEntry, seen: boolean, prior = 0): Promise<void> {
    const { counters } = this.ctx;
    if (entry.message === undefined) {
      // Trimmed by retention before anyone here handled it: counted, and acked so that it leaves
      // the pending list (Redis before 7 keeps returning such ids from XAUTOCLAIM).
      counters.drops.add('expired');
      this.#safely(() => this.ctx.observer().dropped('expired', 1));
      return this.#ack(entry.id);
    }
    const subs = this.ctx.subscriptions.match(entry.type);
    if (subs.length === 0) {
      counters.unrouted++;
      return this.#ack(entry.id);
    }
    const decoded = this.ctx.codec().decode(entry.message);
    if (!decoded.ok) return this.#decodeFailed(entry, decoded.error);
    // Handlers were chosen by the entry's type field: an event of another type must not reach them.
    if (decoded.event.eventType !== entry.type) {
      return this.#decodeFailed(entry, new DecodeError('not-a-cloudevent', `the entry says ${JSON.stringify(entry.type)} but carries a ${JSON.stringify(decoded.event.eventType)} event`));
    }
    // The guard looked the entry up by its id field: that must be the event it carries.
    if (entry.eventId !== undefined && decoded.event.eventId !== entry.eventId) {
      return this.#decodeFailed(entry, new DecodeError('not-a-cloudevent', `the entry's id field ${JSON.stringify(entry.eventId)} is not its event's id`));
    }
    if (seen) {
      counters.duplicatesSkipped++;
      return this.#ack(entry.id);
    }
    if (prior >= this.ctx.maxAttempts) return this.#exhausted(entry, decoded.event, subs, prior);
    const outcome = await this.ctx.runner.run(decoded.event, subs, this.ctx.closing, {
      prior, beforeRetry: () => this.ctx.attempts.recordRetry(entry.id),
    });
    // A retry counter exists only for an entry claimed or retried: forget it once settled.
    const counted = prior > 0 || outcome.attempts > 1;
    if (outcome.ok) {
      if (counted) this.ctx.attempts.forget(entry.id);
      return this.#ack(entry.id, decoded.event.eventId);
    }
    if (this.ctx.closing() && outcome.attempts < this.ctx.maxAttempts) return;
    await this.#handlerFailed(entry, decoded.event, outcome.failures, outcome.attempts);
    if (counted) this.ctx.attempts.forget(entry.id);
  }

  #ack(id: string, eventId?: string): void {
    this.ctx.counters.acked++;
    this.ctx.settler.ack(id, eventId);
  }

  async #decodeFailed(entry: StreamEntry, error: DecodeError): Promise<void> {
    this.ctx.counters.decodeErrors++;
    this.#safely(() => this.ctx.observer().error(error));
    await this.#deadLetter(entry, { reason: 'decode-failed', error: error.message, attempts: 1 });
  }

  async #handlerFailed(entry: StreamEntry, event: BusEvent, failures: readonly HandlerError[], attempts: number): Promise<void> {
    // Reported once per failing handler, when its event gives up, not on every attempt.
    for (const f of failures) this.#safely(() => this.ctx.observer().error(f, event));
    await this.#deadLetter(entry, { reason: 'handler-failed', error: describeFailures(failures), attempts, eventId: event.eventId });
  }

  async #exhausted(entry: StreamEntry, event: BusEvent, subs: readonly { readonly pattern: string }[], attempts: number): Promise<void> {
    const error = `${attempts} attempts across deliveries; the last ended without a result (the member handling it stopped: crash, kill or close)`;
    for (const s of subs) this.#safely(() => this.ctx.observer().error(new HandlerError(s.pattern, event.eventType, event.eventId, new Error(error)), event));
    await this.#deadLetter(entry, { reason: 'attempts-exhausted', error, attempts, eventId: event.eventId });
    this.ctx.attempts.forget(entry.id);
  }

  async #deadLetter(entry: StreamEntry, info: Parameters<StreamSettler['deadLetter']>[1]): Promise<void> {
    try {
      await this.ctx.settler.deadLetter(entry, info, this.ctx.deadLetterMaxLen);
      this.ctx.counters.deadLettered++;
    } catch {
      // Redis is unreachable: the entry stays pending and is claimed and tried again later.
    }
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // An observer that throws must not break the consumer loop.
    }
  }
}
