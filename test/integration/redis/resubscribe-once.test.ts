import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { redisPubSub } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { sendCommands } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

/** How many times Redis ran `command` since it started (INFO commandstats). */
async function calls(command: string): Promise<number> {
  const [info] = await sendCommands(server.port, [['INFO', 'commandstats']]);
  const line = String(info).split('\r\n').find((l) => l.startsWith(`cmdstat_${command}:`));
  return line === undefined ? 0 : Number(/calls=(\d+)/.exec(line)![1]);
}

describe('Redis Pub/Sub resubscribes every glob exactly once after a reconnect', () => {
  it('sends one PSUBSCRIBE per distinct glob, and one more per glob after the connection is killed', async () => {
    const namespace = `resub-${process.pid}`;
    const bus = createBus({ events: [Probe], transport: redisPubSub({ connection: { url: server.url, backoff: { baseMs: 20, capMs: 100 } }, namespace, heartbeatMs: 0 }) });
    try {
      const before = await calls('psubscribe');
      let got = 0;
      // Three patterns, two globs: `conf.*` and `conf.+` share `<ns>:conf.*`.
      bus.subscribe('conf.*', () => void got++);
      bus.subscribe('conf.+', () => {});
      bus.subscribe('started', () => {});
      await bus.ready();
      expect((await calls('psubscribe')) - before).toBe(2);
      const reconnects = (): number => (bus.stats() as unknown as { reconnects: number }).reconnects;
      await sendCommands(server.port, [['CLIENT', 'KILL', 'TYPE', 'pubsub']]);
      await waitUntil(() => reconnects() >= 1, 10_000, 'a reconnect');
      await bus.ready();
      await bus.emit('conf.order', { n: 1, text: 'after' });
      await waitUntil(() => got >= 1, 10_000, 'delivery after the reconnect');
      expect((await calls('psubscribe')) - before).toBe(4);
    } finally {
      await bus.close();
    }
  });
});
