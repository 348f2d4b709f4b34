import {
  PublishError,
  RECEIPT,
  RECEIPT_PROMISE,
  TransportClosedError,
  describeError,
  type BusEvent,
  type DotbusError,
  type DropReason,
  type JsonCodec,
  type PublishReceipt,
} from '../index.js';
import type { ConnectionMonitor } from './connection-monitor.js';
import { shutDownProducer } from './producer-shutdown.js';
import { ReplyTracker } from './reply-tracker.js';
import { OutageBuffer, type OutageBufferOptions } from './outage-buffer.js';
import { FIELD_EVENT_ID, FIELD_MESSAGE, FIELD_TYPE, type StreamKeys } from './streams/keys.js';

const NAME = 'redis-streams';

/** What a {@link RedisStreamsProducer} needs from its transport. */
export interface StreamsProducerContext {
  readonly keys: StreamKeys;
  readonly producerId: string;
  readonly buffer: OutageBufferOptions;
  /** `MAXLEN ~` of every `XADD`; 0 for none. */
  readonly maxLen: number;
  /** Age limit for `XTRIM MINID ~`; 0 for none. */
  readonly maxAgeMs: number;
  codec(): JsonCodec;
  countDrop(reason: DropReason, count: number, eventType: string): void;
  report(error: DotbusError): void;
}

/** Counters of a {@link RedisStreamsProducer}. */
export interface StreamsProducerStats {
  /** `XADD`s Redis acknowledged (durable from then on, as far as Redis persistence goes). */
  readonly sent: number;
  /** Events waiting in the outage buffer now. */
  readonly buffered: number;
  /** Events sent from the outage buffer after a reconnect. */
  readonly flushed: number;
  /** `XADD`s written and not yet acknowledged. */
  readonly unacknowledged: number;
}

/** Most `XADD`s in one pipeline of {@link RedisStreamsProducer.publishBatch}. */
const BATCH_CHUNK = 1_000;

/**
 * The publishing half of the Streams transport: stamps, encodes and `XADD`s events to the
 * namespace's stream, trimming it approximately on the way.
 *
 * @remarks `accepted` means Redis acknowledged the `XADD`: with `appendfsync always` the event
 * survives a Redis restart. While Redis is unreachable, events wait in the same bounded
 * {@link OutageBuffer} as Pub/Sub (`buffered`), and are sent in order on reconnect; an `XADD` in
 * flight when the connection broke is re-sent by ioredis, so it may be stored twice (consumers
 * are at-least-once anyway, and the idempotency guard drops the copy).
 */
export class RedisStreamsProducer {
  readonly #monitor: ConnectionMonitor;
  readonly #ctx: StreamsProducerContext;
  readonly #buffer: OutageBuffer<BusEvent>;
  readonly #replies = new ReplyTracker();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #sequence = 0;

  constructor(monitor: ConnectionMonitor, context: StreamsProducerContext) {
    this.#monitor = monitor;
    this.#ctx = context;
    this.#buffer = new OutageBuffer<BusEvent>(context.buffer, (reason, e) => context.countDrop(reason, 1, e.eventType));
    monitor.client.on('ready', () => this.#flush());
    monitor.client.on('close', () => this.#replies.releaseAll());
  }

  /** Connects and starts the age-trimming and buffer-expiry timer. Idempotent. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#monitor.client.connect().catch(() => {
      // Failures surface through the monitor (status, health events, ready()).
    });
    this.#timer = setInterval(() => this.#tick(), 1_000);
    this.#timer.unref();
  }

  /** @see {@link EventProducer.publish} */
  publish(event: BusEvent): Promise<PublishReceipt> {
    if (this.#closed) return Promise.reject(new TransportClosedError(NAME));
    if (this.#monitor.client.status === 'ready') {
      if (this.#buffer.size > 0) this.#flush();
      let args: string[];
      try {
        args = this.#xaddArgs(event);
      } catch (e) {
        return Promise.reject(e);
      }
      return this.#send(event.eventType, args);
    }
    try {
      this.#ctx.codec().toWire(event); // refuse an invalid event now, not at the flush
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#buffer.push(event) ? RECEIPT_PROMISE.buffered : RECEIPT_PROMISE.dropped;
  }

  /** @see {@link EventProducer.publishBatch} Pipelines of up to 1,000 `XADD`s when connected. */
  async publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    if (this.#closed) throw new TransportClosedError(NAME);
    if (this.#monitor.client.status !== 'ready') return Promise.all(events.map((e) => this.publish(e)));
    if (this.#buffer.size > 0) this.#flush();
    const all = events.map((e) => this.#xaddArgs(e)); // a bad event fails the batch before anything is sent
    const receipts: PublishReceipt[] = [];
    for (let i = 0; i < events.length; i += BATCH_CHUNK) {
      const chunk = all.slice(i, i + BATCH_CHUNK);
      receipts.push(...(await this.#sendPipeline(events.slice(i, i + BATCH_CHUNK), chunk)));
    }
    return receipts;
  }

  /** Flushes buffered and in-flight events for up to `timeoutMs`, counts the rest as `closed`, quits. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await shutDownProducer(
      { monitor: this.#monitor, buffer: this.#buffer, replies: this.#replies, flush: () => this.#flush(), countDrop: this.#ctx.countDrop },
      timeoutMs,
    );
  }

  /** A snapshot of the counters. */
  stats(): StreamsProducerStats {
    const b = this.#buffer.stats();
    return { sent: this.#replies.sent, buffered: b.size, flushed: b.flushed, unacknowledged: this.#replies.inFlight };
  }

  #xaddArgs(event: BusEvent): string[] {
    const payload = this.#ctx.codec().encode(event, { producerId: this.#ctx.producerId, sequence: this.#sequence + 1 });
    this.#sequence++;
    const trim = this.#ctx.maxLen > 0 ? ['MAXLEN', '~', String(this.#ctx.maxLen)] : [];
    return [this.#ctx.keys.events, ...trim, '*', FIELD_TYPE, event.eventType, FIELD_EVENT_ID, event.eventId, FIELD_MESSAGE, payload];
  }

  #send(type: string, args: string[]): Promise<PublishReceipt> {
    return this.#replies.track(this.#monitor.client.call('XADD', ...args), (e) => this.#failed(type, e));
  }

  #sendPipeline(events: readonly BusEvent[], all: readonly string[][]): Promise<PublishReceipt[]> {
    const pipeline = this.#monitor.client.pipeline();
    for (const args of all) pipeline.call('XADD', ...args);
    return this.#replies.trackAll(events, pipeline.exec(), (e, cause) => this.#failed(e.eventType, cause));
  }

  #failed(type: string, cause: unknown): PublishReceipt {
    if (this.#closed) {
      this.#ctx.countDrop('closed', 1, type);
      return RECEIPT.dropped;
    }
    return { status: 'failed', error: new PublishError(type, `Redis refused XADD: ${describeError(cause)}`, { cause }) };
  }

  #flush(): void {
    if (this.#monitor.client.status !== 'ready') return;
    for (let e = this.#buffer.take(); e !== undefined; e = this.#buffer.take()) {
      const event = e;
      let args: string[];
      try {
        args = this.#xaddArgs(event);
      } catch (err) {
        this.#ctx.report(new PublishError(event.eventType, describeError(err), { cause: err }));
        continue;
      }
      void this.#send(event.eventType, args).then((r) => r.error !== undefined && this.#ctx.report(r.error));
    }
  }

  #tick(): void {
    this.#buffer.expire();
    if (this.#ctx.maxAgeMs <= 0 || this.#monitor.client.status !== 'ready') return;
    const minId = `${Date.now() - this.#ctx.maxAgeMs}-0`;
    this.#monitor.client.call('XTRIM', this.#ctx.keys.events, 'MINID', '~', minId).catch(() => {
      // Trimming is retried on the next tick; a missed one only keeps entries a little longer.
    });
  }
}
