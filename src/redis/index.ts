/**
 * dotbus/redis: the Redis transports. The only part of dotbus that loads `ioredis`.
 *
 * @example
 * ```ts
 * import { createBus } from 'dotbus';
 * import { redisPubSub, redisStreams } from 'dotbus/redis';
 * const live = createBus({ events: [OrderPlaced], transport: redisPubSub({ connection: { url: process.env.REDIS_URL } }) });
 * const durable = createBus({ events: [OrderPlaced], transport: redisStreams({ connection: { url: process.env.REDIS_URL }, group: 'billing' }) });
 * ```
 */

// Connections (shared by both transports)
export type { RedisClient, RedisConnectionOptions } from './connection.js';
export type { BackoffOptions } from './backoff.js';
export type { ConnectionStatus } from './connection-monitor.js';
export type { OutageBufferOptions, OutageDropReason, OutagePolicy } from './outage-buffer.js';

// Tenant isolation: the ACL rules of a namespace
export { aclRulesFor, aclSetUserCommand } from './acl-rules.js';
export type { AclMechanism, AclRulesOptions } from './acl-rules.js';

// Pub/Sub: real-time fan-out
export { redisPubSub } from './pubsub/transport.js';
export type { RedisPubSubTransport } from './pubsub/transport.js';
export type { DecodeErrorInfo, RedisPubSubOptions } from './pubsub/options.js';
export type { PubSubBatchOptions } from './pubsub/batcher.js';
export type { RedisPubSubStats } from './pubsub/stats.js';

// Streams: durable delivery, replay, exactly-once commits
export { redisStreams } from './streams/transport.js';
export type { RedisStreamsTransport } from './streams/transport.js';
export type { IdempotencyOptions, RedisStreamsOptions, ResolvedStreamsOptions, StreamRetention, StreamRetryOptions, StreamStart } from './streams/options.js';
export type { RedisStreamsStats } from './streams/stats.js';
export type { StreamKeys } from './streams/keys.js';
export type { UndecodableEntry, UndecodableHandler, UndecodableReason } from './streams/undecodable.js';
export { replayEvents, replayInto } from './streams/replay.js';
export type { ReplayOptions, ReplayedEvent } from './streams/replay.js';
export type { DeadLetterInfo, DeadLetterReason } from './streams/settler.js';
export { DeadLetterQueue } from './streams/dead-letter-queue.js';
export type { DeadLetterEntry, DeadLetterQueueOptions, RedriveOutcome } from './streams/dead-letter-queue.js';
export type { CommitArg, CommitCommands } from './streams/commit-commands.js';
export type { CommitOnceOptions } from './streams/commit-once.js';
