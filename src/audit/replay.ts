import { randomUUID } from 'node:crypto';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec, type AnyEventDefinition, type EventSink } from '../index.js';
import { asReplayOf, describeError } from '../internal.js';
import type { AuditRecord } from './audit-record.js';
import type { AuditQuery, AuditStore } from './audit-store.js';
import { SYSTEM_CLOCK, type ReplayClock } from './replay-clock.js';
import { factorOf, type ReplaySpeed } from './replay-speed.js';

/** Longest sleep between two progress reports while a replay waits, in ms of its clock. */
const WAIT_SLICE_MS = 250;

/** Options of {@link replayAudit}. */
export interface AuditReplayOptions {
  /** Where the records come from. */
  readonly store: AuditStore;
  /** Where the events go: a bus (or a transport). Only events of types it can publish arrive. */
  readonly target: EventSink;
  /** Which records: pattern, time range, context, trace (order and paging are the replay's). @default all */
  readonly query?: Omit<AuditQuery, 'cursor' | 'order' | 'limit' | 'kinds'>;
  /** @default 'instant' */
  readonly speed?: ReplaySpeed;
  /** The clock pacing is measured on. @default the system clock */
  readonly clock?: ReplayClock;
  /** Definitions to decode recorded events with (the built-in ones are always known). @default [] */
  readonly events?: readonly AnyEventDefinition[];
  /**
   * Called after each event with how far the replay is, `done` of `total` ms of the recorded span,
   * and, while the replay waits for the next event's time, at least every 250 ms of the clock with
   * the point of the recorded span it has reached, so a bar keeps moving through long gaps.
   */
  readonly onProgress?: (done: number, total: number, replayed: number) => void;
  /** Called for each record not replayed (a raw or gap record, one that does not decode, a refused publish). */
  readonly onSkip?: (record: AuditRecord, reason: string) => void;
  /** Stops the replay after the event in flight (or within 250 ms while it waits). */
  readonly signal?: AbortSignal;
}

/** What a replay did. */
export interface AuditReplaySummary {
  readonly replayed: number;
  readonly skipped: number;
  /** Recorded span: last event time minus first, ms. */
  readonly spanMs: number;
  /** How long it took on the replay's clock, ms. */
  readonly elapsedMs: number;
}

/**
 * Publishes recorded events again, in recorded order, into `target`: `instant`ly, at the
 * `original` pace (the gaps between event times kept), or `{ factor }` times faster. Each replayed
 * event is the recorded one under a new id, with `replayOf` (the CloudEvents extension `replayof`)
 * naming the recorded id, so consumers and recorders can tell it from live traffic.
 *
 * @remarks Pacing is absolute, not per gap: event i is due at `start + (time_i - time_0) / factor`,
 * so a slow publish doesn't add up over a long replay. Records whose time goes backwards are sent
 * at once, in their order.
 */
export async function replayAudit(options: AuditReplayOptions): Promise<AuditReplaySummary> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const factor = factorOf(options.speed ?? 'instant');
  const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, ...(options.events ?? [])]), { untyped: true });
  const query = { ...options.query, kinds: ['event'] as const };
  const first = (await options.store.query({ ...query, limit: 1 })).records[0];
  const last = (await options.store.query({ ...query, order: 'newest', limit: 1 })).records[0];
  const started = clock.now();
  if (first === undefined || last === undefined) return { replayed: 0, skipped: 0, spanMs: 0, elapsedMs: 0 };
  const t0 = first.time;
  const total = Math.max(0, last.time - t0);
  let replayed = 0;
  let skipped = 0;
  const skip = (record: AuditRecord, reason: string): void => {
    skipped++;
    options.onSkip?.(record, reason);
  };
  // Sleeps in slices when someone watches (progress, abort), so waits through long gaps don't hide.
  const sliced = options.onProgress !== undefined || options.signal !== undefined;
  const stopped = (): boolean => options.signal?.aborted === true;
  const waitUntil = async (due: number): Promise<void> => {
    for (;;) {
      const left = due - clock.now();
      if (!sliced || left <= WAIT_SLICE_MS) return clock.sleep(left);
      await clock.sleep(WAIT_SLICE_MS);
      if (stopped()) return;
      options.onProgress?.(Math.min(total, (clock.now() - started) * factor), total, replayed);
    }
  };
  for await (const record of options.store.scan({ ...query, limit: 1_000 })) {
    if (stopped()) break;
    if (factor !== Infinity) await waitUntil(started + (record.time - t0) / factor);
    if (stopped()) break;
    const decoded = codec.decode(record.body);
    if (!decoded.ok) {
      skip(record, decoded.error.message);
      continue;
    }
    const replay = asReplayOf(decoded.event, randomUUID());
    const receipt = await options.target.publish(replay!).catch((e: unknown) => ({ status: 'failed' as const, error: e }));
    if (receipt.status === 'failed' || receipt.status === 'dropped') skip(record, `publish ${receipt.status}: ${describeError('error' in receipt ? receipt.error : receipt.status)}`);
    else replayed++;
    options.onProgress?.(Math.max(0, Math.min(total, record.time - t0)), total, replayed);
  }
  return { replayed, skipped, spanMs: total, elapsedMs: clock.now() - started };
}
