/**
 * What a Redis producer does with the events of an outage, on a real redis-server it stops and
 * starts: they wait in the outage buffer and go out first, in publish order, once Redis is back;
 * a full buffer drops by its policy and counts it; a buffered event Redis refuses at the flush is
 * reported; a publish after close is refused. Shared by both transports (`ProducerCore`); the
 * Streams transport shows it because its stream keeps the order for the test to read back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type DotbusError, type PublishReceipt } from '../../../src/index.js';
import { redisPubSub, redisStreams, type RedisStreamsOptions, type RedisStreamsStats } from '../../../src/redis/index.js';
import { FIELD_MESSAGE } from '../../../src/redis/streams/keys.js';
import { Probe } from '../../conformance/samples.js';
import { sendCommands } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
let nextNs = 0;
const open: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  server = await startRedis({ appendonly: true, aclUsers: [{ name: 'noxadd', password: 'pw', rules: '~* &* +@all -xadd' }] });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close().catch(() => undefined)));
  if (!server.running) await server.start();
});
afterAll(async () => {
  await server?.dispose();
});

const ns = (): string => `flush-${process.pid}-${++nextNs}`;

function streamsBus(options: RedisStreamsOptions, errors: DotbusError[] = []) {
  const transport = redisStreams({ connection: { url: server.url, backoff: { baseMs: 20, capMs: 100 } }, blockMs: 100, closeTimeoutMs: 300, ...options });
  const b = createBus({ events: [Probe], transport, onError: (e) => void errors.push(e) });
  open.push(b);
  return b;
}

/** The `n` of each entry of a namespace's stream, in stream order. */
async function streamOrder(namespace: string): Promise<number[]> {
  const [reply] = await sendCommands(server.port, [['XRANGE', `{${namespace}}:events`, '-', '+']]);
  return (reply as [string, string[]][]).map(([, fields]) => {
    const message = fields[fields.indexOf(FIELD_MESSAGE) + 1]!;
    return (JSON.parse(message) as { data: { n: number } }).data.n;
  });
}

const stats = (b: { stats(): unknown }): RedisStreamsStats => b.stats() as RedisStreamsStats;
const statuses = (receipts: PublishReceipt[]): string[] => receipts.map((r) => r.status);

describe('the outage buffer of a Redis producer', () => {
  it('sends what it held first, in publish order, once Redis is back', async () => {
    const namespace = ns();
    const b = streamsBus({ namespace });
    await b.ready();
    expect((await b.emit('conf.order', { n: 0, text: 'before' })).status).toBe('accepted');
    await server.stop();
    const held: PublishReceipt[] = [];
    for (let n = 1; n <= 5; n++) held.push(await b.emit('conf.order', { n, text: 'during' }));
    expect(statuses(held)).toEqual(Array(5).fill('buffered'));
    expect(stats(b)).toMatchObject({ buffered: 5 });
    await server.start();
    await waitUntil(() => stats(b).buffered === 0, 20_000, 'the flush');
    expect((await b.emit('conf.order', { n: 6, text: 'after' })).status).toBe('accepted');
    await waitUntil(() => stats(b).unacknowledged === 0, 10_000, 'the replies');
    expect(await streamOrder(namespace)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(stats(b)).toMatchObject({ sent: 7, flushed: 5, buffered: 0 });
  });

  for (const [policy, kept, dropped] of [['drop-newest', [1, 2, 3], 'drop-newest'], ['drop-oldest', [3, 4, 5], 'drop-oldest']] as const) {
    it(`when full, ${policy} keeps ${kept.join(', ')} of 5 and counts the other two as ${dropped}`, async () => {
      const namespace = ns();
      const b = streamsBus({ namespace, buffer: { maxEvents: 3, policy } });
      await b.ready();
      await server.stop();
      const receipts: PublishReceipt[] = [];
      for (let n = 1; n <= 5; n++) receipts.push(await b.emit('conf.order', { n, text: 'during' }));
      // drop-newest refuses the newcomer (its receipt says so); drop-oldest takes it and lets an old one go.
      expect(statuses(receipts)).toEqual(policy === 'drop-newest' ? ['buffered', 'buffered', 'buffered', 'dropped', 'dropped'] : Array(5).fill('buffered'));
      expect(b.stats().dropped).toMatchObject({ [dropped]: 2 });
      await server.start();
      await waitUntil(() => stats(b).flushed === 3, 20_000, 'the flush');
      await waitUntil(() => stats(b).unacknowledged === 0, 10_000, 'the replies');
      expect(await streamOrder(namespace)).toEqual(kept);
    });
  }

  it('counts what close() still holds as closed drops and says why', async () => {
    const errors: DotbusError[] = [];
    const b = streamsBus({ namespace: ns() }, errors);
    await b.ready();
    await server.stop();
    for (let n = 1; n <= 3; n++) await b.emit('conf.order', { n, text: 'during' });
    await b.close();
    expect(b.stats().dropped).toMatchObject({ closed: 3 });
    expect(errors.map((e) => `${e.code}: ${e.message}`)).toContainEqual(expect.stringMatching(
      /^PUBLISH_FAILED: .*conf\.order.*close\(\) dropped 3 buffered event\(s\): Redis was unreachable; they are counted as dropped \(closed\)$/,
    ));
    expect(await b.emit('conf.order', { n: 9, text: 'after close' })).toMatchObject({ status: 'failed', error: { code: 'TRANSPORT_CLOSED' } });
  });

  it('close() still sends what it holds when Redis comes back within closeTimeoutMs', async () => {
    const namespace = ns();
    const errors: DotbusError[] = [];
    const b = streamsBus({ namespace, closeTimeoutMs: 20_000 }, errors);
    await b.ready();
    await server.stop();
    const receipts: PublishReceipt[] = [];
    for (let n = 1; n <= 5; n++) receipts.push(await b.emit('conf.order', { n, text: 'held' }));
    expect(statuses(receipts)).toEqual(Array(5).fill('buffered'));
    // close() begins while Redis is down, so it must wait for the reconnect to send them.
    const closing = b.close();
    await server.start();
    await closing;
    expect(await streamOrder(namespace)).toEqual([1, 2, 3, 4, 5]);
    expect(b.stats().dropped.closed ?? 0).toBe(0);
    expect(stats(b)).toMatchObject({ sent: 5, flushed: 5, buffered: 0, unacknowledged: 0 });
    expect(errors).toEqual([]);
  });

  it('reports a held event that Redis refuses at the flush (nobody awaits its receipt)', async () => {
    const errors: DotbusError[] = [];
    const transport = redisStreams({ connection: { url: `redis://noxadd:pw@${server.host}:${server.port}` }, namespace: ns(), blockMs: 100, closeTimeoutMs: 300 });
    const b = createBus({ events: [Probe], transport, onError: (e) => void errors.push(e) });
    open.push(b);
    // Before the connection is up: held, then written on connect, where Redis refuses it.
    expect((await b.emit('conf.order', { n: 1, text: 'held' })).status).toBe('buffered');
    await b.ready();
    await waitUntil(() => errors.some((e) => e.code === 'PUBLISH_FAILED'), 10_000, 'the report');
    const report = errors.find((e) => e.code === 'PUBLISH_FAILED')!;
    expect(report.message).toMatch(/conf\.order/);
    expect(report.message).toMatch(/Redis refused XADD: .*NOPERM/);
  });

  it('Pub/Sub: a transport closed refuses publishes, even while Redis is down', async () => {
    const transport = redisPubSub({ connection: { url: server.url }, namespace: ns(), heartbeatMs: 0, closeTimeoutMs: 100 });
    const b = createBus({ events: [Probe], transport, onError: () => {} });
    await b.ready();
    await server.stop();
    expect((await b.emit('conf.order', { n: 1, text: 'held' })).status).toBe('buffered');
    await b.close();
    expect(b.stats().dropped).toMatchObject({ closed: 1 });
    expect(await b.emit('conf.order', { n: 2, text: 'late' })).toMatchObject({ status: 'failed', error: { code: 'TRANSPORT_CLOSED' } });
    expect(await b.publishBatch([Probe.create('conf.order', { n: 3, text: 'late' })])).toMatchObject([{ status: 'failed', error: { code: 'TRANSPORT_CLOSED' } }]);
  });
});
