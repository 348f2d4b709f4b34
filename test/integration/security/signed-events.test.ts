import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, createBus, EventRegistry, EventSecurity, JsonCodec, type AnyEventDefinition, type DotbusError, type SigningKey, type Transport } from '../../../src/index.js';
import { redisPubSub, redisStreams, type RedisPubSubTransport } from '../../../src/redis/index.js';
import { Tick } from '../../fixtures/redis-pubsub/events.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor, waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
let raw: Redis;
beforeAll(async () => {
  server = await startRedis();
  raw = new Redis(server.url);
});
afterAll(async () => {
  raw.disconnect();
  await server?.dispose();
});

const key = (id: string, fill: number): SigningKey => ({ id, secret: new Uint8Array(32).fill(fill) });
const OLD = key('k-old', 1);
const NEW = key('k-new', 2);
const registry = new EventRegistry([...BUILT_IN_EVENTS, Tick] as AnyEventDefinition[]);

/** The wire text of tick `n` as a codec signing with `signingKey` (none: unsigned) writes it. */
function wire(n: number, signingKey?: SigningKey): { text: string; id: string } {
  const event = Tick.create('it.tick', { n, run: 'raw', payload: 'p' });
  const codec = new JsonCodec(registry, { security: new EventSecurity({ signingKey }) });
  return { text: codec.encode(event, { producerId: 'raw-1', sequence: n }), id: event.eventId };
}

/** The four messages an attacker with write access (and no key) can send, and their expected reasons. */
function hostile(): { text: string; id: string; reason: string }[] {
  const genuine = wire(103, OLD);
  const altered = JSON.parse(genuine.text) as { data: { n: number } };
  altered.data.n = 104;
  return [
    { ...wire(100), reason: 'unsigned' },
    { ...wire(101, key('k-old', 9)), reason: 'bad-signature' }, // forged: right key id, guessed secret
    { ...wire(102, key('k-stolen', 3)), reason: 'unknown-key' },
    { text: JSON.stringify(altered), id: genuine.id, reason: 'bad-signature' }, // a genuine event, altered in transit
  ];
}

interface Consumer {
  handled: number[];
  errors: DotbusError[];
  reasons: string[];
  security: EventSecurity;
  close(): Promise<void>;
}

async function consumer(transport: Transport, keys: SigningKey[] = [OLD], requireSigned = true): Promise<Consumer> {
  const security = new EventSecurity({ verificationKeys: keys, requireSigned });
  const errors: DotbusError[] = [];
  const bus = createBus({ events: [Tick], transport, security, onError: (e) => void errors.push(e) });
  const handled: number[] = [];
  const reasons: string[] = [];
  bus.subscribe('it.*', (e) => void handled.push(e.data.n));
  bus.subscribe('system.error.signature', (e) => void reasons.push(e.data.reason ?? '?'));
  await bus.ready();
  return { handled, errors, reasons, security, close: () => bus.close() };
}

async function producer(transport: Transport, signingKey: SigningKey): Promise<{ bus: ReturnType<typeof createBus<[typeof Tick]>>; security: EventSecurity }> {
  const security = new EventSecurity({ signingKey });
  const bus = createBus({ events: [Tick], transport, security });
  await bus.ready();
  return { bus, security };
}

describe.each(['pubsub', 'streams'] as const)('signed events over Redis %s', (kind) => {
  const make = (namespace: string): Transport =>
    kind === 'pubsub'
      ? redisPubSub({ connection: { url: server.url }, namespace })
      : redisStreams({ connection: { url: server.url }, namespace, group: 'svc', blockMs: 200, claimIdleMs: 300 });
  const send = (namespace: string, text: string, id: string): Promise<unknown> =>
    kind === 'pubsub' ? raw.publish(`${namespace}:it.tick`, text) : raw.xadd(`{${namespace}}:events`, '*', 't', 'it.tick', 'i', id, 'm', text);

  it('only signed events reach handlers; forged, altered, unsigned and unknown-key ones are counted, reported and published as system.error.signature', async () => {
    const namespace = `signed-${kind}-${process.pid}`;
    const c = await consumer(make(namespace));
    const p = await producer(make(namespace), OLD);
    const attacks = hostile();
    try {
      for (let n = 0; n < 4; n++) {
        await p.bus.emit('it.tick', { n, run: 'signed', payload: 'p' });
        const attack = attacks[n]!;
        await send(namespace, attack.text, attack.id);
      }
      await waitUntil(() => c.handled.length === 4 && c.reasons.length === attacks.length, 10_000, 'c.handled.length === 4 && c.reasons.length === attacks.length');
      expect(c.handled).toEqual([0, 1, 2, 3]);
      expect([...c.reasons].sort()).toEqual(attacks.map((a) => a.reason).sort());
      expect(c.errors.map((e) => e.code)).toEqual(attacks.map(() => 'SIGNATURE_REJECTED'));
      const rejected = c.security.stats().rejected;
      expect(Object.values(rejected).reduce((a, b) => a + b, 0)).toBe(attacks.length);
      expect(c.security.stats().verified).toBe(4);
      if (kind === 'streams') {
        // Rejected entries go where malformed ones go: the dead-letter stream, with the reason, acknowledged.
        const dead = `{${namespace}}:dead-letter`;
        await waitFor('every rejected entry dead-lettered', 10_000, async () => (await raw.xlen(dead)) === attacks.length, async () => `${await raw.xlen(dead)} dead letters`);
        const letters = await raw.xrange(dead, '-', '+');
        const reasons = letters.map(([, f]) => f[f.indexOf('reason') + 1]);
        expect(reasons).toEqual(attacks.map(() => 'signature-rejected'));
        const pending = async (): Promise<unknown> => ((await raw.xpending(`{${namespace}}:events`, 'svc')) as unknown[])[0];
        await waitFor('nothing pending', 10_000, async () => (await pending()) === 0, async () => `pending ${String(await pending())}`);
      }
    } finally {
      await p.bus.close();
      await c.close();
    }
  });

  it('with replay protection, refuses a re-sent copy and an event outside the window', async () => {
    const namespace = `replay-${kind}-${process.pid}`;
    const security = new EventSecurity({ verificationKeys: [OLD], requireSigned: true, replayWindowMs: 60_000 });
    const handled: number[] = [];
    const reasons: string[] = [];
    const bus = createBus({ events: [Tick], transport: make(namespace), security, onError: () => {} });
    bus.subscribe('it.*', (e) => void handled.push(e.data.n));
    bus.subscribe('system.error.signature', (e) => void reasons.push(e.data.reason ?? '?'));
    await bus.ready();
    try {
      const codec = new JsonCodec(registry, { security: new EventSecurity({ signingKey: OLD }) });
      const fresh = Tick.create('it.tick', { n: 1, run: 'replay', payload: 'p' });
      const stale = Tick.create('it.tick', { n: 2, run: 'replay', payload: 'p' }, { timestamp: new Date(Date.now() - 3_600_000) });
      const first = codec.encode(fresh, { producerId: 'raw-2', sequence: 1 });
      await send(namespace, first, fresh.eventId);
      await send(namespace, first, fresh.eventId); // captured and sent again
      await send(namespace, codec.encode(stale, { producerId: 'raw-2', sequence: 2 }), stale.eventId);
      await waitUntil(() => reasons.length === 2, 10_000, 'two refusals');
      expect(handled).toEqual([1]);
      expect(reasons).toEqual(['replayed', 'outside-window']);
    } finally {
      await bus.close();
    }
  });

  it('rotates keys: old key, then both, then only the new one, without losing or refusing a valid event', async () => {
    const namespace = `rotate-${kind}-${process.pid}`;
    const c = await consumer(make(namespace), [OLD]);
    const p = await producer(make(namespace), OLD);
    try {
      await p.bus.emit('it.tick', { n: 0, run: 'rotate', payload: 'old' });
      c.security.addVerificationKey(NEW); // step 1, on every consumer
      await p.bus.emit('it.tick', { n: 1, run: 'rotate', payload: 'old' });
      p.security.useSigningKey(NEW); // step 2, on every producer
      await p.bus.emit('it.tick', { n: 2, run: 'rotate', payload: 'new' });
      await waitUntil(() => c.handled.length === 3, 10_000, 'c.handled.length === 3');
      c.security.retireVerificationKey(OLD.id); // step 3, once no old-key event can still arrive
      await p.bus.emit('it.tick', { n: 3, run: 'rotate', payload: 'new' });
      await waitUntil(() => c.handled.length === 4, 10_000, 'c.handled.length === 4');
      expect(c.handled).toEqual([0, 1, 2, 3]);
      expect(c.errors).toEqual([]);
      const old = wire(9, OLD);
      await send(namespace, old.text, old.id);
      await waitUntil(() => c.reasons.length === 1, 10_000, 'c.reasons.length === 1');
      expect(c.reasons).toEqual(['unknown-key']);
    } finally {
      await p.bus.close();
      await c.close();
    }
  });
});

describe('gap detection under verification (Pub/Sub)', () => {
  it('trusts only signed producer stamps and heartbeats: forged ones count nothing as lost, a signed heartbeat still finds a loss at the tail', async () => {
    const namespace = `gaps-${process.pid}`;
    const transport = redisPubSub({ connection: { url: server.url }, namespace });
    const c = await consumer(transport, [OLD], false);
    try {
      const first = wire(1);
      const jump = wire(5_000); // unsigned, producer raw-1, sequence 5000: 4,998 "lost" if trusted
      await raw.publish(`${namespace}:it.tick`, first.text);
      await raw.publish(`${namespace}:it.tick`, jump.text);
      await raw.publish(`{dotbus}:heartbeat:${namespace}`, JSON.stringify({ v: 1, producerid: 'raw-1', seqs: { 'it.tick': 90_000 } }));
      const signed = wire(6_000, OLD);
      await raw.publish(`${namespace}:it.tick`, signed.text);
      await waitUntil(() => c.handled.length === 3, 10_000, 'c.handled.length === 3');
      expect(c.handled).toEqual([1, 5_000, 6_000]);
      expect((transport as RedisPubSubTransport).stats().lost).toBe(0);
      expect(c.security.stats()).toMatchObject({ verified: 1, unsignedAccepted: 2 });
      // The signing producer's heartbeat says it sent up to 6,010: ten events never arrived.
      const beat = new EventSecurity({ signingKey: OLD }).encode({ v: 1, producerid: 'raw-1', seqs: { 'it.tick': 6_010 } });
      const forgedBeat = new EventSecurity({ signingKey: key('k-old', 9) }).encode({ v: 1, producerid: 'raw-1', seqs: { 'it.tick': 99_000 } });
      await raw.publish(`{dotbus}:heartbeat:${namespace}`, forgedBeat);
      await raw.publish(`{dotbus}:heartbeat:${namespace}`, beat);
      await waitUntil(() => (transport as RedisPubSubTransport).stats().lost > 0, 10_000, 'the loss at the tail');
      expect((transport as RedisPubSubTransport).stats().lost).toBe(10);
      expect(c.errors.map((e) => e.message)).toEqual([expect.stringContaining('heartbeat: its signature does not match') as string]);
    } finally {
      await c.close();
    }
  });
});
