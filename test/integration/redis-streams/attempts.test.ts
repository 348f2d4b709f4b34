import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type EventBus, type EventOfDefinition } from '../../../src/index.js';
import { redisStreams, type RedisStreamsTransport } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { sendCommands, type RespReply } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';
import { Crew } from './consumer-processes.js';

type JobEvent = EventOfDefinition<typeof Job>;
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

const CLAIM_IDLE_MS = 300;
const ns = (): string => `attempts-${process.pid}-${++nsCounter}`;
const redis = async (...cmd: string[]): Promise<RespReply> => (await sendCommands(server.port, [cmd]))[0]!;

/** An in-process member of group `svc`; `poison` handles `job.poison`, the rest is recorded in `handled`. */
function member(namespace: string, maxAttempts: number, poison: () => Promise<void> | void, handled: Set<number>, closeTimeoutMs = 5_000): { bus: EventBus<JobEvent>; streams: RedisStreamsTransport } {
  const streams = redisStreams({
    connection: { url: server.url }, namespace, group: 'svc', claimIdleMs: CLAIM_IDLE_MS, blockMs: 200, closeTimeoutMs,
    retry: { maxAttempts, backoff: { baseMs: 5, capMs: 20 } },
  });
  const bus = createBus({ events: [Job], transport: streams, onError: () => {} }) as unknown as EventBus<JobEvent>;
  open.push(bus);
  bus.subscribe('job.*', (e) => (e.eventType === 'job.poison' ? poison() : void handled.add(e.data.n)));
  return { bus, streams };
}

async function publish(namespace: string, events: JobEvent[]): Promise<void> {
  const p = createBus({ events: [Job], transport: redisStreams({ connection: { url: server.url }, namespace }) });
  await p.publishBatch(events);
  await p.close();
}

/** The dead-letter entries of `namespace`, as field maps. */
async function deadLetters(namespace: string): Promise<Record<string, string>[]> {
  const raw = (await redis('XRANGE', `{${namespace}}:dead-letter`, '-', '+')) as [string, string[]][];
  return raw.map(([, flat]) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]!]] : []))));
}

/** Runs `crashes` consumer processes of group `svc` one after another; each dies in the poison handler. */
async function crashOnPoison(namespace: string, crashes: number, maxAttempts: number): Promise<void> {
  const crew = new Crew(1, { URL: server.url, NS: namespace, GROUP: 'svc', MODE: 'commit', POISON: 'exit', CLAIM_IDLE_MS: String(CLAIM_IDLE_MS), MAX_ATTEMPTS: String(maxAttempts) });
  for (let i = 0; i < crashes; i++) {
    const m = crew.spawn();
    m.killed = true; // its exit is the point
    await waitFor(`member ${i + 1} of ${crashes} to die on the poison event`, 20_000, () => m.exit !== undefined, () => crew.progress());
    expect(m.exit).toBe('code 3');
  }
}

describe('Redis Streams: attempts are counted across members', () => {
  it('a poison event that kills its members is dead-lettered after N attempts in all (crashes + failures)', async () => {
    const [a, b] = [ns(), ns()];
    const poison = Job.create('job.poison', { n: -1 });
    await Promise.all([publish(a, [poison]), publish(b, [poison])]);
    // Two members die in the handler: two attempts. Then a live member claims it.
    await Promise.all([crashOnPoison(a, 2, 3), crashOnPoison(b, 2, 2)]);
    const calls = { a: 0, b: 0 };
    const [handledA, handledB] = [new Set<number>(), new Set<number>()];
    const fail = (k: 'a' | 'b') => (): void => {
      calls[k]++;
      throw new Error('still poison');
    };
    const ma = member(a, 3, fail('a'), handledA);
    const mb = member(b, 2, fail('b'), handledB);
    await Promise.all([ma.bus.ready(), mb.bus.ready()]);
    const rest = Array.from({ length: 20 }, (_, n) => Job.create('job.run', { n }));
    await Promise.all([publish(a, rest), publish(b, rest)]);
    await waitFor('both poison events dead-lettered', 20_000, () => ma.streams.stats().deadLettered + mb.streams.stats().deadLettered === 2,
      () => JSON.stringify({ calls, a: ma.streams.stats(), b: mb.streams.stats() }));
    await waitFor('the rest handled', 10_000, () => handledA.size === 20 && handledB.size === 20, () => `${handledA.size}, ${handledB.size}`);
    // maxAttempts 3: attempt 3 ran here and failed. maxAttempts 2: used up by the crashes, never run here.
    expect(calls).toEqual({ a: 1, b: 0 });
    expect(await deadLetters(a)).toMatchObject([{ reason: 'handler-failed', attempts: '3', eventId: poison.eventId }]);
    expect(await deadLetters(b)).toMatchObject([{ reason: 'attempts-exhausted', attempts: '2', eventId: poison.eventId }]);
    await Promise.all([ma.bus.drain(), mb.bus.drain()]);
    for (const x of [a, b]) expect(await redis('XPENDING', `{${x}}:events`, 'svc')).toEqual([0, null, null, null]);
  }, 60_000);

  it('a member that claims an entry goes on from the attempts (and retries) the previous member made', async () => {
    const namespace = ns();
    const handled = new Set<number>();
    let firstCalls = 0;
    // The first member fails attempt 1, then hangs in attempt 2 until it is closed: 2 attempts made.
    const first = member(namespace, 4, () => {
      if (++firstCalls === 1) throw new Error('fails');
      return new Promise<void>(() => {});
    }, handled, 100);
    await first.bus.ready();
    await publish(namespace, [Job.create('job.poison', { n: -1 })]);
    await waitFor('two attempts in the first member', 10_000, () => firstCalls === 2, () => `${firstCalls}`);
    await first.bus.close();
    let secondCalls = 0;
    const second = member(namespace, 4, () => {
      secondCalls++;
      throw new Error('fails again');
    }, handled);
    await second.bus.ready();
    await waitFor('dead-lettered by the second member', 10_000, () => second.streams.stats().deadLettered === 1, () => JSON.stringify(second.streams.stats()));
    expect(secondCalls).toBe(2); // attempts 3 and 4 of 4
    expect(await deadLetters(namespace)).toMatchObject([{ reason: 'handler-failed', attempts: '4' }]);
    // The retry counter is gone once the entry is settled.
    let left: RespReply = null;
    await waitFor('the retry counter deleted', 5_000, async () => ((left = await redis('KEYS', `{${namespace}}:retries:*`)) as unknown[]).length === 0, () => JSON.stringify(left));
  }, 30_000);
});
