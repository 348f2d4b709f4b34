/**
 * Type-level tests of the metrics seams: the Redis Streams transport is a stream-group source for
 * `dotbus/prometheus` and `dotbus/otel` without either naming ioredis, and a bus is what both take.
 */
import { createBus } from '../../src/index.js';
import type { StreamGroupSource } from '../../src/monitoring/index.js';
import { otelMetrics } from '../../src/otel/index.js';
import { registerPerformanceMetrics, registerStreamMetrics } from '../../src/prometheus/index.js';
import type { RedisPubSubTransport, RedisStreamsTransport } from '../../src/redis/index.js';

declare const streams: RedisStreamsTransport;
declare const pubsub: RedisPubSubTransport;

const source: StreamGroupSource = streams;
registerStreamMetrics(streams);
registerStreamMetrics([streams, source]);
otelMetrics(createBus(), { streams });
// Pub/Sub has no consumer groups.
// @ts-expect-error Pub/Sub is no stream-group source
registerStreamMetrics(pubsub);

// A bus, or any one side of it that subscribes.
registerPerformanceMetrics(createBus());
registerPerformanceMetrics(createBus().subscriber);
otelMetrics(streams);
