import { randomUUID } from 'node:crypto';
import type { AnyBusEvent, BusEvent, EventMeta, TraceContext } from '../events/bus-event.js';
import { DEFAULT_SOURCE } from '../events/define-event.js';
import { withTrace } from '../events/event-record.js';
import type { EventRegistry } from '../events/registry.js';
import { InvalidEventError, PublishError, toDotbusError, type DotbusError } from '../errors.js';
import type { BusTracing, SendSpan, SendStart } from '../tracing.js';
import { RECEIPT, RECEIPT_PROMISE, type PublishReceipt, type Transport } from '../transport.js';
import { requireEvent } from './event-check.js';
import type { ErrorHook } from './system-reporter.js';

/** The data type of the event of type `T` in the event union `E`. */
export type DataOf<E extends AnyBusEvent, T extends string> = E extends { readonly eventType: T; readonly data: infer D } ? D : never;

/** Counters of an {@link EventPublisher}. */
export interface PublisherStats {
  /** Publishes the transport accepted (or buffered). */
  readonly accepted: number;
  /** Publishes a backpressure policy dropped. */
  readonly dropped: number;
  /** Publishes that failed (invalid data, closed transport, …); each went to `onError`. */
  readonly failed: number;
  /** Publishes skipped because publishing is disabled. */
  readonly skipped: number;
}

/** Settings of an {@link EventPublisher}. */
export interface PublisherSettings {
  /** Receives every failure (the bus passes its reporter). */
  readonly report: ErrorHook;
  /** `source` of the events it builds. @default `/dotbus` */
  readonly source?: string;
  /**
   * The trace context of the calling code, stamped on events built without one
   * (`dotbus/otel`'s `activeTraceContext` reads OpenTelemetry's active span). @default none
   */
  readonly traceContext?: () => TraceContext | undefined;
  /** Spans around sends (`dotbus/otel`'s `otelTracing()`). @default none */
  readonly tracing?: BusTracing;
  /** Publish untyped events (`isUntyped`) of unknown types as they are, unchecked (the bus's `untyped`). @default false */
  readonly untyped?: boolean;
}

/**
 * The high-level publisher: builds events (id, time, source), publishes them, and never throws
 * into application code.
 *
 * @remarks Spec: `IEventPublisherFrontend`. Every failure resolves as a `failed` receipt, goes to
 * `onError`, is counted, and becomes a `system.error.publish` event on the local bus.
 */
export class EventPublisher<E extends AnyBusEvent> {
  readonly #transport: Transport;
  readonly #registry: EventRegistry;
  readonly #untyped: boolean;
  readonly #source: string;
  readonly #report: ErrorHook;
  readonly #traceContext: (() => TraceContext | undefined) | undefined;
  readonly #tracing: BusTracing | undefined;
  #accepted = 0;
  #dropped = 0;
  #failed = 0;
  #skipped = 0;

  /** Whether publishing does anything. Test it to skip building an event on hot paths. */
  readonly enabled: boolean;

  constructor(transport: Transport, registry: EventRegistry, settings: PublisherSettings) {
    this.#transport = transport;
    this.#registry = registry;
    this.#untyped = settings.untyped === true;
    this.#report = settings.report;
    this.#source = settings.source ?? DEFAULT_SOURCE;
    this.#traceContext = settings.traceContext;
    this.#tracing = settings.tracing;
    this.enabled = transport.enabled;
  }

  /**
   * Builds an event of `type` from `data` and publishes it.
   *
   * @example
   * ```ts
   * await bus.emit('order.placed', { orderId: 'o-1', total: 42 });
   * ```
   */
  emit<T extends E['eventType']>(type: T, data: DataOf<E, T>, meta?: EventMeta): Promise<PublishReceipt> {
    if (!this.enabled) return this.#skip();
    if (this.#tracing !== undefined) return this.#emitTraced(type, data, meta);
    let event: BusEvent;
    try {
      event = this.#registry.require(type).createOf(type, data, this.#complete(meta));
    } catch (e) {
      return this.#failure(e, nameOf(type));
    }
    return this.#send(event);
  }

  /** {@link emit} inside a send span: the id is drawn first so the span has it, the event is built with the span's context. */
  #emitTraced(type: string, data: unknown, meta: EventMeta | undefined): Promise<PublishReceipt> {
    let completed: EventMeta;
    let carried: TraceContext | undefined;
    try {
      carried = meta?.trace;
      completed = { ...meta, eventId: meta?.eventId ?? randomUUID() };
    } catch (e) {
      return this.#failure(e, nameOf(type));
    }
    const eventId = typeof completed.eventId === 'string' ? completed.eventId : undefined;
    // Only a registered type names the span: anything else is a caller's mistake, failed below.
    const eventType = typeof type === 'string' && this.#registry.get(type) !== undefined ? type : undefined;
    return this.#traced(eventType, eventId, carried, (trace) => {
      let event: BusEvent;
      try {
        event = this.#registry.require(type).createOf(type, data, this.#complete(completed, trace));
      } catch (e) {
        return this.#failure(e, nameOf(type));
      }
      return this.#send(event);
    });
  }

  /** Like {@link emit}, but `build` runs only when publishing is enabled. */
  emitWith<T extends E['eventType']>(type: T, build: () => DataOf<E, T>, meta?: EventMeta): Promise<PublishReceipt> {
    if (!this.enabled) return this.#skip();
    let data: DataOf<E, T>;
    try {
      data = build();
    } catch (e) {
      return this.#failure(e, nameOf(type));
    }
    return this.emit(type, data, meta);
  }

  /**
   * Publishes an event built beforehand (for example with a definition's `create`). An event a
   * registered definition built passes at once; anything else (a copy, a hand-written object)
   * is checked exactly as `create` would check it, on every transport alike, and published as
   * the event that check builds.
   */
  publish(event: E): Promise<PublishReceipt> {
    if (!this.enabled) return this.#skip();
    let checked: BusEvent;
    try {
      checked = requireEvent(event, this.#registry, this.#untyped);
    } catch (e) {
      return this.#failure(e, '(none)');
    }
    if (this.#tracing === undefined) return this.#send(checked);
    const carried = checked.trace;
    return this.#traced(checked.eventType, checked.eventId, carried, (trace) => this.#send(carried === undefined && trace !== undefined ? withTrace(checked, trace) : checked));
  }

  /**
   * Runs `send` inside a send span (its context is what events without one carry) and ends the
   * span with the receipt. A tracing hook that throws is ignored: the event is sent untraced.
   */
  #traced(
    eventType: string | undefined, eventId: string | undefined, carried: TraceContext | undefined,
    send: (trace: TraceContext | undefined) => Promise<PublishReceipt>,
  ): Promise<PublishReceipt> {
    const span = this.#startSend(eventType, eventId, 1, false, carried === undefined ? NONE_CARRIED : [carried]);
    if (span === undefined) return send(undefined);
    return this.#inSpan(span, () => send(span.traceContext)).then((receipt) => {
      endSend(span, [receipt]);
      return receipt;
    });
  }

  #startSend(eventType: string | undefined, eventId: string | undefined, count: number, batch: boolean, carried: readonly TraceContext[]): SendSpan | undefined {
    // One literal, always of the same shape: this runs on every traced publish.
    const start: SendStart = { transport: this.#transport.name, eventType, eventId, count, batch, carried };
    try {
      return this.#tracing?.startSend(start);
    } catch {
      return undefined;
    }
  }

  /**
   * `fn` with `span` current, run exactly once. `fn` never throws (failures are receipts), so a
   * throw here is the hook's: before `fn` ran, `fn` runs without the span; after, its result stands.
   */
  #inSpan<R>(span: SendSpan, fn: () => R): R {
    let outcome: { readonly value: R } | undefined;
    try {
      return span.run(() => (outcome = { value: fn() }).value);
    } catch {
      return outcome === undefined ? fn() : outcome.value;
    }
  }

  #send(event: BusEvent): Promise<PublishReceipt> {
    let pending: Promise<PublishReceipt>;
    try {
      pending = this.#transport.publish(event);
    } catch (e) {
      return this.#failure(e, event.eventType, event);
    }
    // The shared receipts of a transport's fast path are counted right away: chaining a `then` on
    // them would cost a closure, a promise and a microtask per event.
    if (pending === RECEIPT_PROMISE.accepted) {
      this.#accepted++;
      return pending;
    }
    if (pending === RECEIPT_PROMISE.dropped) {
      this.#dropped++;
      return pending;
    }
    return pending.then(
      (receipt) => (receipt.status === 'failed' ? this.#failedReceipt(receipt, event) : this.#count(receipt)),
      (e: unknown) => this.#failure(e, event.eventType, event),
    );
  }

  /**
   * Publishes several events in order, batched where the transport can: one receipt per event,
   * where an invalid event gets its own `failed` receipt and the others are still published. A
   * value that is not an array resolves as one `failed` receipt.
   */
  async publishBatch(events: readonly E[]): Promise<PublishReceipt[]> {
    let given: unknown[];
    try {
      if (!Array.isArray(events)) throw new InvalidEventError('(none)', [{ path: '', message: 'Expected an array of events' }]);
      given = Array.from(events as readonly unknown[]);
    } catch (e) {
      return [this.enabled ? await this.#failure(e, '(none)') : (this.#skipped++, RECEIPT.skipped)];
    }
    if (!this.enabled) return given.map(() => (this.#skipped++, RECEIPT.skipped));
    const receipts: (PublishReceipt | undefined)[] = new Array<PublishReceipt | undefined>(given.length);
    const valid: BusEvent[] = [];
    const at: number[] = [];
    for (let i = 0; i < given.length; i++) {
      try {
        valid.push(requireEvent(given[i], this.#registry, this.#untyped));
        at.push(i);
      } catch (e) {
        receipts[i] = await this.#failure(e, '(none)');
      }
    }
    if (valid.length > 0) {
      const span = this.#tracing === undefined ? undefined : this.#startSend(commonType(valid), undefined, valid.length, true, carriedBy(valid));
      const trace = span?.traceContext;
      const events = trace === undefined ? valid : valid.map((e) => (e.trace === undefined ? withTrace(e, trace) : e));
      const sent = span === undefined ? await this.#sendBatch(events) : await this.#inSpan(span, () => this.#sendBatch(events));
      sent.forEach((r, j) => (receipts[at[j]!] = r));
      if (span !== undefined) endSend(span, sent);
    }
    return receipts as PublishReceipt[];
  }

  /** Hands valid events to the transport in one batch: one receipt per event, counted and reported; never rejects. */
  async #sendBatch(valid: readonly BusEvent[]): Promise<PublishReceipt[]> {
    try {
      const sent = await this.#transport.publishBatch(valid);
      return sent.map((r, j) => (r.status === 'failed' ? this.#failedReceipt(r, valid[j]!) : this.#count(r)));
    } catch (e) {
      const failed: PublishReceipt[] = [];
      for (const event of valid) failed.push(await this.#failure(e, event.eventType, event));
      return failed;
    }
  }

  /** A snapshot of the counters. */
  stats(): PublisherStats {
    return { accepted: this.#accepted, dropped: this.#dropped, failed: this.#failed, skipped: this.#skipped };
  }

  /** `meta` with this publisher's source and a trace context filled in: the caller's, the send span's or the `traceContext` option's. */
  #complete(meta: EventMeta | undefined, sendTrace?: TraceContext): EventMeta {
    const trace = meta?.trace ?? sendTrace ?? this.#traceContext?.();
    return { ...meta, source: meta?.source ?? this.#source, ...(trace === undefined ? {} : { trace }) };
  }

  readonly #count = (receipt: PublishReceipt): PublishReceipt => {
    if (receipt.status === 'dropped') this.#dropped++;
    else this.#accepted++;
    return receipt;
  };

  /** A transport's own `failed` receipt (e.g. Redis refused the write): counted and reported like any failure. */
  #failedReceipt(receipt: PublishReceipt, event: BusEvent): PublishReceipt {
    this.#failed++;
    const error = receipt.error ?? new PublishError(event.eventType, 'the transport refused it');
    this.#report(error, event);
    return receipt.error === undefined ? { status: 'failed', error } : receipt;
  }

  #skip(): Promise<PublishReceipt> {
    this.#skipped++;
    return RECEIPT_PROMISE.skipped;
  }

  #failure(cause: unknown, eventType: string, event?: BusEvent): Promise<PublishReceipt> {
    this.#failed++;
    const error: DotbusError = toDotbusError(cause, (m) => new PublishError(eventType, m, { cause }));
    this.#report(error, event);
    return Promise.resolve({ status: 'failed', error });
  }
}

const NONE_CARRIED: readonly TraceContext[] = Object.freeze([]);

/** The type every event of a (non-empty) batch has, if they share one. */
function commonType(events: readonly BusEvent[]): string | undefined {
  const type = events[0]!.eventType;
  return events.every((e) => e.eventType === type) ? type : undefined;
}

/** The trace contexts the events of a batch brought themselves. */
function carriedBy(events: readonly BusEvent[]): readonly TraceContext[] {
  const carried: TraceContext[] = [];
  for (const e of events) if (e.trace !== undefined) carried.push(e.trace);
  return carried;
}

/** Ends a send span; a hook that throws must not turn a settled publish into a failure. */
function endSend(span: SendSpan, receipts: readonly PublishReceipt[]): void {
  try {
    span.end(receipts);
  } catch {
    // Nothing to report it to that would help: the tracing implementation is at fault, not the publish.
  }
}

/** A type argument as text for messages: whatever the caller passed, even a symbol. */
function nameOf(type: unknown): string {
  return typeof type === 'string' ? type : '(none)';
}
