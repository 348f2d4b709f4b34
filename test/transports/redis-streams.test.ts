import { afterAll, beforeAll } from 'vitest';
import { redisStreams } from '../../src/redis/index.js';
import { describePromises } from '../conformance/promises.js';
import { describeTransport } from '../conformance/transport-suite.js';
import { startRedis, type RedisServer } from '../helpers/redis/server-process.js';

let server: RedisServer | undefined;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

const url = (): string => {
  if (server === undefined) throw new Error('redis-server not started');
  return server.url;
};
const fast = { retry: { maxAttempts: 3, backoff: { baseMs: 5, capMs: 20 } }, blockMs: 200 } as const;

// Broadcast: every transport is its own group, so each sees every event; a new group starts at
// the oldest retained entry (durable: a late subscriber gets what was published before it).
describeTransport('RedisStreams (broadcast)', { crossInstance: true, durable: true }, async ({ namespace }) =>
  redisStreams({ connection: { url: url() }, namespace, startFrom: 'beginning', ...fast }),
);

// Work sharing: every transport made for one test namespace joins that namespace's named group as
// a competing member, so each event is handled by exactly one of them (the suite checks the split).
describeTransport('RedisStreams (work sharing, guarded)', { crossInstance: true, durable: true, sharedGroup: true }, async ({ namespace }) =>
  redisStreams({ connection: { url: url() }, namespace, group: `svc-${namespace}`, idempotency: true, ...fast }),
);
describePromises('RedisStreams', { delivers: true, options: { queue: 'refused', waitPolicy: 'refused', maxInFlight: 'refused' } }, async ({ namespace }) =>
  redisStreams({ connection: { url: url() }, namespace, ...fast }),
);
