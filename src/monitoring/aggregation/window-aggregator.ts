import type {
  AnyBusEvent,
  EventBus,
  EventSubscriber,
  KnownPattern,
  MatchingEvents,
  MetricsWindowEvent,
  Subscribable,
  Subscription,
} from '../../index.js';
import { warnOnError } from '../../internal.js';
import { aggregatorSettings, quantileKey, type AggregatorSettings, type WindowAggregatorOptions } from './aggregator-options.js';
import { valueReader, type FieldReader } from './field-path.js';
import { GroupKey } from './group-key.js';
import { GroupTable } from './group-table.js';
import { closeWindows, paneAt } from './group-windows.js';
import type { Pane } from './pane.js';
import { PanePool } from './pane-pool.js';
import { windowData, type WindowContext } from './window-data.js';
import { WindowPublisher } from './window-publisher.js';

/** Where an aggregator reads: a typed bus or subscriber (whose events type the options), or any {@link Subscribable}. */
export type AggregatorSource<E extends AnyBusEvent> = EventBus<E> | EventSubscriber<E> | Subscribable;

/** Counters of a {@link WindowAggregator}. */
export interface AggregatorStats {
  /** Events received. */
  readonly events: number;
  /** Events added to a window. */
  readonly merged: number;
  /** Events older than the watermark: counted, not merged. */
  readonly late: number;
  /** Events further ahead of the clock than `maxFutureMs`: counted, not merged. */
  readonly future: number;
  /** Events without a finite number at `value`. */
  readonly skipped: number;
  /** Groups with open windows now. */
  readonly groups: number;
  /** Groups evicted at `maxGroups`, their open windows discarded. */
  readonly evictedGroups: number;
  /** Windows closed with at least one event (each published once, unless the publisher is disabled). */
  readonly windows: number;
  /** Window events that could not be built or whose publish failed. */
  readonly failed: number;
  /** The watermark (ms since the epoch): older events are late. `-Infinity` before the first event. */
  readonly watermark: number;
}

/** One group's panes, ascending by start, and the labels its windows carry. */
interface Group {
  readonly labels: Readonly<Record<string, string>>;
  readonly panes: Pane[];
  touched: boolean;
}

/** Appended to the error of a pattern that matches none of the source's event types. */
type SourceHint = ' (misspelt? to aggregate event types without a definition, read from the transport)';

/**
 * Windowed aggregation of the events matching a pattern, by event time: tumbling or sliding
 * windows per group (fields of the event such as `data.operation`), each closed window published
 * as a `metrics.window.closed` event with count, rate, sum, min, max, mean and quantiles.
 *
 * @remarks Spec: "Metrics Aggregation — real-time aggregation through stream processing".
 * - **Event time.** Windows are `[k·slideMs, k·slideMs + windowMs)` of the events' `timestamp`.
 *   The watermark is the newest event time minus `allowedLatenessMs`; a window closes once the
 *   watermark passes its end. An event older than the watermark is late: counted, never merged.
 *   So the same events give the same windows live, on replay and in tests.
 * - **Quiet streams.** After `idleFlushMs` without events the watermark moves on with the wall
 *   clock, so windows close without a next event. `close()` publishes every open window.
 * - **Quantiles.** Each pane holds a relative-error sketch (logarithmic buckets, as DDSketch): the
 *   `q`-quantile of `n` values is within `relativeAccuracy` (1 % by default) of the exact value of
 *   rank `⌊q·(n−1)⌋`, whatever the distribution, for values spanning up to about 17 orders of magnitude.
 * - **Memory.** At most `maxGroups` groups × `(windowMs + allowedLatenessMs) / slideMs + 1` panes,
 *   each one sketch of at most 2 × (`maxBuckets` + 64) × 8 bytes; typically a few kB per pane.
 * - **Never throws into the bus.** Failures to build or publish a window are counted and go to
 *   `onError`; a `value` function that throws is reported by the bus as a handler error.
 *
 * @typeParam E - the events of the source (inferred from a typed bus)
 * @typeParam P - the pattern (inferred)
 * @example
 * ```ts
 * const latency = new WindowAggregator(bus, 'performance.operation.complete', {
 *   name: 'operations', publisher: bus, value: 'data.durationMs', groupBy: ['data.operation'],
 *   windowMs: 10_000, slideMs: 5_000,
 * });
 * bus.subscribe('metrics.window.closed', (w) => console.log(w.data.group, w.data.quantiles?.p99));
 * await latency.close(); // publishes the windows still open
 * ```
 */
export class WindowAggregator<E extends AnyBusEvent = AnyBusEvent, P extends string = string> implements AsyncDisposable {
  readonly #settings: AggregatorSettings;
  readonly #context: WindowContext;
  readonly #publisher: WindowPublisher;
  readonly #now: () => number;
  readonly #value: FieldReader | undefined;
  readonly #groupKey: GroupKey;
  readonly #groups: GroupTable<string | undefined, Group>;
  readonly #pool: PanePool;
  readonly #subscription: Subscription;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | undefined;
  #maxTime = -Infinity;
  /** Event times up to this are not from the future; the clock is read again only past it. */
  #futureLimit = -Infinity;
  /** Newest event time when the last tick saw events arrive, and the wall clock then. */
  #maxTimeAtActive = -Infinity;
  #watermark = -Infinity;
  /** End of the last windows closed: every window ending at or before it is closed. */
  #closedUntil = -Infinity;
  #events = 0;
  #eventsAtTick = 0;
  #lastActive = 0;
  #merged = 0;
  #late = 0;
  #future = 0;
  #skipped = 0;
  #evicted = 0;
  #windows = 0;

  /**
   * Starts aggregating the events of `source` whose type matches `pattern`.
   * @throws {@link InvalidOptionError} for an invalid option; {@link InvalidPatternError} for an invalid pattern built at run time.
   */
  constructor(source: AggregatorSource<E>, pattern: KnownPattern<P, E, SourceHint>, options: WindowAggregatorOptions<MatchingEvents<E, P>>) {
    this.#settings = aggregatorSettings(options);
    const value = options.value;
    this.#value = typeof value === 'string' ? valueReader(value) : (value as FieldReader | undefined);
    this.#groupKey = new GroupKey(options.groupBy ?? []);
    this.#context = {
      settings: this.#settings,
      pattern,
      field: typeof value === 'string' ? value : undefined,
      quantileKeys: this.#settings.quantiles.map(quantileKey),
    };
    const settings = this.#settings;
    this.#publisher = new WindowPublisher(options.publisher, settings.eventSource, settings.name, options.onError ?? warnOnError);
    this.#now = options.now ?? Date.now;
    this.#groups = new GroupTable(settings.maxGroups);
    this.#pool = new PanePool(this.#value === undefined ? undefined : settings);
    const subscribable: Subscribable = source;
    this.#subscription = subscribable.subscribe(pattern, (event) => this.#add(event));
    const idle = this.#settings.idleFlushMs;
    if (idle > 0) {
      this.#lastActive = this.#now();
      this.#timer = setInterval(() => this.#onTick(), Math.min(idle, this.#settings.slideMs));
      this.#timer.unref();
    }
  }

  /** The counters. */
  stats(): AggregatorStats {
    return {
      events: this.#events,
      merged: this.#merged,
      late: this.#late,
      future: this.#future,
      skipped: this.#skipped,
      groups: this.#groups.size,
      evictedGroups: this.#evicted,
      windows: this.#windows,
      failed: this.#publisher.failed,
      watermark: this.#watermark,
    };
  }

  /**
   * Stops reading, publishes every window still open (as if their time had passed) and resolves
   * once their publishes have settled. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    this.#subscription.unsubscribe();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    let last = this.#closedUntil;
    for (const [, group] of this.#groups.entries()) {
      const newest = group.panes[group.panes.length - 1];
      if (newest !== undefined) last = Math.max(last, newest.start + this.#settings.windowMs);
    }
    this.#closeUntil(last);
    await this.#publisher.settled();
  }

  #add(event: AnyBusEvent): void {
    if (this.#closing !== undefined) return;
    this.#events++;
    const time = event.timestamp.getTime();
    if (time < this.#watermark) {
      this.#late++;
      return;
    }
    if (time > this.#maxTime && !this.#advance(time)) return;
    let value: number | undefined;
    if (this.#value !== undefined) {
      const v = this.#value(event);
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.#skipped++;
        return;
      }
      value = v;
    }
    const slide = this.#settings.slideMs;
    const pane = paneAt(this.#groupOf(event).panes, Math.floor(time / slide) * slide, this.#pool);
    pane.count++;
    if (value !== undefined) pane.sketch!.add(value);
    this.#merged++;
  }

  /** Moves event time on to `time`, closing the windows the watermark passes; `false` refuses an event from the future. */
  #advance(time: number): boolean {
    // The clock only moves forward, so a time under the last limit is under today's: no clock read per event.
    if (time > this.#futureLimit) {
      this.#futureLimit = this.#now() + this.#settings.maxFutureMs;
      if (time > this.#futureLimit) {
        this.#future++;
        return false;
      }
    }
    this.#maxTime = time;
    this.#moveWatermark(time - this.#settings.allowedLatenessMs);
    return true;
  }

  #moveWatermark(watermark: number): void {
    if (watermark <= this.#watermark) return;
    this.#watermark = watermark;
    const slide = this.#settings.slideMs;
    if (watermark >= this.#closedUntil + slide) this.#closeUntil(Math.floor(watermark / slide) * slide);
  }

  /**
   * The idle flush: after `idleFlushMs` without events, event time follows the wall clock from
   * where it was when events last arrived (as seen by a tick: at most one tick late, so windows
   * close at most one tick later than a per-event clock read would make them).
   */
  #onTick(): void {
    const now = this.#now();
    if (this.#events !== this.#eventsAtTick) {
      this.#eventsAtTick = this.#events;
      this.#lastActive = now;
      this.#maxTimeAtActive = this.#maxTime;
      return;
    }
    if (this.#groups.size === 0 || now - this.#lastActive < this.#settings.idleFlushMs) return;
    this.#moveWatermark(this.#maxTimeAtActive + (now - this.#lastActive) - this.#settings.allowedLatenessMs);
  }

  #groupOf(event: AnyBusEvent): Group {
    const key = this.#groupKey.of(event);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { labels: this.#groupKey.labels(event), panes: [], touched: false };
      this.#groups.add(key, group, (evicted) => {
        this.#evicted++;
        this.#pool.give(evicted.panes);
      });
    }
    return group;
  }

  /** Closes every window ending after `#closedUntil` and at or before `until`, and publishes them in order of end. */
  #closeUntil(until: number): void {
    if (until <= this.#closedUntil) return;
    const closed: { readonly end: number; readonly data: MetricsWindowEvent['data'] }[] = [];
    const publishing = this.#publisher.sink.enabled;
    for (const [key, group] of this.#groups.entries()) {
      closeWindows(group.panes, this.#settings, this.#closedUntil, until, this.#pool, (end, pane: Pane) => {
        this.#windows++;
        if (publishing) closed.push({ end, data: windowData(this.#context, group.labels, end, pane, this.#totals()) });
      });
      if (group.panes.length === 0) this.#groups.delete(key);
    }
    this.#closedUntil = until;
    closed.sort((a, b) => a.end - b.end);
    for (const w of closed) this.#publisher.publish(w.end, w.data);
  }

  #totals(): { lateEvents: number; futureEvents: number; evictedGroups: number } {
    return { lateEvents: this.#late, futureEvents: this.#future, evictedGroups: this.#evicted };
  }
}
