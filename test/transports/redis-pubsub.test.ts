import { afterAll, beforeAll } from 'vitest';
import { redisPubSub } from '../../src/redis/index.js';
import { describePromises } from '../conformance/promises.js';
import { describeTransport } from '../conformance/transport-suite.js';
import { startRedis, type RedisServer } from '../helpers/redis/server-process.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

describeTransport('RedisPubSub', { crossInstance: true, durable: false }, async ({ namespace }) =>
  redisPubSub({ connection: { url: server.url, backoff: { baseMs: 20, capMs: 500 } }, namespace }),
);
describePromises('RedisPubSub', { delivers: true, options: { queue: 'honoured', waitPolicy: 'refused', maxInFlight: 'honoured' } }, async ({ namespace }) =>
  redisPubSub({ connection: { url: server.url, backoff: { baseMs: 20, capMs: 500 } }, namespace }),
);

// Batch mode on: the same contract, every event of the suite carried in CloudEvents batch messages
// (flush window 1 ms, so events published close together share a message).
describeTransport('RedisPubSub (batch mode)', { crossInstance: true, durable: false }, async ({ namespace }) =>
  redisPubSub({ connection: { url: server.url, backoff: { baseMs: 20, capMs: 500 } }, namespace, batch: { maxEvents: 8, flushMs: 1 } }),
);
describePromises('RedisPubSub (batch mode)', { delivers: true, options: { queue: 'honoured', waitPolicy: 'refused', maxInFlight: 'honoured' } }, async ({ namespace }) =>
  redisPubSub({ connection: { url: server.url, backoff: { baseMs: 20, capMs: 500 } }, namespace, batch: { maxEvents: 8, flushMs: 1 } }),
);
