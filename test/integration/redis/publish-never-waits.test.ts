import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type DotbusError, type PublishReceipt, type Transport } from '../../../src/index.js';
import { redisPubSub, redisStreams } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { getFreePort, REDIS_HOST } from '../../helpers/redis/free-port.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

/** A TCP server that accepts connections and never answers: the Redis that hangs. */
let silent: Server;
const sockets: Socket[] = [];
let silentUrl = '';
let refusedUrl = '';
let server: RedisServer;

beforeAll(async () => {
  silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, REDIS_HOST, r));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  silentUrl = `redis://${REDIS_HOST}:${address.port}`;
  refusedUrl = `redis://${REDIS_HOST}:${await getFreePort()}`;
  server = await startRedis();
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await server?.dispose();
});

const makers: Record<string, (url: string) => Transport> = {
  'Redis Pub/Sub': (url) => redisPubSub({ connection: { url, connectTimeoutMs: 10_000 }, namespace: `never-${process.pid}`, closeTimeoutMs: 300 }),
  'Redis Streams': (url) => redisStreams({ connection: { url, connectTimeoutMs: 10_000 }, namespace: `never-${process.pid}`, closeTimeoutMs: 300 }),
};

/** `promise`'s value if it settles before the event loop's next turn (setImmediate), else 'late'. */
function withinTurn<T>(promise: Promise<T>): Promise<T | 'late'> {
  return Promise.race([promise, new Promise<'late'>((r) => setImmediate(() => r('late')))]);
}

for (const [name, make] of Object.entries(makers)) {
  describe(`${name}: a publish never waits on the network`, () => {
    for (const [what, url] of [['refuses connections', () => refusedUrl], ['accepts TCP but never answers', () => silentUrl]] as const) {
      it(`resolves buffered within the same turn while Redis ${what}, and reports what close() drops`, async () => {
        const errors: DotbusError[] = [];
        const bus = createBus({ events: [Probe], transport: make(url()), onError: (e) => void errors.push(e) });
        const receipts: (PublishReceipt | 'late')[] = [];
        for (let i = 0; i < 20; i++) receipts.push(await withinTurn(bus.emit('conf.order', { n: i, text: 'down' })));
        expect(receipts.map((r) => (r === 'late' ? r : r.status))).toEqual(Array.from({ length: 20 }, () => 'buffered'));
        await bus.close();
        // The events that were still buffered are dropped on close: counted and reported with their number.
        expect(bus.stats().dropped.closed).toBe(20);
        expect(errors.map((e) => e.message).join('\n')).toMatch(/close\(\) dropped 20 buffered event\(s\): Redis was unreachable/);
      });
    }

    it('resolves accepted once connected, even if ready() was never awaited', async () => {
      const bus = createBus({ events: [Probe], transport: make(server.url) });
      const status = (): string => (bus.transport as unknown as { status: string }).status;
      await waitUntil(() => status() === 'up', 10_000, 'the connection');
      expect((await bus.emit('conf.order', { n: 1, text: 'up' })).status).toBe('accepted');
      await bus.close();
    });
  });
}
