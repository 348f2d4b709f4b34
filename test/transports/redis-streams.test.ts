import { afterAll, beforeAll } from 'vitest';
import { RedisStreamsTransport } from '../../src/redis/streams-transport.js';
import { describeTransport } from '../conformance/transport-suite.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

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
let groups = 0;

// Broadcast: every transport is its own group, so each sees every event; a new group starts at
// the oldest retained entry (durable: a late subscriber gets what was published before it).
describeTransport('RedisStreams (broadcast)', { crossInstance: true, durable: true }, async ({ namespace }) =>
  new RedisStreamsTransport({ connection: { url: url() }, namespace, startFrom: 'beginning', ...fast }),
);

// Work sharing: every transport joins a named group as a competing member. The suite's
// cross-instance checks need each transport to see every event, so each gets its own named
// group here; splitting one group between members is tested in test/integration/redis-streams.
describeTransport('RedisStreams (work sharing, guarded)', { crossInstance: true, durable: true }, async ({ namespace }) =>
  new RedisStreamsTransport({ connection: { url: url() }, namespace, group: `svc-${++groups}`, idempotency: true, ...fast }),
);
