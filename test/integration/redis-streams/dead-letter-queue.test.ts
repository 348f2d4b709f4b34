import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type EventBus, type EventOfDefinition } from '../../../src/index.js';
import { DeadLetterQueue, redisStreams } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { sendCommands } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';

type JobEvent = EventOfDefinition<typeof Job>;
let server: RedisServer;
const closing: { close(): Promise<void> }[] = [];
let nsCounter = 0;
beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.dispose();
});

const ns = (): string => `dlq-${process.pid}-${++nsCounter}`;

/** A worker of group `workers` whose handler fails while `state.broken`; one attempt, then the dead-letter stream. */
function worker(namespace: string, state: { broken: boolean; handled: number[] }): EventBus<JobEvent> {
  const transport = redisStreams({ connection: { url: server.url }, namespace, group: 'workers', blockMs: 100, retry: { maxAttempts: 1 } });
  const bus = createBus({ events: [Job], transport, onError: () => {} }) as unknown as EventBus<JobEvent>;
  bus.subscribe('job.run', (e) => {
    if (state.broken) throw new Error(`job ${e.data.n} failed`);
    state.handled.push(e.data.n);
  });
  closing.push(bus);
  return bus;
}

function queue(namespace: string, events = [Job]): DeadLetterQueue {
  const q = new DeadLetterQueue({ connection: { url: server.url }, namespace, events });
  closing.push(q);
  return q;
}

describe('DeadLetterQueue', () => {
  it('lists dead letters newest first with reason, attempts and error; redriveAll sends each back once, and workers handle them', async () => {
    const namespace = ns();
    const state = { broken: true, handled: [] as number[] };
    const bus = worker(namespace, state);
    await bus.ready();
    const jobs = [1, 2, 3];
    for (const n of jobs) await bus.publish(Job.create('job.run', { n }));
    const q = queue(namespace);
    await waitFor('the dead letters', 10_000, async () => (await q.size()) === jobs.length, async () => `size ${await q.size()}`);

    const listed = await q.list();
    expect(listed.map((e) => JSON.parse(e.message!).data.n)).toEqual([...jobs].reverse());
    expect(listed[0]).toMatchObject({ reason: 'handler-failed', attempts: 1, group: 'workers', type: 'job.run', error: expect.stringContaining('failed') });
    expect((await q.list(1)).length).toBe(1);

    state.broken = false;
    const outcomes = await q.redriveAll();
    expect(outcomes.map((o) => o.status)).toEqual(jobs.map(() => 'redriven'));
    await waitFor('the redriven jobs handled', 10_000, () => state.handled.length === jobs.length, () => `handled ${state.handled.join(',')}`);
    expect(state.handled).toEqual(jobs);
    expect(await q.size()).toBe(0);
    // A second redrive of an entry already sent back does nothing.
    expect(await q.redrive(listed[0]!.id)).toEqual({ id: listed[0]!.id, status: 'gone' });
  });

  it('refuses, and leaves in place, an entry that is no valid event of its type and id, or of a type without a definition', async () => {
    const namespace = ns();
    const dl = `{${namespace}}:dead-letter`;
    const good = Job.create('job.run', { n: 7 });
    const message = JSON.stringify(good);
    const add = (fields: string[]) => sendCommands(server.port, [['XADD', dl, '*', 'reason', 'decode-failed', 'error', 'e', 'attempts', '0', 'id', '0-1', 'group', 'g', 'consumer', 'c', 'eventId', '', ...fields]]);
    await add(['t', 'job.run', 'i', good.eventId, 'm', '{"not":"an event"}']);
    await add(['t', 'job.poison', 'i', good.eventId, 'm', message]);
    await add(['t', 'job.run', 'i', 'another-id', 'm', message]);
    await add(['t', 'job.run', 'i', good.eventId, 'm', JSON.stringify({ ...(JSON.parse(message) as object), data: { n: 'seven' } })]);
    await add(['t', 'job.run', 'i', good.eventId]);
    const q = queue(namespace);
    const untypedQ = queue(namespace, []);
    const entries = (await q.list()).reverse();
    const reasons = await Promise.all(entries.map(async (e) => q.redrive(e.id)));
    expect(reasons.map((o) => o.status)).toEqual(entries.map(() => 'refused'));
    expect(reasons.map((o) => (o.status === 'refused' ? o.reason : ''))).toEqual([
      expect.any(String),
      'the message is a job.run, the entry says job.poison',
      `the message's event id is ${good.eventId}, the entry says another-id`,
      expect.stringMatching(/n/),
      'the entry has no type or no message',
    ]);
    expect(await q.size()).toBe(entries.length);
    // Without the definition, even a valid message is refused: nothing unchecked goes back.
    await add(['t', 'job.run', 'i', good.eventId, 'm', message]);
    const [newest] = await untypedQ.list(1);
    const refused = await untypedQ.redrive(newest!.id);
    expect(refused.status).toBe('refused');
    expect(await q.redrive(newest!.id)).toMatchObject({ status: 'redriven', newId: expect.stringMatching(/^\d+-\d+$/) });
  });
});
