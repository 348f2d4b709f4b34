import type { TraceContext } from './events/bus-event.js';
import type { EventHandler, PublishReceipt } from './transport.js';

/** One send (`emit`, `publish` or `publishBatch`) as a bus describes it to its {@link BusTracing}. */
export interface SendStart {
  /** The bus's transport, e.g. `in-memory`, `redis-pubsub`. */
  readonly transport: string;
  /** The type of every event sent; `undefined` when a batch mixes types. */
  readonly eventType: string | undefined;
  /** The id of the event sent; `undefined` for a batch. */
  readonly eventId: string | undefined;
  /** Events sent: 1 for `emit` and `publish`. */
  readonly count: number;
  /** Whether the application called the batch API (`publishBatch`), even with one event. */
  readonly batch: boolean;
  /**
   * Trace contexts the application put on the events itself (`meta.trace`, or events built in
   * advance with one): they are kept as they are, and the send links to them.
   */
  readonly carried: readonly TraceContext[];
}

/** A send in progress, from {@link BusTracing.startSend}. */
export interface SendSpan {
  /**
   * The context stamped on each event sent that carries none (so consumers find their producer);
   * `undefined` when there is none to give (no tracing SDK installed).
   */
  readonly traceContext: TraceContext | undefined;
  /** Runs `fn` with this send as the current context, so that a client library's spans nest under it. */
  run<R>(fn: () => R): R;
  /** Ends the send with its receipts, one per event sent. */
  end(receipts: readonly PublishReceipt[]): void;
}

/**
 * How a bus traces its sends and handler calls: `createBus({ tracing })`. `dotbus/otel`'s
 * `otelTracing()` implements it with OpenTelemetry; core never loads a tracing library.
 *
 * @remarks Without `tracing` a bus calls nothing of this: publishing and dispatch cost what they
 * cost before. Implementations must not throw (a throwing hook is caught and the send goes on
 * untraced) and must keep a handler's contract: the wrapper returns what the handler returns,
 * and rethrows its failures unchanged so the bus still isolates, counts and reports them.
 */
export interface BusTracing {
  /** Called before a send builds or hands over its events; {@link SendSpan.end} is called once it settled. */
  startSend(send: SendStart): SendSpan;
  /** Called once per `subscribe` of the bus: the handler the transport will call instead of `handler`. */
  wrapHandler(handler: EventHandler, pattern: string): EventHandler;
}
