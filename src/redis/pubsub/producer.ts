import type { BusEvent, PublishReceipt } from '../../index.js';
import { Cluster, type Redis } from 'ioredis';
import type { ConnectionMonitor } from '../connection-monitor.js';
import { ProducerCore, type ProducerHooks, type ProducerStats } from '../producer-core.js';
import type { ChannelNames } from './channels.js';
import { encodeHeartbeat } from './heartbeat.js';

/** What a {@link RedisPubSubProducer} needs from its transport. */
export interface ProducerContext extends ProducerHooks {
  readonly names: ChannelNames;
  readonly producerId: string;
  /** 0 turns heartbeats off. */
  readonly heartbeatMs: number;
}

/**
 * The publishing half of the Redis Pub/Sub transport: stamps, encodes and `PUBLISH`es events on
 * `<namespace>:<eventType>` over one connection, each as it comes (no auto-pipelining).
 *
 * @remarks Sequence numbers are per event type and are given when an event is actually sent, so
 * an event dropped from the outage buffer leaves no gap for consumers to count twice. While
 * Redis is unreachable, events wait in a bounded {@link OutageBuffer} and are sent in order as
 * soon as the connection is back; commands in flight when it broke are re-sent (by ioredis, or
 * from the outage buffer for the unanswered rest of a pipeline) exactly as first sent, producer
 * stamp included, so a consumer drops a copy Redis did handle as a duplicate; their receipts say
 * `buffered`.
 */
export class RedisPubSubProducer {
  readonly #core: ProducerCore;
  readonly #ctx: ProducerContext;
  readonly #sequences = new Map<string, number>();
  #pinned: Redis | undefined;

  constructor(monitor: ConnectionMonitor, context: ProducerContext) {
    this.#ctx = context;
    this.#core = new ProducerCore('redis-pubsub', 'PUBLISH', monitor, context, (e) => this.#send(e));
  }

  /** Connects and starts heartbeats. Idempotent. */
  start(): void {
    const every = this.#ctx.heartbeatMs;
    this.#core.start(every > 0 ? every : 1000, () => this.#tick());
  }

  /** @see {@link EventProducer.publish} */
  publish(event: BusEvent): Promise<PublishReceipt> {
    return this.#core.publish(event);
  }

  /** @see {@link EventProducer.publishBatch} One pipeline, one write, when connected. */
  publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    return this.#core.publishBatch(events, this.#sendAll);
  }

  readonly #sendAll = (events: readonly BusEvent[]): Promise<PublishReceipt[]> => {
    const core = this.#core;
    const payloads = this.#encodeAll(events);
    const pipeline = this.#target().pipeline();
    for (const [i, e] of events.entries()) pipeline.publish(this.#ctx.names.channelOf(e.eventType), payloads[i]!);
    return core.replies.trackAll(events, pipeline.exec(), (e, cause, i) => core.refused(e, cause, payloads[i]!));
  };

  /**
   * Stops publishing, flushes buffered and in-flight events for up to `timeoutMs`, sends a last
   * heartbeat, counts whatever is left as dropped (`closed`), and quits the connection.
   */
  close(timeoutMs: number): Promise<void> {
    return this.#core.close(timeoutMs, () => this.#heartbeat());
  }

  /** A snapshot of the counters. */
  stats(): ProducerStats {
    return this.#core.stats();
  }

  #send(event: BusEvent): Promise<PublishReceipt> {
    const type = event.eventType;
    let payload = this.#core.sentAs(event);
    if (payload === undefined) {
      const sequence = (this.#sequences.get(type) ?? 0) + 1;
      try {
        payload = this.#ctx.codec().encode(event, { producerId: this.#ctx.producerId, sequence });
      } catch (e) {
        return Promise.reject(e);
      }
      this.#sequences.set(type, sequence);
    }
    const sent = payload;
    return this.#core.replies.track(this.#target().publish(this.#ctx.names.channelOf(type), sent), (e) => this.#core.refused(event, e, sent));
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

  /**
   * The connection PUBLISH goes out on. On a Cluster, a keyless PUBLISH goes to any node and
   * one producer's messages overtake each other on the cluster bus; pinning every PUBLISH (and
   * heartbeat) of this producer to one master keeps them in order for every subscriber.
   */
  #target(): Redis | Cluster {
    const client = this.#core.monitor.client;
    if (!(client instanceof Cluster)) return client;
    if (this.#pinned?.status === 'ready') return this.#pinned;
    const masters = client.nodes('master').filter((n) => n.status === 'ready');
    masters.sort((a, b) => nodeKey(a).localeCompare(nodeKey(b)));
    this.#pinned = masters[0];
    return this.#pinned ?? client;
  }

  #tick(): void {
    this.#core.buffer.expire();
    if (this.#ctx.heartbeatMs > 0) this.#heartbeat();
  }

  #heartbeat(): void {
    if (!this.#core.up || this.#sequences.size === 0) return;
    const message = encodeHeartbeat(this.#ctx.producerId, this.#sequences, this.#ctx.codec().security);
    this.#target().publish(this.#ctx.names.heartbeat, message).catch(() => {
      // A lost heartbeat is harmless: the next one carries the same numbers or higher.
    });
  }
}

function nodeKey(node: Redis): string {
  return `${node.options.host ?? ''}:${node.options.port ?? 0}`;
}
