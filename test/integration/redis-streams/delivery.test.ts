import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createBus, type EventBus, type EventOfDefinition } from '../../../src/index.js';
import { replayEvents, replayInto } from '../../../src/redis/streams/replay.js';
import { redisStreams, type RedisStreamsTransport, type RedisStreamsOptions } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { sendCommands, type RespReply } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

type JobEvent = EventOfDefinition<typeof Job>;
type StreamsBus = EventBus<JobEvent> & { readonly streams: RedisStreamsTransport };
let server: RedisServer;
const open: EventBus<JobEvent>[] = [];
let nsCounter = 0;
beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await server.dispose();
});

const ns = (): string => `delivery-${process.pid}-${++nsCounter}`;
function bus(namespace: string, extra: RedisStreamsOptions = {}): StreamsBus {
  const transport = redisStreams({ connection: { url: server.url }, namespace, blockMs: 200, ...extra });
  const b = createBus({ events: [Job], transport, onError: () => {} }) as unknown as EventBus<JobEvent>;
  open.push(b);
  return Object.assign(b, { streams: transport });
}
const redis = async (...cmd: string[]): Promise<RespReply> => (await sendCommands(server.port, [cmd]))[0]!;

describe('Redis Streams delivery', () => {
  it('work sharing: members of one group split the events, each handled once', async () => {
    const namespace = ns();
    const counts = [0, 0];
    const seen = new Map<number, number>();
    const members = [bus(namespace, { group: 'workers', readCount: 20 }), bus(namespace, { group: 'workers', readCount: 20 })];
    members.forEach((m, i) => m.subscribe('job.run', async (e) => {
      counts[i]!++;
      seen.set(e.data.n, (seen.get(e.data.n) ?? 0) + 1);
      await new Promise((r) => setImmediate(r));
    }));
    await Promise.all(members.map((m) => m.ready()));
    const producer = bus(namespace);
    await producer.ready();
    await producer.publishBatch(Array.from({ length: 2_000 }, (_, n) => Job.create('job.run', { n })));
    await waitUntil(() => seen.size === 2_000, 30_000, 'all handled');
    await Promise.all(members.map((m) => m.drain()));
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    expect(counts[0]! + counts[1]!).toBe(2_000);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('broadcast: each group gets every event; a pattern sees types first published after it started', async () => {
    const namespace = ns();
    const a: string[] = [];
    const b: string[] = [];
    bus(namespace, { group: 'billing' }).subscribe('*', (e) => void (e.eventType.startsWith('system.') || a.push(e.eventType)));
    const other = bus(namespace, { group: 'audit' });
    other.subscribe('audit.*', (e) => void b.push(e.eventType));
    await Promise.all(open.map((x) => x.ready()));
    const p = bus(namespace);
    await p.ready();
    await p.emit('job.run', { n: 1 });
    await p.emit('audit.note', { n: 2 }); // a type nobody had published when the groups started
    await waitUntil(() => a.length >= 2 && b.length >= 1);
    expect(a).toEqual(['job.run', 'audit.note']);
    expect(b).toEqual(['audit.note']);
  });

  it('poison event: dead-lettered after N attempts with error, attempts and original id; the rest keeps flowing', async () => {
    const namespace = ns();
    const consumer = bus(namespace, { group: 'svc', retry: { maxAttempts: 4, backoff: { baseMs: 5, capMs: 20 } } });
    const handled: number[] = [];
    let poisonAttempts = 0;
    consumer.subscribe('job.*', (e) => {
      if (e.eventType === 'job.poison') {
        poisonAttempts++;
        throw new Error(`cannot handle ${e.data.n}`);
      }
      handled.push(e.data.n);
    });
    await consumer.ready();
    const p = bus(namespace);
    await p.ready();
    const events = [Job.create('job.run', { n: 0 }), Job.create('job.poison', { n: 1 }), ...Array.from({ length: 50 }, (_, i) => Job.create('job.run', { n: i + 2 }))];
    await p.publishBatch(events);
    await waitUntil(() => handled.length === 51 && consumer.streams.stats().deadLettered === 1, 20_000, 'rest handled, poison dead-lettered');
    await consumer.drain();
    expect(poisonAttempts).toBe(4);
    const dead = (await redis('XRANGE', `{${namespace}}:dead-letter`, '-', '+')) as [string, string[]][];
    expect(dead).toHaveLength(1);
    const fields = Object.fromEntries(pairs(dead[0]![1]));
    expect(fields).toMatchObject({ reason: 'handler-failed', attempts: '4', group: 'svc', eventId: events[1]!.eventId, t: 'job.poison' });
    expect(fields['error']).toContain('cannot handle 1');
    expect(JSON.parse(fields['m']!)).toMatchObject({ id: events[1]!.eventId, type: 'job.poison' });
    const original = (await redis('XRANGE', `{${namespace}}:events`, fields['id']!, fields['id']!)) as [string, string[]][];
    expect(original[0]![0]).toBe(fields['id']);
    expect(await redis('XPENDING', `{${namespace}}:events`, 'svc')).toEqual([0, null, null, null]);
  });

  it('an entry that does not decode is counted, dead-lettered with its reason, and acknowledged', async () => {
    const namespace = ns();
    const consumer = bus(namespace, { group: 'svc' });
    const got: number[] = [];
    consumer.subscribe('job.run', (e) => void got.push(e.data.n));
    await consumer.ready();
    await redis('XADD', `{${namespace}}:events`, '*', 't', 'job.run', 'm', '{"specversion":"1.0", broken');
    await bus(namespace).emit('job.run', { n: 7 });
    await waitUntil(() => got.length === 1 && consumer.streams.stats().deadLettered === 1);
    expect(consumer.streams.stats().decodeErrors).toBe(1);
    const dead = (await redis('XRANGE', `{${namespace}}:dead-letter`, '-', '+')) as [string, string[]][];
    expect(Object.fromEntries(pairs(dead[0]![1]))).toMatchObject({ reason: 'decode-failed', attempts: '1' });
    await consumer.drain();
    expect(await redis('XPENDING', `{${namespace}}:events`, 'svc')).toEqual([0, null, null, null]);
  });

  it('an entry holding a CloudEvents batch (Pub/Sub batch mode only) is dead-lettered as a whole, none of its events delivered', async () => {
    const namespace = ns();
    const consumer = bus(namespace, { group: 'svc' });
    const got: number[] = [];
    consumer.subscribe('job.run', (e) => void got.push(e.data.n));
    await consumer.ready();
    const element = JSON.stringify({ specversion: '1.0', id: 'b-1', source: '/t', type: 'job.run', time: '2026-11-30T00:00:00.000Z', data: { n: 1 } });
    await redis('XADD', `{${namespace}}:events`, '*', 't', 'job.run', 'm', `[${element},${element.replace('b-1', 'b-2')}]`);
    await bus(namespace).emit('job.run', { n: 7 });
    await waitUntil(() => got.length === 1 && consumer.streams.stats().deadLettered === 1);
    expect(got).toEqual([7]);
    const dead = (await redis('XRANGE', `{${namespace}}:dead-letter`, '-', '+')) as [string, string[]][];
    expect(Object.fromEntries(pairs(dead[0]![1]))).toMatchObject({ reason: 'decode-failed' });
    await consumer.drain();
  });

  it('replay returns exactly the events in the range, in order, typed, without touching groups', async () => {
    const namespace = ns();
    const live = bus(namespace, { group: 'live' });
    let liveCount = 0;
    live.subscribe('+.+', () => void liveCount++);
    await live.ready();
    const p = bus(namespace);
    await p.ready();
    const first = Array.from({ length: 30 }, (_, n) => Job.create(n % 3 === 0 ? 'audit.note' : 'job.run', { n }));
    await p.publishBatch(first);
    const ids = (await redis('XRANGE', `{${namespace}}:events`, '-', '+')) as [string, string[]][];
    const [fromId, toId] = [ids[5]![0], ids[24]![0]];
    const replayed: number[] = [];
    for await (const r of replayEvents({ pattern: 'job.+', events: [Job], connection: { url: server.url }, namespace, from: fromId, to: toId, batchSize: 4 })) {
      expectTypeOf(r.event.eventType).toEqualTypeOf<'job.run' | 'job.poison'>();
      expect(Object.isFrozen(r.event)).toBe(true);
      replayed.push(r.event.data.n);
    }
    expect(replayed).toEqual(first.slice(5, 25).filter((e) => e.eventType === 'job.run').map((e) => e.data.n));
    const all: string[] = [];
    const n = await replayInto({ pattern: '*', events: [Job], connection: { url: server.url }, namespace }, (e) => void all.push(e.eventId));
    expect(n).toBe(30);
    expect(all).toEqual(first.map((e) => e.eventId));
    await waitUntil(() => liveCount === 30);
    expect(await redis('XPENDING', `{${namespace}}:events`, 'live')).toEqual([0, null, null, null]);
  });

  it('close() destroys the group a transport made for itself, never a named one', async () => {
    const namespace = ns();
    const own = bus(namespace); // no `group`: a broadcast group of its own, like `dotbus tail --durable`
    const named = bus(namespace, { group: 'kept' });
    for (const b of [own, named]) b.subscribe('job.run', () => {});
    await Promise.all([own.ready(), named.ready()]);
    const groups = async (): Promise<string[]> =>
      ((await redis('XINFO', 'GROUPS', `{${namespace}}:events`)) as string[][]).map((g) => g[1]!).sort();
    expect(await groups()).toEqual([own.streams.settings.group, 'kept'].sort());
    await own.close();
    expect(await groups()).toEqual(['kept']);
    await named.close();
    expect(await groups()).toEqual(['kept']);
  });

  it('retention: MAXLEN trims approximately', async () => {
    const namespace = ns();
    const p = bus(namespace, { retention: { maxLen: 1_000 } });
    await p.ready();
    await p.publishBatch(Array.from({ length: 5_000 }, (_, n) => Job.create('job.run', { n })));
    const len = (await redis('XLEN', `{${namespace}}:events`)) as number;
    expect(len).toBeGreaterThanOrEqual(1_000);
    expect(len).toBeLessThan(5_000);
  });
});

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
