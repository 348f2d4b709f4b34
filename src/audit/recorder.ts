import { parsePattern, type AnyBusEvent, type BusObserver, type DotbusError, type DropReason, type Subscribable, type Subscription } from '../index.js';
import { eventEntry, gapEntry, rawEntry } from './audit-entries.js';
import type { AuditEntry } from './audit-record.js';
import type { AuditStore } from './audit-store.js';
import { BatchWriter, type BatchWriterOptions } from './batch-writer.js';

/** Longest a gap record waits for the event that revealed the loss, in ms. */
const HELD_GAP_MS = 2_000;

/** Options of {@link AuditRecorder}. */
export interface AuditRecorderOptions extends BatchWriterOptions {
  /** Which events to record. @default '*' (all) */
  readonly pattern?: string;
  /** Also record replayed events (those with `replayOf`, the `replayof` extension). @default false */
  readonly recordReplays?: boolean;
  /**
   * Record decode failures the bus reports to its observer as raw records with their reason, but
   * without the message (the observer does not get it). Turn it off when the transport hands the
   * message itself to the recorder (Redis Streams' `onUndecodable` with
   * {@link AuditRecorder.recordUndecodable}, Pub/Sub's `onDecodeError` with
   * {@link AuditRecorder.recordRaw}), or each would be recorded twice. @default true
   */
  readonly decodeErrorsFromObserver?: boolean;
  /** Called for a batch the store refused, and any other failure; must not throw. @default ignored */
  readonly onError?: (error: unknown) => void;
}

/** A message a transport could not decode, with a key of its own (Redis Streams' `UndecodableEntry` is one). */
export interface UndecodableMessage {
  /** Where it was read, e.g. the stream key. */
  readonly stream: string;
  /** Its id there: `stream` and `id` together name it for good. */
  readonly id: string;
  /** When the transport stored it, epoch ms. */
  readonly time: number;
  /** Why it did not decode, as a short code. */
  readonly reason: string;
  /** Why, in a sentence. */
  readonly error: string;
  /** Its bytes exactly as stored; `undefined` when it had none. */
  readonly message: Uint8Array | undefined;
}

/** What a recorder has done. */
export interface AuditRecorderStats {
  /** Records appended: events, raw messages and gaps. */
  readonly recorded: number;
  /** Events already in the log (redeliveries), not appended again. */
  readonly duplicates: number;
  /** Undecodable messages handed over (one handed over again after a crash counts again, and as a duplicate). */
  readonly raw: number;
  readonly gaps: number;
  /** Events the gaps say were lost. */
  readonly lost: number;
  /** Replayed events not recorded (see `recordReplays`). */
  readonly skippedReplays: number;
  readonly batches: number;
  readonly failedBatches: number;
}

/**
 * Records every event matching a pattern from any bus or transport into an {@link AuditStore}, in
 * batches.
 *
 * @remarks The handler it subscribes resolves only once the batch holding the event is committed,
 * and rejects when the commit failed. On Redis Streams, which acknowledges an entry only after its
 * handlers succeeded, that makes a recorder killed at any moment lose nothing (unacknowledged
 * entries are delivered again) and duplicate nothing (the event id is unique in the log). Give the
 * bus {@link AuditRecorder.observer}: losses it detects (Pub/Sub sequence gaps, queue drops) become
 * gap records, so the log shows where it is incomplete.
 *
 * @example
 * ```ts
 * const recorder = new AuditRecorder(store, { pattern: 'order.*' });
 * const bus = createBus({ transport, untyped: true, observer: recorder.observer });
 * recorder.start(bus);
 * // …
 * console.log(await recorder.close());
 * ```
 */
export class AuditRecorder {
  readonly #writer: BatchWriter;
  readonly #options: AuditRecorderOptions;
  readonly #pattern: string;
  #subscription: Subscription | undefined;
  #counts = { raw: 0, gaps: 0, lost: 0, skippedReplays: 0 };
  /** Gap records waiting for the event that revealed them (see {@link AuditRecorder.#holdGap}). */
  readonly #heldGaps = new Map<string, { readonly entries: AuditEntry[]; readonly timer: ReturnType<typeof setTimeout> }>();

  /** Hooks for the bus's `observer` option: detected losses and decode failures become records. */
  readonly observer: BusObserver;

  constructor(store: AuditStore, options: AuditRecorderOptions = {}) {
    this.#options = options;
    this.#pattern = options.pattern ?? '*';
    parsePattern(this.#pattern);
    this.#writer = new BatchWriter(store, options);
    this.observer = {
      error: (error: DotbusError) => {
        // A refused signature is a decode failure too: the log shows that someone tried.
        if ((error.code === 'DECODE_FAILED' || error.code === 'SIGNATURE_REJECTED') && options.decodeErrorsFromObserver !== false) this.#background(this.recordRaw(undefined, error.message));
      },
      dropped: (reason: DropReason, count: number, eventType?: string, revealedBy?: AnyBusEvent) => {
        const detail = reason === 'lost' ? 'sequence gap' : `dropped: ${reason}`;
        if (revealedBy === undefined) this.#background(this.recordGap(count, eventType, detail));
        else this.#holdGap(revealedBy.eventId, count, eventType, detail);
      },
    };
  }

  /** Subscribes to `source` (a bus created with `untyped: true` to keep events of every type, or a transport). */
  start(source: Subscribable): Subscription {
    if (this.#subscription !== undefined) throw new Error('this recorder is already started');
    this.#subscription = source.subscribe(this.#pattern, (event) => this.record(event));
    return this.#subscription;
  }

  /** Records one event; resolves once it is committed. */
  record(event: AnyBusEvent): Promise<void> {
    this.#releaseGaps(event.eventId);
    if (event.replayOf !== undefined && this.#options.recordReplays !== true) {
      this.#counts.skippedReplays++;
      return Promise.resolve();
    }
    return this.#writer.add(eventEntry(event));
  }

  /** Records a message that did not decode, with why (`raw` undefined: the transport kept it elsewhere). */
  recordRaw(raw: string | Uint8Array | undefined, reason: string): Promise<void> {
    this.#counts.raw++;
    return this.#writer.add(rawEntry(raw ?? '', raw === undefined ? `${reason} (message not available to the recorder)` : reason));
  }

  /**
   * Records a message that did not decode under a key of its own; resolves once it is committed
   * (a message whose key is already in the log is not stored again). Fits Redis Streams'
   * `onUndecodable`, which acknowledges the entry only then, so a recorder killed at any moment
   * keeps each such entry exactly once.
   *
   * @example
   * ```ts
   * redisStreams({ group: 'audit', onUndecodable: (u) => recorder.recordUndecodable(u) });
   * ```
   */
  recordUndecodable(message: UndecodableMessage): Promise<void> {
    this.#counts.raw++;
    const key = `${message.stream}/${message.id}`;
    return this.#writer.add(rawEntry(message.message ?? '', `${message.reason}: ${message.error}`, message.time, key));
  }

  /** Records a detected loss of `lost` events. */
  recordGap(lost: number, eventType?: string, detail = 'sequence gap'): Promise<void> {
    this.#counts.gaps++;
    this.#counts.lost += lost;
    return this.#writer.add(gapEntry({ lost, detail, ...(eventType === undefined ? {} : { eventType }) }));
  }

  stats(): AuditRecorderStats {
    const w = this.#writer.stats();
    return { recorded: w.appended, duplicates: w.duplicates, ...this.#counts, batches: w.batches, failedBatches: w.failedBatches };
  }

  /** Commits what is pending. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Unsubscribes and commits what is pending; the store stays open. Resolves with the totals. */
  async close(): Promise<AuditRecorderStats> {
    this.#subscription?.unsubscribe();
    for (const eventId of [...this.#heldGaps.keys()]) this.#releaseGaps(eventId);
    await this.#writer.flush();
    return this.stats();
  }

  /**
   * Keeps a gap revealed by the arrival of event `eventId` until that event reaches
   * {@link record}, so the gap record goes into the log right before it, after the events that
   * were still queued for this recorder when the loss was noticed. Written anyway after
   * {@link HELD_GAP_MS} (the event may never come here: another subscriber's type, a full queue).
   */
  #holdGap(eventId: string, lost: number, eventType: string | undefined, detail: string): void {
    this.#counts.gaps++;
    this.#counts.lost += lost;
    const entry = gapEntry({ lost, detail, ...(eventType === undefined ? {} : { eventType }) });
    const held = this.#heldGaps.get(eventId);
    if (held !== undefined) return void held.entries.push(entry);
    const timer = setTimeout(() => this.#releaseGaps(eventId), HELD_GAP_MS);
    timer.unref();
    this.#heldGaps.set(eventId, { entries: [entry], timer });
  }

  #releaseGaps(eventId: string): void {
    if (this.#heldGaps.size === 0) return;
    const held = this.#heldGaps.get(eventId);
    if (held === undefined) return;
    this.#heldGaps.delete(eventId);
    clearTimeout(held.timer);
    for (const entry of held.entries) this.#background(this.#writer.add(entry));
  }

  #background(write: Promise<void>): void {
    write.catch((e: unknown) => {
      try {
        this.#options.onError?.(e);
      } catch {
        // An onError that throws must not become an unhandled rejection.
      }
    });
  }
}

