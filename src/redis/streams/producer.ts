import type { BusEvent, PublishReceipt } from '../../index.js';
import type { ConnectionMonitor } from '../connection-monitor.js';
import { corkUntilTaskEnds } from '../cork.js';
import { ProducerCore, type ProducerHooks, type ProducerStats } from '../producer-core.js';
import { FIELD_EVENT_ID, FIELD_MESSAGE, FIELD_TYPE, type StreamKeys } from './keys.js';

/** What a {@link RedisStreamsProducer} needs from its transport. */
export interface StreamsProducerContext extends ProducerHooks {
  readonly keys: StreamKeys;
  readonly producerId: string;
  /** `MAXLEN ~` of every `XADD`; 0 for none. */
  readonly maxLen: number;
  /** Age limit for `XTRIM MINID ~`; 0 for none. */
  readonly maxAgeMs: number;
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
  readonly #core: ProducerCore;
  readonly #ctx: StreamsProducerContext;
  #sequence = 0;

  constructor(monitor: ConnectionMonitor, context: StreamsProducerContext) {
    this.#ctx = context;
    this.#core = new ProducerCore('redis-streams', 'XADD', monitor, context, (e) => this.#send(e));
  }

  /** Connects and starts the age-trimming and buffer-expiry timer. Idempotent. */
  start(): void {
    this.#core.start(1_000, () => this.#tick());
  }

  /** @see {@link EventProducer.publish} */
  publish(event: BusEvent): Promise<PublishReceipt> {
    return this.#core.publish(event);
  }

  /** @see {@link EventProducer.publishBatch} Pipelines of up to 1,000 `XADD`s when connected. */
  publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    return this.#core.publishBatch(events, this.#sendAll);
  }

  readonly #sendAll = async (events: readonly BusEvent[]): Promise<PublishReceipt[]> => {
    const all = events.map((e) => this.#xaddArgs(e)); // a bad event fails the batch before anything is sent
    const receipts: PublishReceipt[] = [];
    for (let i = 0; i < events.length; i += BATCH_CHUNK) {
      const chunk = all.slice(i, i + BATCH_CHUNK);
      receipts.push(...(await this.#sendPipeline(events.slice(i, i + BATCH_CHUNK), chunk)));
    }
    return receipts;
  };

  /** Flushes buffered and in-flight events for up to `timeoutMs`, counts the rest as `closed`, quits. */
  close(timeoutMs: number): Promise<void> {
    return this.#core.close(timeoutMs);
  }

  /** A snapshot of the counters. */
  stats(): ProducerStats {
    return this.#core.stats();
  }

  #xaddArgs(event: BusEvent): string[] {
    let payload = this.#core.sentAs(event);
    if (payload === undefined) {
      payload = this.#ctx.codec().encode(event, { producerId: this.#ctx.producerId, sequence: this.#sequence + 1 });
      this.#sequence++;
    }
    const trim = this.#ctx.maxLen > 0 ? ['MAXLEN', '~', String(this.#ctx.maxLen)] : [];
    return [this.#ctx.keys.events, ...trim, '*', FIELD_TYPE, event.eventType, FIELD_EVENT_ID, event.eventId, FIELD_MESSAGE, payload];
  }

  #send(event: BusEvent): Promise<PublishReceipt> {
    let args: string[];
    try {
      args = this.#xaddArgs(event);
    } catch (e) {
      return Promise.reject(e);
    }
    const core = this.#core;
    corkUntilTaskEnds(core.monitor.client);
    return core.replies.track(core.monitor.client.call('XADD', ...args), (e) => core.refused(event, e, args[args.length - 1]!));
  }

  #sendPipeline(events: readonly BusEvent[], all: readonly string[][]): Promise<PublishReceipt[]> {
    const core = this.#core;
    const pipeline = core.monitor.client.pipeline();
    for (const args of all) pipeline.call('XADD', ...args);
    return core.replies.trackAll(events, pipeline.exec(), (e, cause, i) => core.refused(e, cause, all[i]!.at(-1)!));
  }

  #tick(): void {
    const core = this.#core;
    core.buffer.expire();
    if (this.#ctx.maxAgeMs <= 0 || !core.up) return;
    const minId = `${Date.now() - this.#ctx.maxAgeMs}-0`;
    core.monitor.client.call('XTRIM', this.#ctx.keys.events, 'MINID', '~', minId).catch(() => {
      // Trimming is retried on the next tick; a missed one only keeps entries a little longer.
    });
  }
}
