import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommands, type RespReply } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';
import { ChildConsumer } from './child-consumer.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.dispose();
});

const FIXTURE = 'test/fixtures/redis-streams/upcast-consumer.ts';
const redis = async (...cmd: string[]): Promise<RespReply> => (await sendCommands(server.port, [cmd]))[0]!;

/** A `Job` 1.0.0 entry as a dotbus producer writes it; the 2.0.0 consumers upcast it while decoding. */
function v1Entry(type: string, n: number): string[] {
  const id = randomUUID();
  const message = JSON.stringify({ specversion: '1.0', id, source: '/old-producer', type, time: new Date().toISOString(), datacontenttype: 'application/json', schemaversion: '1.0.0', data: { n } });
  return ['t', type, 'i', id, 'm', message];
}

describe('Redis Streams: an entry that crashes its members before dispatch', () => {
  it('is dead-lettered as attempts-exhausted after maxAttempts crashes, without being decoded again', async () => {
    const MAX_ATTEMPTS = 2;
    const namespace = `crash-decode-${process.pid}`;
    const key = `{${namespace}}:events`;
    const env = { URL: server.url, NS: namespace, GROUP: 'svc', CLAIM_IDLE_MS: '300', MAX_ATTEMPTS: String(MAX_ATTEMPTS) };
    await redis('XADD', key, '*', ...v1Entry('job.poison', -1));
    const members: ChildConsumer[] = [];
    const progress = async (): Promise<string> => {
      const [pending, dead] = await sendCommands(server.port, [['XPENDING', key, 'svc', '-', '+', '10'], ['XRANGE', `{${namespace}}:dead-letter`, '-', '+']]);
      return `${members.map((m) => m.progress()).join('; ')}; pending ${JSON.stringify(pending)}; dead letters ${JSON.stringify(dead)}`;
    };
    try {
      // Each member decodes the entry and dies in the upcaster: one delivery, one attempt each.
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const m = new ChildConsumer(FIXTURE, env);
        members.push(m);
        await waitFor(`member ${i + 1} to die decoding the entry`, 30_000, () => m.exit !== undefined, progress);
        expect(m.exit).toBe('code 3');
      }
      // The next member claims it with maxAttempts used up: dead-letter it, don't decode it.
      const survivor = new ChildConsumer(FIXTURE, env);
      members.push(survivor);
      const died = (): string | undefined => (survivor.exit === undefined ? undefined : `the member after ${MAX_ATTEMPTS} crashes exited (${survivor.exit}): it decoded the entry again`);
      await waitFor('the survivor ready', 30_000, () => survivor.ready, progress, died);
      await waitFor('the entry dead-lettered', 20_000, async () => (await redis('XLEN', `{${namespace}}:dead-letter`)) === 1, progress, died);
      const [, flat] = ((await redis('XRANGE', `{${namespace}}:dead-letter`, '-', '+')) as [string, string[]][])[0]!;
      const fields = Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]!]] : [])));
      expect(fields).toMatchObject({ reason: 'attempts-exhausted', attempts: String(MAX_ATTEMPTS), t: 'job.poison', group: 'svc' });
      expect(JSON.parse(fields['m']!)).toMatchObject({ type: 'job.poison', data: { n: -1 } });
      // The survivor goes on with the rest of the stream.
      for (let n = 0; n < 5; n++) await redis('XADD', key, '*', ...v1Entry('job.run', n));
      await waitFor('the rest handled', 20_000, () => survivor.handled.size === 5, progress, died);
      await waitFor('nothing pending', 10_000, async () => JSON.stringify(await redis('XPENDING', key, 'svc')) === JSON.stringify([0, null, null, null]), progress, died);
      expect(survivor.exit).toBeUndefined();
    } finally {
      await Promise.all(members.map((m) => m.stop()));
    }
  }, 120_000);
});
