import type { BusEvent, DropReason, JsonCodec, PublishReceipt } from '../index.js';
import { describeError, PublishError, RECEIPT, RECEIPT_PROMISE, TransportClosedError, type DotbusError } from '../internal.js';
import type { ConnectionMonitor } from './connection-monitor.js';
import { OutageBuffer, type OutageBufferOptions } from './outage-buffer.js';
import { ReplyTracker } from './reply-tracker.js';

/** What every Redis producer needs from its transport. */
export interface ProducerHooks {
  readonly buffer: OutageBufferOptions;
  /** The codec of the bound registry (changes once, on `bind`). */
  codec(): JsonCodec;
  /** Counts a drop where users look (transport stats, observer). */
  countDrop(reason: DropReason, count: number, eventType: string): void;
  /** Reports a failure that has no caller to throw to. */
  report(error: DotbusError): void;
}

/** Counters every Redis producer keeps. */
export interface ProducerStats {
  /** Writes (`PUBLISH`, `XADD`) Redis acknowledged. */
  readonly sent: number;
  /** Events waiting in the outage buffer now. */
  readonly buffered: number;
  /** Events sent from the outage buffer after a reconnect. */
  readonly flushed: number;
  /** Writes sent and not yet acknowledged. */
  readonly unacknowledged: number;
}

/**
 * What the Pub/Sub and Streams producers share around the one command each sends: the connection,
 * the bounded outage buffer and its flush on reconnect, the replies in flight, the periodic
 * timer, the receipts of refused writes, and the shutdown. A producer composes one and adds how
 * an event becomes a command.
 */
export class ProducerCore {
  readonly buffer: OutageBuffer<BusEvent>;
  readonly replies = new ReplyTracker();
  /**
   * What each event whose write was lost with its connection was first sent as. It is re-sent
   * byte for byte, producer stamp included: a new sequence number would leave its first one as a
   * gap that consumers count as lost although the event arrives, and a copy Redis did handle
   * before the connection broke is then dropped by consumers as a duplicate.
   */
  readonly #sentAs = new Map<BusEvent, string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * @param transport the transport's name, for errors
   * @param command the write, for errors (`PUBLISH`, `XADD`)
   * @param send writes one event (the producer's command); the buffer is flushed with it too
   */
  constructor(
    private readonly transport: string,
    private readonly command: string,
    readonly monitor: ConnectionMonitor,
    readonly hooks: ProducerHooks,
    private readonly send: (event: BusEvent) => Promise<PublishReceipt>,
  ) {
    this.buffer = new OutageBuffer<BusEvent>(hooks.buffer, (reason, e) => {
      this.#sentAs.delete(e);
      hooks.countDrop(reason, 1, e.eventType);
    });
    // After ioredis has re-sent the commands in flight when the connection broke (it does so right
    // after 'ready'), so that they keep their place before everything buffered since.
    monitor.client.on('ready', () => queueMicrotask(() => this.#flush()));
    // A broken connection: callers stop waiting for replies that come only after the reconnect.
    monitor.client.on('close', () => this.replies.releaseAll());
  }

  /** Whether `close()` has begun. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether commands can be sent now. */
  get up(): boolean {
    return this.monitor.client.status === 'ready';
  }

  /** Connects and runs `tick` every `everyMs`. Idempotent. */
  start(everyMs: number, tick: () => void): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.monitor.client.connect().catch(() => {
      // Failures surface through the monitor (status, health events, ready()).
    });
    this.#timer = setInterval(tick, everyMs);
    this.#timer.unref();
  }

  /** The rejection of every call after `close()`. */
  rejectClosed<T>(): Promise<T> {
    return Promise.reject(new TransportClosedError(this.transport));
  }

  /** Keeps `event` for the reconnect (`buffered`, or `dropped` by the buffer's policy), refusing an invalid one now rather than at the flush. */
  hold(event: BusEvent): Promise<PublishReceipt> {
    try {
      this.hooks.codec().toWire(event);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.buffer.push(event) ? RECEIPT_PROMISE.buffered : RECEIPT_PROMISE.dropped;
  }

  /**
   * The receipt of a write that did not succeed: `failed` with Redis's reason when Redis refused
   * it; when the connection went away under it instead (Redis stopped between the status check and
   * the write), the event waits in the outage buffer like any publish during an outage (`buffered`);
   * a counted `closed` drop while closing.
   */
  refused(event: BusEvent, cause: unknown, payload: string): PublishReceipt {
    if (this.#closed) {
      this.hooks.countDrop('closed', 1, event.eventType);
      return RECEIPT.dropped;
    }
    if ((cause as { name?: unknown } | null)?.name !== 'ReplyError') {
      if (!this.buffer.push(event)) return RECEIPT.dropped;
      this.#sentAs.set(event, payload);
      return RECEIPT.buffered;
    }
    const grant = this.monitor.grantFor(cause);
    const reason = `Redis refused ${this.command}: ${describeError(cause)}${grant === undefined ? '' : `; ${grant}`}`;
    return { status: 'failed', error: new PublishError(event.eventType, reason, { cause }) };
  }

  /**
   * The producer's `publish`: refused after close; never waits for the network (until the
   * connection is up, the first one included, the event waits in the outage buffer and goes out
   * in order on connect); otherwise sent after whatever the buffer still holds.
   */
  publish(event: BusEvent): Promise<PublishReceipt> {
    if (this.#closed) return this.rejectClosed();
    if (!this.up) return this.hold(event);
    if (this.buffer.size > 0) this.#flush();
    return this.send(event);
  }

  /** The producer's `publishBatch`, like {@link publish}; `sendAll` writes a batch when connected. */
  async publishBatch(events: readonly BusEvent[], sendAll: (events: readonly BusEvent[]) => Promise<PublishReceipt[]>): Promise<PublishReceipt[]> {
    if (this.#closed) return this.rejectClosed();
    if (!this.up) return Promise.all(events.map((e) => this.publish(e)));
    if (this.buffer.size > 0) this.#flush();
    return sendAll(events);
  }

  /** The payload `event` was first sent as, when it is being re-sent (see {@link refused}); `undefined` for a new one. */
  sentAs(event: BusEvent): string | undefined {
    if (this.#sentAs.size === 0) return undefined;
    const payload = this.#sentAs.get(event);
    this.#sentAs.delete(event);
    return payload;
  }

  /** Sends every buffered event, reporting failures (nobody awaits these receipts). */
  #flush(): void {
    if (!this.up) return;
    for (let e = this.buffer.take(); e !== undefined; e = this.buffer.take()) {
      const event = e;
      this.send(event).then(
        (r) => r.error !== undefined && this.hooks.report(r.error),
        (err: unknown) => this.hooks.report(new PublishError(event.eventType, describeError(err), { cause: err })),
      );
    }
  }

  /**
   * Stops the timer, keeps flushing the outage buffer and waits for replies until `timeoutMs`,
   * runs `beforeQuit` (e.g. a last heartbeat), counts what is left as dropped (`closed`), then
   * quits (or disconnects, when Redis is not there to say goodbye to). Idempotent.
   */
  async close(timeoutMs: number, beforeQuit?: () => void): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const client = this.monitor.client;
    const deadline = Date.now() + timeoutMs;
    while ((this.buffer.size > 0 || this.replies.inFlight > 0) && Date.now() < deadline) {
      if (this.up) this.#flush();
      await new Promise((r) => setTimeout(r, 5));
    }
    beforeQuit?.();
    const left = this.buffer.clear();
    this.#sentAs.clear();
    for (const e of left) this.hooks.countDrop('closed', 1, e.eventType);
    if (left.length > 0) {
      const cause = this.up ? `not sent within closeTimeoutMs (${timeoutMs} ms)` : 'Redis was unreachable';
      this.hooks.report(new PublishError(left[0]!.eventType, `close() dropped ${left.length} buffered event(s): ${cause}; they are counted as dropped (closed)`));
    }
    this.monitor.closing();
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  /** A snapshot of the counters. */
  stats(): ProducerStats {
    const b = this.buffer.stats();
    return { sent: this.replies.sent, buffered: b.size, flushed: b.flushed, unacknowledged: this.replies.inFlight };
  }
}
