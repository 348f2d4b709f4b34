import type { BusEvent, PublishReceipt } from '../../index.js';
import { encodeBatch } from '../../internal.js';
import { Cluster, type Redis } from 'ioredis';
import type { ConnectionMonitor } from '../connection-monitor.js';
import { corkUntilTaskEnds } from '../cork.js';
import { ProducerCore, type ProducerHooks, type ProducerStats } from '../producer-core.js';
import type { ChannelNames } from './channels.js';
import { PubSubBatcher, type BatchEntry, type ResolvedBatchOptions } from './batcher.js';
import { encodeHeartbeat } from './heartbeat.js';

/** What a {@link RedisPubSubProducer} needs from its transport. */
export interface ProducerContext extends ProducerHooks {
  readonly names: ChannelNames;
  readonly producerId: string;
  /** 0 turns heartbeats off. */
  readonly heartbeatMs: number;
  /** Batch mode's limits; `undefined`: one message per event. */
  readonly batch: ResolvedBatchOptions | undefined;
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
 *
 * With batch mode on, events wait in a {@link PubSubBatcher} and each type's events go out as one
 * CloudEvents batch message; they get their sequence numbers when that message is written, so a
 * heartbeat never announces an event still waiting. Each event keeps its own receipt (the batch
 * message's reply) and, if the connection breaks under it, its own place in the outage buffer.
 */
export class RedisPubSubProducer {
  readonly #core: ProducerCore;
  readonly #ctx: ProducerContext;
  readonly #sequences = new Map<string, number>();
  readonly #batcher: PubSubBatcher | undefined;
  #pinned: Redis | undefined;

  constructor(monitor: ConnectionMonitor, context: ProducerContext) {
    this.#ctx = context;
    const batch = context.batch;
    this.#batcher = batch === undefined ? undefined : new PubSubBatcher(batch, (type, entries) => this.#sendBatch(type, entries));
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
    return this.#core.publishBatch(events, this.#batcher === undefined ? this.#sendAll : this.#addAll);
  }

  /** Batch mode's `publishBatch`: every event checked before any is queued, so one invalid event fails them all. */
  readonly #addAll = (events: readonly BusEvent[]): Promise<PublishReceipt[]> => {
    try {
      for (const e of events) this.#ctx.codec().toWire(e);
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.all(events.map((e) => this.#send(e)));
  };

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
    // What waits for its flush window goes now; what the outage buffer sends while closing is
    // written at once (see #send), so close() waits for every reply.
    this.#batcher?.flush();
    return this.#core.close(timeoutMs, () => this.#heartbeat());
  }

  /** A snapshot of the counters. */
  stats(): ProducerStats {
    return this.#core.stats();
  }

  #send(event: BusEvent): Promise<PublishReceipt> {
    const batcher = this.#batcher;
    if (batcher !== undefined) {
      const receipt = batcher.add(event, this.#core.sentAs(event));
      if (this.#core.closed) batcher.flush();
      return receipt;
    }
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
    const target = this.#target();
    // A burst of PUBLISHes leaves in one write; a lone one when its task ends (no auto-pipelining: see the transport).
    corkUntilTaskEnds(target);
    return this.#core.replies.track(target.publish(this.#ctx.names.channelOf(type), sent), (e) => this.#core.refused(event, e, sent));
  }


  /**
   * Writes the waiting events of one type as batch messages of at most `maxBytes`. Each event is
   * encoded (and numbered) now; one that fails to encode rejects alone, without using a number.
   */
  #sendBatch(type: string, entries: readonly BatchEntry[]): void {
    const codec = this.#ctx.codec();
    const maxBytes = this.#ctx.batch?.maxBytes ?? Infinity;
    let sequence = this.#sequences.get(type) ?? 0;
    let chunk: BatchEntry[] = [];
    let payloads: string[] = [];
    let bytes = 2;
    for (const entry of entries) {
      let payload = entry.payload;
      if (payload === undefined) {
        try {
          payload = codec.encode(entry.event, { producerId: this.#ctx.producerId, sequence: sequence + 1 });
        } catch (e) {
          entry.reject(e);
          continue;
        }
        sequence++;
      }
      if (chunk.length > 0 && bytes + payload.length + 1 > maxBytes) {
        this.#publishChunk(type, chunk, payloads);
        chunk = [];
        payloads = [];
        bytes = 2;
      }
      chunk.push(entry);
      payloads.push(payload);
      bytes += payload.length + 1;
    }
    // Numbered as they are written: a heartbeat sent from now on is queued behind these messages.
    if (sequence > 0) this.#sequences.set(type, sequence);
    if (chunk.length > 0) this.#publishChunk(type, chunk, payloads);
  }

  /** One PUBLISH of a batch message; every event in it gets the receipt of its reply. */
  #publishChunk(type: string, entries: readonly BatchEntry[], payloads: readonly string[]): void {
    const core = this.#core;
    let refused: PublishReceipt[] | undefined;
    const reply = this.#target().publish(this.#ctx.names.channelOf(type), encodeBatch(payloads));
    core.replies
      .track(reply, (cause) => {
        // Each event on its own: buffered for the reconnect, or failed with Redis's reason.
        refused = entries.map((e, i) => core.refused(e.event, cause, payloads[i]!));
        return refused[0]!;
      })
      .then((receipt) => {
        for (let i = 0; i < entries.length; i++) entries[i]!.resolve(refused?.[i] ?? receipt);
      }, (e: unknown) => {
        for (const entry of entries) entry.reject(e);
      });
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
