import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type DotbusError, type PublishReceipt } from '../../../src/index.js';
import { aclRulesFor, redisPubSub, redisStreams, replayEvents } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

/**
 * Tenant isolation: two tenants share one Redis, each with a namespace and a user holding exactly
 * `aclRulesFor(namespace)`. A tenant works fully in its own namespace and can't publish to,
 * subscribe to or read the other's; every refusal names the rule that is missing.
 */

let server: RedisServer;
let admin: Redis;
const tenants = {
  a: { user: 'tenant-a', password: 'pw a', namespace: `tenant-a-${process.pid}` },
  b: { user: 'tenant-b', password: 'pw b', namespace: `tenant-b-${process.pid}` },
};

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis({ host: server.host, port: server.port });
  for (const t of Object.values(tenants)) {
    await admin.call('ACL', 'SETUSER', t.user, 'on', `>${t.password}`, ...aclRulesFor({ namespace: t.namespace, mechanism: ['pubsub', 'streams'] }));
  }
}, 120_000);
afterAll(async () => {
  admin?.disconnect();
  await server?.dispose();
});

type Tenant = (typeof tenants)['a'];
const connectionOf = (t: Tenant) => ({ url: `redis://${t.user}:${encodeURIComponent(t.password)}@${server.host}:${server.port}`, backoff: { baseMs: 50, capMs: 200 } });
const pubsubAs = (t: Tenant, namespace: string, subscribeTo: 'patterns' | 'namespace' = 'namespace') =>
  redisPubSub({ connection: connectionOf(t), namespace, subscribeTo, heartbeatMs: 100, readyTimeoutMs: 2_000, closeTimeoutMs: 500 });
const streamsAs = (t: Tenant, namespace: string, group = 'billing') =>
  redisStreams({ connection: connectionOf(t), namespace, group, readyTimeoutMs: 2_000, closeTimeoutMs: 500, retry: { maxAttempts: 2, backoff: { baseMs: 1, capMs: 5 } } });

/** Entries of Redis's ACL log (refusals) for `user`. */
async function refusalsOf(user: string): Promise<string[]> {
  const log = (await admin.call('ACL', 'LOG')) as unknown[][];
  return log
    .map((entry) => Object.fromEntries(Array.from({ length: entry.length / 2 }, (_, i) => [String(entry[2 * i]), entry[2 * i + 1]])))
    .filter((e) => e['username'] === user)
    .map((e) => `${String(e['reason'])} ${String(e['object'])}`);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('resolved');
    },
    (e: unknown) => e as Error,
  );
}

function expectFailed(receipt: PublishReceipt, ...fragments: string[]): void {
  expect(receipt.status).toBe('failed');
  expect(receipt.error?.code).toBe('PUBLISH_FAILED');
  for (const f of fragments) expect(receipt.error?.message).toContain(f);
}

describe('a tenant in its own namespace, with only its ACL rules', () => {
  it('Pub/Sub: publish → handler, heartbeats, nothing refused', async () => {
    const ns = tenants.a.namespace;
    const transport = pubsubAs(tenants.a, ns);
    const consumer = createBus({ events: [Probe], transport });
    const producer = createBus({ events: [Probe], transport: pubsubAs(tenants.a, ns) });
    const got: number[] = [];
    try {
      await consumer.subscribe('conf.*', (e) => void got.push(e.data.n)).ready;
      await Promise.all([consumer.ready(), producer.ready()]);
      const sent = [1, 2, 3, 4, 5];
      for (const n of sent) expect((await producer.emit('conf.order', { n, text: 'mine' })).status).toBe('accepted');
      // A type nobody here subscribes to arrives through the namespace glob and is left unread.
      expect((await producer.emit('started', { n: 0, text: 'not subscribed' })).status).toBe('accepted');
      await waitUntil(() => got.length >= sent.length);
      await waitUntil(() => transport.stats().heartbeats > 0, 5_000, 'a heartbeat');
      expect(got).toEqual(sent);
      expect(transport.stats()).toMatchObject({ decodeErrors: 0, lost: 0, received: sent.length });
    } finally {
      await Promise.all([consumer.close(), producer.close()]);
    }
    expect(await refusalsOf(tenants.a.user)).toEqual([]);
  });

  it('Streams: publish → group read, ack, retry, dead-letter, group info, replay; nothing refused', async () => {
    const ns = tenants.a.namespace;
    const transport = streamsAs(tenants.a, ns);
    const bus = createBus({ events: [Probe], transport, onError: () => {} });
    const handled: number[] = [];
    const totals = transport.keys.tagged('totals');
    try {
      bus.subscribe('conf.order', async (e) => {
        if (e.data.text === 'poison') throw new Error('refuses this one');
        // Every write a commit may make, in the namespace's slot.
        await transport.commitOnce(e, (tx) => tx.hincrby(totals, 'n', e.data.n).incrby(transport.keys.tagged('count')).set(transport.keys.tagged('last'), e.data.n).sadd(transport.keys.tagged('seen'), e.data.n).pexpire(totals, 60_000));
        handled.push(e.data.n);
      });
      await bus.ready();
      const sent = [1, 2, 3];
      for (const n of sent) expect((await bus.emit('conf.order', { n, text: 'mine' })).status).toBe('accepted');
      expect((await bus.emit('conf.order', { n: 99, text: 'poison' })).status).toBe('accepted');
      await waitUntil(() => handled.length >= sent.length && transport.stats().deadLettered >= 1, 10_000, 'handled and dead-lettered');
      expect(handled).toEqual(sent);
      const groups = await transport.groupInfo();
      expect(groups.map((g) => g.group)).toContain('billing');
      expect(groups.find((g) => g.group === 'billing')?.pending).toBe(0);
      const replayed = [];
      for await (const r of replayEvents({ pattern: 'conf.*', namespace: ns, connection: connectionOf(tenants.a), events: [Probe] })) replayed.push(r.event.data.n);
      expect(replayed).toEqual([...sent, 99]);
      expect(await admin.xlen(`{${ns}}:dead-letter`)).toBe(1);
      expect(await admin.hget(totals, 'n')).toBe(String(sent.reduce((a, b) => a + b, 0)));
    } finally {
      await bus.close();
    }
    expect(await refusalsOf(tenants.a.user)).toEqual([]);
  });
});

describe("a tenant's credentials in another tenant's namespace", () => {
  const foreign = tenants.b.namespace;

  it('Pub/Sub: a publish is a failed receipt naming the channel rule', async () => {
    const errors: DotbusError[] = [];
    const bus = createBus({ events: [Probe], transport: pubsubAs(tenants.a, foreign), onError: (e) => void errors.push(e) });
    try {
      await bus.ready();
      const receipt = await bus.emit('conf.order', { n: 1, text: 'forged' });
      expectFailed(receipt, 'Redis refused PUBLISH: NOPERM', `grant what is missing: ACL SETUSER tenant-a &${foreign}:conf.order`);
      const batch = await bus.publishBatch([Probe.create('conf.order', { n: 2, text: 'forged' })]);
      expectFailed(batch[0]!, 'NOPERM', `ACL SETUSER tenant-a &${foreign}:conf.order`);
      expect(errors.filter((e) => e.code === 'PUBLISH_FAILED').length).toBe(2);
    } finally {
      await bus.close();
    }
  });

  for (const subscribeTo of ['namespace', 'patterns'] as const) {
    it(`Pub/Sub (subscribeTo '${subscribeTo}'): a subscription is refused, naming the channel rules`, async () => {
      const bus = createBus({ events: [Probe], transport: pubsubAs(tenants.a, foreign, subscribeTo), onError: () => {} });
      try {
        const error = await rejection(bus.subscribe('conf.*', () => {}).ready);
        expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
        expect(error.message).toMatch(/Redis refused P?SUBSCRIBE to user tenant-a \(NOPERM/);
        expect(error.message).toContain('grant what is missing: ACL SETUSER tenant-a ');
        expect(error.message).toContain(subscribeTo === 'namespace' ? `&${foreign}:*` : `&${foreign}:conf.*`);
        expect(error.message).toContain(`&{dotbus}:heartbeat:${foreign}`);
      } finally {
        await bus.close();
      }
    });
  }

  it('Streams: a publish is a failed receipt naming the key rule', async () => {
    const bus = createBus({ events: [Probe], transport: streamsAs(tenants.a, foreign), onError: () => {} });
    try {
      await bus.ready();
      expectFailed(await bus.emit('conf.order', { n: 1, text: 'forged' }), 'Redis refused XADD: NOPERM', `grant what is missing: ACL SETUSER tenant-a ~{${foreign}}:events`);
    } finally {
      await bus.close();
    }
  });

  it('Streams: a group read is refused, naming the key rule', async () => {
    const bus = createBus({ events: [Probe], transport: streamsAs(tenants.a, foreign), onError: () => {} });
    try {
      bus.subscribe('conf.*', () => {});
      const error = await rejection(bus.ready());
      expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
      expect(error.message).toMatch(/NOPERM/);
      expect(error.message).toContain(`grant what is missing: ACL SETUSER tenant-a ~{${foreign}}:events`);
    } finally {
      await bus.close();
    }
  });

  it("Streams: replaying the other tenant's stream is refused, naming the key rule", async () => {
    const error = await rejection(replayEvents({ pattern: '*', namespace: foreign, connection: connectionOf(tenants.a) }).next());
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(error.message).toContain('XRANGE');
    expect(error.message).toContain(`grant what is missing: ACL SETUSER tenant-a ~{${foreign}}:events`);
  });

  it("nothing of it reached the other tenant's channels or keys; Redis logged each refusal", async () => {
    expect(await admin.exists(`{${foreign}}:events`)).toBe(0);
    expect(await refusalsOf(tenants.b.user)).toEqual([]);
    // The same log the own-namespace tests found empty: it does record this user's refusals.
    expect(await refusalsOf(tenants.a.user)).toEqual(expect.arrayContaining([`channel ${foreign}:conf.order`, `channel ${foreign}:*`, `key {${foreign}}:events`]));
  });
});
