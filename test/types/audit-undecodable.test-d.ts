/**
 * Type-level tests of the seam between Redis Streams and the audit recorder: an `UndecodableEntry`
 * is an `UndecodableMessage`, so `onUndecodable: (u) => recorder.recordUndecodable(u)` compiles
 * without the audit layer importing the Redis one. Compiled by `npm run typecheck`.
 */
import type { AuditRecorder, UndecodableMessage } from '../../src/audit/index.js';
import type { RedisStreamsOptions, UndecodableEntry, UndecodableHandler } from '../../src/redis/index.js';
import type { Expect } from './assert.js';

type Extends<A, B> = A extends B ? true : false;

export type Cases = [
  Expect<Extends<UndecodableEntry, UndecodableMessage>>,
  Expect<Extends<AuditRecorder['recordUndecodable'], UndecodableHandler>>,
  Expect<Extends<NonNullable<RedisStreamsOptions['onUndecodable']>, UndecodableHandler>>,
];
