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
import { Cluster, type Redis } from 'ioredis';
import type { ChannelNames } from './channels.js';
import type { ConnectionMonitor } from './connection-monitor.js';
import { encodeHeartbeat } from './heartbeat.js';
import { OutageBuffer, type OutageBufferOptions } from './outage-buffer.js';
import { shutDownProducer } from './producer-shutdown.js';
import { ReplyTracker } from './reply-tracker.js';

/** What a {@link RedisPubSubProducer} needs from its transport. */
export interface ProducerContext {
  readonly names: ChannelNames;
  readonly producerId: string;
  readonly buffer: OutageBufferOptions;
  /** 0 turns heartbeats off. */
  readonly heartbeatMs: number;
  /** How long a publish waits for the very first connection before it buffers, in ms. */
  readonly firstConnectMs: number;
  /** The codec of the bound registry (changes once, on `bind`). */
  codec(): JsonCodec;
  /** Counts a drop where users look (transport stats, observer). */
  countDrop(reason: DropReason, count: number, eventType: string): void;
  /** Reports a failure that has no caller to throw to. */
  report(error: DotbusError): void;
}

/** Counters of a {@link RedisPubSubProducer}. */
export interface ProducerStats {
  /** PUBLISH commands Redis acknowledged. */
  readonly sent: number;
  /** Events waiting in the outage buffer now. */
  readonly buffered: number;
  /** Events sent from the outage buffer after a reconnect. */
  readonly flushed: number;
  /** PUBLISH commands written and not yet acknowledged. */
  readonly unacknowledged: number;
}

/**
 * The publishing half of the Redis Pub/Sub transport: stamps, encodes and `PUBLISH`es events on
 * `<namespace>:<eventType>` over one auto-pipelined connection.
 *
 * @remarks Sequence numbers are per event type and are given when an event is actually sent, so
 * an event dropped from the outage buffer leaves no gap for consumers to count twice. While
 * Redis is unreachable, events wait in a bounded {@link OutageBuffer} and are sent in order as
 * soon as the connection is back; commands in flight when it broke are re-sent by ioredis
 * (a consumer drops a re-sent copy as a duplicate) and their receipts say `buffered`.
 */
export class RedisPubSubProducer {
  readonly #monitor: ConnectionMonitor;
  readonly #ctx: ProducerContext;
  readonly #buffer: OutageBuffer<BusEvent>;
  readonly #sequences = new Map<string, number>();
  readonly #replies = new ReplyTracker();
  #timer: NodeJS.Timeout | undefined;
  #pinned: Redis | undefined;
  #closed = false;

  constructor(monitor: ConnectionMonitor, context: ProducerContext) {
    this.#monitor = monitor;
    this.#ctx = context;
    this.#buffer = new OutageBuffer<BusEvent>(context.buffer, (reason, e) => context.countDrop(reason, 1, e.eventType));
    monitor.client.on('ready', () => this.#flush());
    // A broken connection: callers stop waiting for replies that come only after the reconnect.
    monitor.client.on('close', () => this.#replies.releaseAll());
  }

  /** Connects and starts heartbeats. Idempotent. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#monitor.client.connect().catch(() => {
      // Failures surface through the monitor (status, health events, ready()).
    });
    const every = this.#ctx.heartbeatMs;
    this.#timer = setInterval(() => this.#tick(), every > 0 ? every : 1000);
    this.#timer.unref();
  }

  /** @see {@link EventProducer.publish} */
  publish(event: BusEvent): Promise<PublishReceipt> {
    if (this.#closed) return Promise.reject(new TransportClosedError('redis-pubsub'));
    if (this.#monitor.client.status === 'ready') {
      if (this.#buffer.size > 0) this.#flush();
      return this.#send(event);
    }
    if (this.#monitor.status === 'connecting') {
      // Not an outage yet: wait for the first connection, so that an event published right after
      // start-up is sent (and reaches only the subscribers of that moment) instead of being buffered.
      const retry = (): Promise<PublishReceipt> => this.#retryAfterConnect(event);
      return this.#monitor.waitUp(this.#ctx.firstConnectMs).then(retry, retry);
    }
    return this.#hold(event);
  }

  #retryAfterConnect(event: BusEvent): Promise<PublishReceipt> {
    if (this.#closed) return Promise.reject(new TransportClosedError('redis-pubsub'));
    return this.#monitor.client.status === 'ready' ? this.publish(event) : this.#hold(event);
  }

  #hold(event: BusEvent): Promise<PublishReceipt> {
    try {
      this.#ctx.codec().toWire(event); // refuse an invalid event now, not at the flush
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#buffer.push(event) ? RECEIPT_PROMISE.buffered : RECEIPT_PROMISE.dropped;
  }

  /** @see {@link EventProducer.publishBatch} One pipeline, one write, when connected. */
  async publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    if (this.#closed) throw new TransportClosedError('redis-pubsub');
    const client = this.#monitor.client;
    if (client.status !== 'ready') return Promise.all(events.map((e) => this.publish(e)));
    if (this.#buffer.size > 0) this.#flush();
    const payloads = this.#encodeAll(events);
    const pipeline = this.#target().pipeline();
    for (const [i, e] of events.entries()) pipeline.publish(this.#ctx.names.channelOf(e.eventType), payloads[i]!);
    return this.#replies.trackAll(events, pipeline.exec(), (e, cause) => this.#failed(e.eventType, cause));
  }

  /**
   * Stops publishing, flushes buffered and in-flight events for up to `timeoutMs`, sends a last
   * heartbeat, counts whatever is left as dropped (`closed`), and quits the connection.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await shutDownProducer(
      { monitor: this.#monitor, buffer: this.#buffer, replies: this.#replies, flush: () => this.#flush(),
        beforeQuit: () => this.#heartbeat(), countDrop: this.#ctx.countDrop },
      timeoutMs,
    );
  }

  /** A snapshot of the counters. */
  stats(): ProducerStats {
    const b = this.#buffer.stats();
    return { sent: this.#replies.sent, buffered: b.size, flushed: b.flushed, unacknowledged: this.#replies.inFlight };
  }

  #send(event: BusEvent): Promise<PublishReceipt> {
    const type = event.eventType;
    const sequence = (this.#sequences.get(type) ?? 0) + 1;
    let payload: string;
    try {
      payload = this.#ctx.codec().encode(event, { producerId: this.#ctx.producerId, sequence });
    } catch (e) {
      return Promise.reject(e);
    }
    this.#sequences.set(type, sequence);
    return this.#replies.track(this.#target().publish(this.#ctx.names.channelOf(type), payload), (e) => this.#failed(type, e));
  }

  #failed(type: string, cause: unknown): PublishReceipt {
    if (this.#closed) {
      this.#ctx.countDrop('closed', 1, type);
      return RECEIPT.dropped;
    }
    const error = new PublishError(type, `Redis refused PUBLISH: ${describeError(cause)}`, { cause });
    return { status: 'failed', error };
  }

  #encodeAll(events: readonly BusEvent[]): string[] {
    // Encode everything before numbering anything: a bad event fails the batch without leaving a gap.
    const next = new Map(this.#sequences);
    const payloads = events.map((e) => {
      const sequence = (next.get(e.eventType) ?? 0) + 1;
      next.set(e.eventType, sequence);
      return this.#ctx.codec().encode(e, { producerId: this.#ctx.producerId, sequence });
    });
    for (const [type, seq] of next) this.#sequences.set(type, seq);
    return payloads;
  }

  #flush(): void {
    if (this.#monitor.client.status !== 'ready') return;
    for (let e = this.#buffer.take(); e !== undefined; e = this.#buffer.take()) {
      this.#send(e).then(
        (r) => r.error !== undefined && this.#ctx.report(r.error),
        (err: unknown) => this.#ctx.report(new PublishError(e!.eventType, describeError(err), { cause: err })),
      );
    }
  }

  /**
   * The connection PUBLISH goes out on. On a Cluster, a keyless PUBLISH goes to any node and
   * one producer's messages overtake each other on the cluster bus; pinning every PUBLISH (and
   * heartbeat) of this producer to one master keeps them in order for every subscriber.
   */
  #target(): Redis | Cluster {
    const client = this.#monitor.client;
    if (!(client instanceof Cluster)) return client;
    if (this.#pinned?.status === 'ready') return this.#pinned;
    const masters = client.nodes('master').filter((n) => n.status === 'ready');
    masters.sort((a, b) => nodeKey(a).localeCompare(nodeKey(b)));
    this.#pinned = masters[0];
    return this.#pinned ?? client;
  }

  #tick(): void {
    this.#buffer.expire();
    if (this.#ctx.heartbeatMs > 0) this.#heartbeat();
  }

  #heartbeat(): void {
    if (this.#monitor.client.status !== 'ready' || this.#sequences.size === 0) return;
    const message = encodeHeartbeat(this.#ctx.producerId, this.#sequences);
    this.#target().publish(this.#ctx.names.heartbeat, message).catch(() => {
      // A lost heartbeat is harmless: the next one carries the same numbers or higher.
    });
  }
}

function nodeKey(node: Redis): string {
  return `${node.options.host ?? ''}:${node.options.port ?? 0}`;
}
