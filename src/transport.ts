import type { BusEvent } from './events/bus-event.js';
import type { EventRegistry } from './events/registry.js';
import type { DotbusError } from './errors.js';
import type { BusObserver, DropReason } from './observer.js';
import type { EventSecurity } from './security/event-security.js';

/** What happened to a published event, as far as the producer can know. */
export type PublishStatus =
  /** Handed to the transport: queued for local handlers, or written to the broker. */
  | 'accepted'
  /** The broker is unreachable; the event waits in the bounded outage buffer. */
  | 'buffered'
  /** A backpressure policy dropped it (and counted it). */
  | 'dropped'
  /** Publishing is disabled (NoOp); nothing was done. */
  | 'skipped'
  /** It could not be published; `error` says why (the publisher, or a transport for one event of a batch or a write the broker refused). */
  | 'failed';

/** The result of a publish. */
export interface PublishReceipt {
  readonly status: PublishStatus;
  /** Why it failed or was dropped, when known. */
  readonly error?: DotbusError;
}

/** Shared receipts, so the hot path allocates nothing. */
export const RECEIPT = Object.freeze({
  accepted: Object.freeze<PublishReceipt>({ status: 'accepted' }),
  buffered: Object.freeze<PublishReceipt>({ status: 'buffered' }),
  dropped: Object.freeze<PublishReceipt>({ status: 'dropped' }),
  skipped: Object.freeze<PublishReceipt>({ status: 'skipped' }),
});

/** Resolved promises of {@link RECEIPT}, so the hot path allocates nothing. */
export const RECEIPT_PROMISE = Object.freeze({
  accepted: Promise.resolve(RECEIPT.accepted),
  buffered: Promise.resolve(RECEIPT.buffered),
  dropped: Promise.resolve(RECEIPT.dropped),
  skipped: Promise.resolve(RECEIPT.skipped),
});

/** What a failed handler call leads to; see {@link Delivery.onFailure}. */
export type FailureOutcome = 'none' | 'retry' | 'dead-letter';

/**
 * How one handler call came about: the subscription it serves and which attempt it is. Every
 * transport passes one as the handler's second argument.
 */
export interface Delivery {
  /** The pattern of the subscription the handler belongs to. */
  readonly pattern: string;
  /** 1 for the first call with this event; Redis Streams counts retries and redeliveries to other members too. */
  readonly attempt: number;
  /**
   * What a throw or rejection of this call leads to besides `onError`: `none` (the event is done
   * for this subscription: InMemory, Redis Pub/Sub), `retry` (Redis Streams, attempts left) or
   * `dead-letter` (Redis Streams, the last attempt).
   */
  readonly onFailure: FailureOutcome;
}

/**
 * Handles one event. A thrown error or rejection is isolated, counted and reported, never rethrown.
 * `delivery` says which subscription and attempt the call is (most handlers ignore it).
 */
export type EventHandler<E extends BusEvent = BusEvent> = (event: E, delivery: Delivery) => void | Promise<void>;

/** Identifies one subscription. */
export type SubscriptionId = string;

/** What a bounded queue does when it is full. */
export type BackpressurePolicy = 'wait' | 'drop-oldest' | 'drop-newest' | 'reject';

/** A bounded queue's size and policy. */
export interface QueueOptions {
  /** Most events waiting for one subscription's handler. @default 10_000 */
  readonly capacity?: number;
  /** What to do when full. @default 'drop-oldest' */
  readonly policy?: BackpressurePolicy;
}

/**
 * Per-subscription options. Every transport honours each field or refuses it at `subscribe` with
 * an `InvalidOptionError` naming the transport and the option (see the README's table).
 */
export interface SubscribeOptions {
  /** Unsubscribes when aborted. */
  readonly signal?: AbortSignal;
  /** Most handler calls of this subscription running at once (async handlers). @default 64 */
  readonly maxInFlight?: number;
  /** This subscription's queue. @default the transport's */
  readonly queue?: QueueOptions;
}

/**
 * A live subscription. Dispose it (or call `unsubscribe`) to stop receiving events and free
 * everything it holds.
 */
export interface Subscription extends Disposable {
  readonly id: SubscriptionId;
  readonly pattern: string;
  /**
   * Resolves once the subscription receives every event published from now on: at once in
   * process, once the broker confirmed it on Redis (`PSUBSCRIBE` acknowledged, consumer group
   * reading). Rejects with a `ConnectionError` when the broker can't confirm it in time; an
   * unawaited rejection is never reported as unhandled.
   */
  readonly ready: Promise<void>;
  /** Stops delivery; events already queued for it are dropped (counted as `closed`). Idempotent. */
  unsubscribe(): void;
}

/**
 * Publishes events.
 *
 * @remarks Spec: `IEventProducer`. Throws only for misuse (after `close`, `reject` policy);
 * the high-level {@link EventPublisher} turns every failure into a receipt and an `onError` call.
 */
export interface EventProducer {
  /** Publishes one event. Events from one producer reach each subscriber in publish order. */
  publish(event: BusEvent): Promise<PublishReceipt>;
  /** Publishes several events in order, batched where the transport can (one pipeline, one flush). */
  publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]>;
  /** Flushes what is buffered, then releases resources. Publishing afterwards throws `TransportClosedError`. */
  close(): Promise<void>;
}

/**
 * Subscribes handlers to event patterns.
 *
 * @remarks Spec: `IEventConsumer`.
 */
export interface EventConsumer {
  /**
   * Calls `handler` for every event whose type matches `pattern` (DESIGN §2 grammar).
   * @throws {@link InvalidPatternError} for an invalid pattern.
   */
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** Resolves once every queued event has been handled and no handler is running. */
  drain(): Promise<void>;
  /** Drains, then stops all subscriptions and releases resources. */
  close(): Promise<void>;
}

/**
 * Counters every transport keeps. Events are counted once each in `published`; deliveries and
 * queue drops are counted per matching subscription. For every subscription, what was routed to
 * it = delivered + dropped + queued + in flight; for an event with no subscription, `unrouted`.
 * With one subscription per event (the common test setup) that is published = delivered + dropped.
 */
export interface TransportStats {
  /** Events accepted by `publish` (or received from the broker, for a consumer). */
  readonly published: number;
  /** Handler calls started (one per matching subscription). */
  readonly delivered: number;
  /** Handler calls that threw or rejected. */
  readonly handlerErrors: number;
  /** Events with no matching subscription. */
  readonly unrouted: number;
  /** Counted drops, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Events waiting in subscription queues. */
  readonly queued: number;
  /** Handler calls running now. */
  readonly inFlight: number;
}

/** What a bus hands its transport before first use. */
export interface TransportContext {
  /** Definitions for decoding (distributed transports). */
  readonly registry: EventRegistry;
  /** Where failures and drops go. */
  readonly observer: BusObserver;
  /** Decode CloudEvents of unregistered types as untyped events (the bus's `untyped` option). */
  readonly untyped?: boolean;
  /**
   * Signing and verification (the bus's `security` option): a transport signs what it encodes and
   * verifies what it decodes with it; InMemory, which encodes nothing, signs and verifies each event
   * it publishes, so the option behaves the same on every transport.
   */
  readonly security?: EventSecurity;
}

/**
 * A producer and consumer over one medium (nothing, this process, Redis).
 * Every transport passes the conformance suite in `test/conformance`.
 */
export interface Transport extends EventProducer, EventConsumer {
  /** Short name for messages and stats, e.g. `in-memory`, `redis-pubsub`. */
  readonly name: string;
  /** Whether publishing does anything; `false` only for NoOp. */
  readonly enabled: boolean;
  /** Receives the bus's registry and observer; called once, before the first publish or subscribe. */
  bind(context: TransportContext): void;
  /** Resolves once the transport can deliver (connected, subscriptions confirmed). */
  ready(): Promise<void>;
  /**
   * Delivers `event` to this process's subscriptions only, never to a broker. Used for
   * `system.*` events about this process (health, errors, losses). Never throws.
   */
  publishLocal(event: BusEvent): void;
  /** A snapshot of the counters. */
  stats(): TransportStats;
}
