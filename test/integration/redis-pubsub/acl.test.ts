import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { Consumer } from './consumer-harness.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis({ aclUsers: [{ name: 'svc', password: 'right p@ss' }] });
});
afterAll(async () => {
  await server?.dispose();
});

const urlWith = (user: string, password: string): string =>
  `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${server.host}:${server.port}`;

describe('Redis Pub/Sub with ACL credentials', () => {
  it('rejects ready() with a clear error for wrong credentials', async () => {
    const c = new Consumer(urlWith('svc', 'wrong'), `acl-bad-${process.pid}`, { readyTimeoutMs: 5_000 });
    try {
      const error = await c.bus.ready().then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
      expect((error as Error).message).toMatch(/Redis rejected the credentials for user svc: WRONGPASS/);
      expect((error as Error).message).not.toContain('wrong');
      expect(c.transport.status).toBe('down');
    } finally {
      await c.bus.close();
    }
  });

  it('works with the right credentials', async () => {
    const namespace = `acl-ok-${process.pid}`;
    const c = new Consumer(urlWith('svc', 'right p@ss'), namespace);
    const p = new Consumer(urlWith('svc', 'right p@ss'), namespace);
    try {
      await Promise.all([c.bus.ready(), p.bus.ready()]);
      for (let n = 0; n < 50; n++) expect((await p.bus.emit('it.tick', { n, run: 'acl', payload: '' })).status).toBe('accepted');
      await waitUntil(() => c.delivered >= 50);
      expect(c.delivered + c.dropped()).toBe(50);
      expect(c.dropped()).toBe(0);
    } finally {
      await Promise.all([c.bus.close(), p.bus.close()]);
    }
  });
});
