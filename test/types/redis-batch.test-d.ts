/** Batch mode options of the Redis Pub/Sub transport, as users name and pass them. */
import type { PubSubBatchOptions, RedisPubSubOptions } from '../../src/redis/index.js';

export const defaults: RedisPubSubOptions = { batch: {} };
export const all: PubSubBatchOptions = { maxEvents: 100, flushMs: 0, maxBytes: 1024 * 1024 };
export const bounded: RedisPubSubOptions = { batch: all, maxBatchEvents: 1_000 };

// @ts-expect-error maxEvents is a number of events
export const wrongType: PubSubBatchOptions = { maxEvents: '100' };
// @ts-expect-error batch mode has no such option
export const unknown: PubSubBatchOptions = { window: 5 };
