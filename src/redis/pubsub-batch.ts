import type { PublishReceipt } from '../index.js';
import type { Cluster, Redis } from 'ioredis';

/** Receives the receipt of one event of a {@link PublishBatch}. */
export type ReceiptSink = (receipt: PublishReceipt) => void;

/** What Redis answered to each command of a pipeline: `[error, reply]`. */
export type PipelineReplies = readonly (readonly [Error | null, unknown])[];

/**
 * The `PUBLISH` commands a producer issued in one turn of the event loop, written to Redis as one
 * pipeline (one socket write) and answered together.
 *
 * @remarks Parallel arrays instead of an object per command: a full-speed producer adds
 * thousands of commands per turn, and this keeps the per-event cost to three array slots and the
 * caller's promise. Commands keep the order they were added in, across batches too (each batch is
 * written after the previous one, on the same connection).
 */
export class PublishBatch {
  readonly channels: string[] = [];
  readonly messages: string[] = [];
  /** The event type of each command; `undefined` for a heartbeat. */
  readonly types: (string | undefined)[] = [];
  /** Where each event's receipt goes; `undefined` for a heartbeat (nobody waits for it). */
  readonly sinks: (ReceiptSink | undefined)[] = [];
  /** Set once the connection broke with this batch in flight: its receipts said `buffered` already. */
  released = false;

  /** Appends one `PUBLISH`. */
  add(channel: string, message: string, type: string | undefined, sink: ReceiptSink | undefined): void {
    this.channels.push(channel);
    this.messages.push(message);
    this.types.push(type);
    this.sinks.push(sink);
  }

  /** Writes the whole batch to `target` now, as one pipeline; resolves with one reply per command. */
  async write(target: Redis | Cluster): Promise<PipelineReplies> {
    const pipeline = target.pipeline();
    const { channels, messages } = this;
    for (let i = 0; i < channels.length; i++) pipeline.publish(channels[i]!, messages[i]!);
    return (await pipeline.exec()) ?? [];
  }
}
