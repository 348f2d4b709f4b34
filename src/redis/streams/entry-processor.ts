import { type BusEvent, type BusObserver, type DecodeFailure, type JsonCodec } from '../../index.js';
import { DecodeError, HandlerError, type DotbusError, type SubscriptionTable, type TableSubscription } from '../../internal.js';
import type { AttemptLedger } from './attempts.js';
import type { StreamsCounters } from './counters.js';
import type { DeadLetterInfo, DeadLetterWriter } from './dead-letter.js';
import type { EntryView, MalformedReason, RawEntry } from './entries.js';
import { describeFailures, type HandlerRunner, type HandlingOutcome } from './handler-runner.js';
import type { StreamSettler } from './settler.js';
import { undecodableEntry, type UndecodableHandler, type UndecodableReason } from './undecodable.js';

/** What an {@link EntryProcessor} works with. */
export interface EntryProcessorContext {
  readonly subscriptions: SubscriptionTable<TableSubscription>;
  readonly runner: HandlerRunner;
  readonly settler: StreamSettler;
  readonly deadLetters: DeadLetterWriter;
  readonly attempts: AttemptLedger;
  readonly counters: StreamsCounters;
  readonly maxAttempts: number;
  /** The event stream's key, for {@link UndecodableEntry}s. */
  readonly stream: string;
  /** Takes undecodable entries instead of the dead-letter stream (the `onUndecodable` option). */
  readonly onUndecodable: UndecodableHandler | undefined;
  codec(): JsonCodec;
  observer(): BusObserver;
  closing(): boolean;
}

/** The codec's reason for each malformed shape, for the {@link DecodeError} reported. */
const DECODE_FAILURE: Readonly<Record<MalformedReason, DecodeFailure>> = {
  'missing-message': 'not-a-cloudevent',
  'missing-type': 'not-a-cloudevent',
  'invalid-type': 'not-a-cloudevent',
  'duplicate-field': 'not-a-cloudevent',
  'not-utf8': 'malformed-json',
  oversize: 'oversize',
};

/** Most dead letters remembered while the dead-letter stream refuses them (see {@link EntryProcessor}). */
const MAX_REFUSED_REMEMBERED = 10_000;

/**
 * Takes one stream entry from read to acknowledgement: check its shape, count its attempts, route,
 * decode, guard, handle with retries, then acknowledge or dead-letter.
 *
 * @remarks The order is what keeps a hostile or crashing entry from stalling the group:
 * 1. A pending entry trimmed by retention (nil fields) is counted as `expired` and acknowledged.
 * 2. An entry whose shape is wrong ({@link inspectEntry}: no message or type field, a field that is
 *    not UTF-8, over `maxMessageBytes`, …) is dead-lettered with that precise reason, unparsed.
 * 3. An entry whose earlier deliveries used up `maxAttempts` ({@link AttemptLedger}: its members
 *    kept dying, in a handler or in anything before it, decoding included) is dead-lettered as
 *    `attempts-exhausted` without being decoded or handled again. Attempts are known before
 *    anything that could crash the process touches the entry.
 * 4. An entry nobody here subscribes to is acknowledged without being parsed (`unrouted`).
 * 5. The message is decoded; an entry that does not decode, or whose `t` / `i` fields disagree
 *    with the event it carries, is dead-lettered (`decode-failed`, `type-mismatch`, `id-mismatch`).
 * 6. The handlers run with retries; the entry is acknowledged only after every one succeeded
 *    (at-least-once), or dead-lettered (`handler-failed`) once they failed `maxAttempts` times.
 *    An entry whose retries were cut short by `close()` stays pending and is redelivered.
 *
 * With `onUndecodable`, the entries of steps 2 and 5 go to it instead of the dead-letter stream,
 * and are acknowledged only once it resolved.
 *
 * Every dead-lettered or undecodable entry is reported to the observer (`onError`). A dead letter the stream
 * refuses leaves its entry pending ({@link DeadLetterWriter}); its reason is remembered, so when
 * this member claims it again it is dead-lettered with that reason, not handled again.
 */
export class EntryProcessor {
  /** Dead letters the stream refused, by entry id: written as they were once it accepts them. */
  readonly #refused = new Map<string, DeadLetterInfo>();

  constructor(private readonly ctx: EntryProcessorContext) {}

  /**
   * Processes `entry`; `view` is its shape ({@link inspectEntry}; `undefined` when trimmed), `seen`
   * says the guard already knows it as processed, `prior` how many attempts earlier deliveries
   * made (0 for a first delivery). `undefined` when the entry was settled at once (handlers that
   * returned without a promise and succeeded: most entries), else a promise of the end. Never
   * throws or rejects.
   */
  process(entry: RawEntry, view: EntryView | undefined, seen: boolean, prior = 0): Promise<void> | undefined {
    const { counters } = this.ctx;
    if (view === undefined) {
      // Trimmed by retention before anyone here handled it: counted, and acked so that it leaves
      // the pending list (Redis before 7 keeps returning such ids from XAUTOCLAIM).
      counters.drops.add('expired');
      this.#safely(() => this.ctx.observer().dropped('expired', 1));
      return this.#ack(entry.id);
    }
    const refused = this.#refused.get(entry.id);
    if (refused !== undefined && prior >= this.ctx.maxAttempts) return this.#deadLetter(entry, refused).then(() => undefined);
    if (!view.ok) return this.#malformed(entry, view.reason, view.detail, prior, view.type, view.eventId);
    const subs = this.ctx.subscriptions.match(view.type);
    if (prior >= this.ctx.maxAttempts) return this.#exhausted(entry, view, subs, prior);
    if (subs.length === 0) {
      counters.unrouted++;
      return this.#ack(entry.id);
    }
    const decoded = this.ctx.codec().decode(view.message, prior > 0);
    if (!decoded.ok) return this.#decodeFailed(entry, decoded.error.reason === 'signature-rejected' ? 'signature-rejected' : 'decode-failed', decoded.error, prior, view.eventId);
    const event = decoded.event;
    // Handlers were chosen by the entry's type field: an event of another type must not reach them.
    if (event.eventType !== view.type) {
      return this.#decodeFailed(entry, 'type-mismatch', new DecodeError('not-a-cloudevent', `the entry says ${JSON.stringify(view.type)} but carries a ${JSON.stringify(event.eventType)} event`), prior, event.eventId);
    }
    // The guard looked the entry up by its id field: that must be the event it carries.
    if (view.eventId !== undefined && event.eventId !== view.eventId) {
      return this.#decodeFailed(entry, 'id-mismatch', new DecodeError('not-a-cloudevent', `the entry's id field ${JSON.stringify(view.eventId)} is not its event's id`), prior, event.eventId);
    }
    if (seen) {
      counters.duplicatesSkipped++;
      return this.#ack(entry.id);
    }
    const outcome = this.ctx.runner.handle(event, subs, this.ctx.closing, { prior, beforeRetry: () => this.ctx.attempts.recordRetry(entry.id) });
    if (outcome instanceof Promise) return outcome.then((o) => this.#settle(entry, event, o, prior));
    return this.#settle(entry, event, outcome, prior);
  }

  /** Acknowledges a handled entry, or reports and dead-letters one whose handlers used up their attempts. */
  #settle(entry: RawEntry, event: BusEvent, outcome: HandlingOutcome, prior: number): Promise<void> | undefined {
    // A retry counter exists only for an entry claimed or retried: forget it once settled.
    const counted = prior > 0 || outcome.attempts > 1;
    if (outcome.ok) {
      if (counted) this.ctx.attempts.forget(entry.id);
      return this.#ack(entry.id, event.eventId);
    }
    if (this.ctx.closing() && outcome.attempts < this.ctx.maxAttempts) return undefined;
    // Reported once per failing handler, when its event gives up, not on every attempt.
    for (const f of outcome.failures) this.#report(f, event);
    return this.#deadLetterFailed(entry, event, outcome, counted);
  }

  async #deadLetterFailed(entry: RawEntry, event: BusEvent, outcome: Extract<HandlingOutcome, { ok: false }>, counted: boolean): Promise<void> {
    const written = await this.#deadLetter(entry, { reason: 'handler-failed', error: describeFailures(outcome.failures), attempts: outcome.attempts, eventId: event.eventId });
    // Kept while the entry stays pending: a claim must see the attempts made, not start over.
    if (written && counted) this.ctx.attempts.forget(entry.id);
  }

  #ack(id: string, eventId?: string): undefined {
    this.ctx.counters.acked++;
    this.ctx.settler.ack(id, eventId);
    return undefined;
  }

  async #malformed(entry: RawEntry, reason: MalformedReason, detail: string, prior: number, type: string | undefined, eventId: string | undefined): Promise<void> {
    const error = new DecodeError(DECODE_FAILURE[reason], `stream entry ${entry.id}${type === undefined ? '' : ` (${type})`} is malformed (${reason}): ${detail}`);
    this.ctx.counters.decodeErrors++;
    this.#report(error);
    await this.#undecodable(entry, { reason, error: error.message, attempts: prior + 1, ...(eventId === undefined ? {} : { eventId }) });
  }

  async #decodeFailed(entry: RawEntry, reason: 'decode-failed' | 'signature-rejected' | 'type-mismatch' | 'id-mismatch', error: DecodeError, prior: number, eventId: string | undefined): Promise<void> {
    this.ctx.counters.decodeErrors++;
    this.#report(error);
    await this.#undecodable(entry, { reason, error: error.message, attempts: prior + 1, ...(eventId === undefined ? {} : { eventId }) });
  }

  /**
   * Hands an entry that does not decode to `onUndecodable` and acknowledges it once that resolved,
   * or dead-letters it when there is no such handler. A handler that fails leaves the entry pending.
   */
  async #undecodable(entry: RawEntry, info: DeadLetterInfo & { readonly reason: UndecodableReason }): Promise<void> {
    const take = this.ctx.onUndecodable;
    if (take === undefined) return void (await this.#deadLetter(entry, info));
    try {
      await take(undecodableEntry(this.ctx.stream, entry, info.reason, info.error, info.eventId));
    } catch (e) {
      // Not acknowledged: claimed and handed over again after claimIdleMs.
      this.#report(new HandlerError('onUndecodable', `an undecodable entry (${info.reason})`, entry.id, e));
      return;
    }
    this.#ack(entry.id);
  }

  /** Attempts used up by earlier deliveries: dead-letter the entry from its fields alone, never decoding it. */
  async #exhausted(entry: RawEntry, view: Extract<EntryView, { ok: true }>, subs: readonly { readonly pattern: string }[], attempts: number): Promise<void> {
    const error = `${attempts} attempts across deliveries (maxAttempts ${this.ctx.maxAttempts}) ended without a result: the members that held it stopped (crash, kill or close) before settling it, possibly while decoding it, so it is not decoded again`;
    const eventId = view.eventId ?? entry.id;
    const patterns = subs.length > 0 ? subs.map((s) => s.pattern) : ['(no subscription in this member)'];
    for (const p of patterns) this.#report(new HandlerError(p, view.type, eventId, new Error(error)));
    const written = await this.#deadLetter(entry, { reason: 'attempts-exhausted', error, attempts, ...(view.eventId === undefined ? {} : { eventId: view.eventId }) });
    if (written) this.ctx.attempts.forget(entry.id);
  }

  /** Writes the dead letter; `false` if the entry stays pending (its info is kept for the next claim). */
  async #deadLetter(entry: RawEntry, info: DeadLetterInfo): Promise<boolean> {
    const outcome = await this.ctx.deadLetters.write(entry, info);
    if (outcome === 'written') {
      this.ctx.counters.deadLettered++;
      this.#refused.delete(entry.id);
      return true;
    }
    if (outcome === 'refused' && !this.#refused.has(entry.id)) {
      if (this.#refused.size >= MAX_REFUSED_REMEMBERED) this.#refused.delete(this.#refused.keys().next().value!);
      this.#refused.set(entry.id, info);
    }
    // Refused, or Redis unreachable: the entry stays pending and is claimed and tried again later.
    return false;
  }

  #report(error: DotbusError, event?: BusEvent): void {
    this.#safely(() => this.ctx.observer().error(error, event));
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // An observer that throws must not break the consumer loop.
    }
  }
}
