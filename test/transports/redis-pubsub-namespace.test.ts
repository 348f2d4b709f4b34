import { afterAll, beforeAll } from 'vitest';
import { redisPubSub } from '../../src/redis/index.js';
import { describeTransport } from '../conformance/transport-suite.js';
import { startRedis, type RedisServer } from '../helpers/redis/server-process.js';

/**
 * Redis Pub/Sub with `subscribeTo: 'namespace'` (one `PSUBSCRIBE <ns>:*`, the mode a tenant's ACL
 * user needs): the same contract as one subscription per pattern, the exact matcher on the client
 * deciding alone.
 */

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

describeTransport('RedisPubSub (subscribeTo namespace)', { crossInstance: true, durable: false }, async ({ namespace }) =>
  redisPubSub({ connection: { url: server.url, backoff: { baseMs: 20, capMs: 500 } }, namespace, subscribeTo: 'namespace' }),
);
