/**
 * dotbus/redis: the Redis transports. The only part of dotbus that loads `ioredis`.
 *
 * @example
 * ```ts
 * import { createBus } from 'dotbus';
 * import { redisPubSub } from 'dotbus/redis';
 * const bus = createBus({ events: [OrderPlaced], transport: redisPubSub({ connection: { url: process.env.REDIS_URL } }) });
 * ```
 */

// Connections
export { openConnection, userOf } from './connection.js';
export type { ConnectionExtras, RedisClient, RedisConnectionOptions } from './connection.js';
export { fullJitterDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { ConnectionMonitor } from './connection-monitor.js';
export type { ConnectionStatus, StatusListener } from './connection-monitor.js';

// Shared building blocks
export { OutageBuffer, DEFAULT_OUTAGE_BUFFER } from './outage-buffer.js';
export type { OutageBufferOptions, OutageBufferStats, OutageDropHook, OutageDropReason, OutagePolicy } from './outage-buffer.js';
export { GapTracker } from './gap-tracker.js';
export type { GapTrackerOptions, GapTrackerStats, Observation } from './gap-tracker.js';
export { ChannelNames, DEFAULT_NAMESPACE, HEARTBEAT_SUFFIX, escapeGlob } from './channels.js';
export { decodeHeartbeat, encodeHeartbeat, MAX_HEARTBEAT_TYPES } from './heartbeat.js';
export type { Heartbeat } from './heartbeat.js';

// Pub/Sub transport
export { RedisPubSubTransport } from './pubsub-transport.js';
export { redisPubSub } from './pubsub-factory.js';
export type { DecodeErrorInfo, RedisPubSubOptions } from './pubsub-options.js';
export type { RedisPubSubStats } from './pubsub-stats.js';
export { RedisPubSubProducer } from './pubsub-producer.js';
export type { ProducerContext, ProducerStats } from './pubsub-producer.js';
export { RedisPubSubConsumer } from './pubsub-consumer.js';
export type { ConsumerContext, ConsumerStats } from './pubsub-consumer.js';

// Streams transport
export { RedisStreamsTransport } from './streams-transport.js';
export type { RedisStreamsOptions, ResolvedStreamsOptions, StreamStart, StreamRetention, StreamRetryOptions, IdempotencyOptions } from './streams-options.js';
export { resolveStreamsOptions } from './streams-options.js';
export type { RedisStreamsStats } from './streams-stats.js';
export { replayEvents, replayInto } from './streams-replay.js';
export type { ReplayOptions, ReplayedEvent } from './streams-replay.js';
export { StreamKeys, DEFAULT_STREAMS_NAMESPACE } from './streams/keys.js';
export type { StreamEntry } from './streams/entries.js';
export type { DeadLetterInfo, DeadLetterReason } from './streams/settler.js';
export type { CommitCommands, CommitArg } from './streams/commit-commands.js';
export type { CommitOnceOptions } from './streams/commit-once.js';
