import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type DotbusError } from '../../../src/index.js';
import { redisPubSub, redisStreams } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';

let server: RedisServer;
beforeAll(async () => {
  // Users that may connect and read but not write: PUBLISH, or XADD, is refused with NOPERM.
  server = await startRedis({
    aclUsers: [
      { name: 'nopublish', password: 'pw', rules: '~* &* +@all -publish' },
      { name: 'noxadd', password: 'pw', rules: '~* &* +@all -xadd' },
    ],
  });
});
afterAll(async () => {
  await server?.dispose();
});

const urlOf = (user: string): string => `redis://${user}:pw@${server.host}:${server.port}`;

describe('a write Redis refuses is a failed receipt, never accepted', () => {
  for (const [name, user, make] of [
    ['Pub/Sub PUBLISH', 'nopublish', (url: string) => redisPubSub({ connection: { url }, namespace: `refused-${process.pid}`, heartbeatMs: 0 })],
    ['Streams XADD', 'noxadd', (url: string) => redisStreams({ connection: { url }, namespace: `refused-${process.pid}` })],
  ] as const) {
    it(`${name}: failed with Redis's reason, reported to onError and counted`, async () => {
      const errors: DotbusError[] = [];
      const bus = createBus({ events: [Probe], transport: make(urlOf(user)), onError: (e) => void errors.push(e) });
      try {
        await bus.ready();
        const receipts = [];
        for (let n = 0; n < 5; n++) receipts.push(await bus.emit('conf.order', { n, text: 'refused' }));
        const batch = await bus.publishBatch([Probe.create('conf.order', { n: 9, text: 'batch' })]);
        for (const r of [...receipts, ...batch]) {
          expect(r.status).toBe('failed');
          expect(r.error?.code).toBe('PUBLISH_FAILED');
          expect(r.error?.message).toMatch(/NOPERM/);
        }
        expect(bus.stats().publisher).toMatchObject({ accepted: 0, failed: 6 });
        expect(errors.filter((e) => e.code === 'PUBLISH_FAILED')).toHaveLength(6);
      } finally {
        await bus.close();
      }
    });
  }
});
