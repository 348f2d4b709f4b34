import { afterEach, describe, expect, it } from 'vitest';
import { AuditRecorder, VirtualClock, eventEntry, openSqliteStore, parseReplaySpeed, replayAudit, type AuditRecord, type AuditStore } from '../../../src/audit/index.js';
import { createBus, InMemoryTransport, JsonCodec, EventRegistry, type AnyBusEvent } from '../../../src/index.js';
import { OrderProbe, orderEvents } from '../../conformance/audit-samples.js';
import { waitUntil } from '../../helpers/wait.js';

const stores: AuditStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
async function memoryStore(): Promise<AuditStore> {
  const s = await openSqliteStore({ path: ':memory:' });
  stores.push(s);
  return s;
}
async function all(store: AuditStore): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of store.scan()) out.push(r);
  return out;
}

describe('AuditRecorder', () => {
  it('records every matching event of a bus in batches, in order, once', async () => {
    const store = await memoryStore();
    const recorder = new AuditRecorder(store, { pattern: 'order.*', batchSize: 16, flushMs: 5 });
    const bus = createBus({ events: [OrderProbe], transport: new InMemoryTransport(), observer: recorder.observer });
    recorder.start(bus);
    const events = orderEvents(90);
    for (const e of events) await bus.publish(e as never);
    await bus.drain();
    await recorder.flush();
    const orders = events.filter((e) => e.eventType.startsWith('order.'));
    expect((await all(store)).map((r) => r.eventId)).toEqual(orders.map((e) => e.eventId));
    // Delivered again (a redelivery): recorded once.
    for (const e of orders.slice(0, 3)) await recorder.record(e);
    const stats = await recorder.close();
    expect(stats).toMatchObject({ recorded: orders.length, duplicates: 3, failedBatches: 0 });
    expect(stats.batches).toBeGreaterThan(1);
    expect(await store.verify()).toMatchObject({ ok: true, checked: orders.length });
    await bus.close();
  });

  it('keeps unknown types as they are, undecodable messages raw with the reason, losses as gaps', async () => {
    const store = await memoryStore();
    const recorder = new AuditRecorder(store, { flushMs: 1 });
    const codec = new JsonCodec(new EventRegistry([]), { untyped: true });
    const decoded = codec.decode('{"specversion":"1.0","id":"x-1","source":"/other","type":"billing.charged","time":"2025-01-01T00:00:00Z","data":{"amount":3}}');
    expect(decoded.ok).toBe(true);
    await recorder.record((decoded as { event: AnyBusEvent }).event);
    await recorder.recordRaw('{"specversion":"1.0",', 'malformed-json');
    recorder.observer.dropped('lost', 4, 'order.placed');
    await waitUntil(() => recorder.stats().gaps === 1);
    await recorder.close();
    const records = await all(store);
    expect(records.map((r) => [r.kind, r.type])).toEqual([['event', 'billing.charged'], ['raw', null], ['gap', 'order.placed']]);
    expect(JSON.parse(records[0]!.body)).toMatchObject({ type: 'billing.charged', data: { amount: 3 } });
    expect(records[1]!.reason).toBe('malformed-json');
    expect(recorder.stats()).toMatchObject({ raw: 1, gaps: 1, lost: 4 });
  });

  it('puts a gap record right before the event that revealed it, or on its own when that event never comes', async () => {
    const store = await memoryStore();
    const recorder = new AuditRecorder(store, { flushMs: 1 });
    const [a, b, c] = orderEvents(3);
    // Noticed when c arrived, while a and b were still queued for the recorder.
    recorder.observer.dropped('lost', 5, c!.eventType, c);
    recorder.observer.dropped('lost', 2, 'order.placed', orderEvents(1, Date.UTC(2030, 0, 1))[0]);
    expect(recorder.stats()).toMatchObject({ gaps: 2, lost: 7 });
    await Promise.all([a, b, c].map((e) => recorder.record(e!)));
    await waitUntil(() => recorder.stats().recorded === 5, 10_000);
    await recorder.close();
    expect((await all(store)).map((r) => (r.kind === 'gap' ? `gap ${JSON.parse(r.body).lost}` : r.eventId))).toEqual([a!.eventId, b!.eventId, 'gap 5', c!.eventId, 'gap 2']);
  });

  it('keeps a keyed undecodable message once, however often it is handed over, with its bytes and time', async () => {
    const store = await memoryStore();
    const recorder = new AuditRecorder(store, { flushMs: 1 });
    const bytes = Buffer.from([0xff, 0x00, 0x7b]);
    const message = { stream: '{ns}:events', id: '1700000000000-3', time: 1_700_000_000_000, reason: 'not-utf8', error: 'the `m` field is not UTF-8', message: bytes };
    // Handed over again after a crash between the commit and the acknowledgement.
    await recorder.recordUndecodable(message);
    await recorder.recordUndecodable(message);
    await recorder.recordUndecodable({ ...message, id: '1700000000000-4', message: undefined, reason: 'missing-message' });
    const stats = await recorder.close();
    const records = await all(store);
    expect(records.map((r) => [r.kind, r.eventId, r.time])).toEqual([['raw', '{ns}:events/1700000000000-3', 1_700_000_000_000], ['raw', '{ns}:events/1700000000000-4', 1_700_000_000_000]]);
    expect(Buffer.from((JSON.parse(records[0]!.body) as { base64: string }).base64, 'base64').equals(bytes)).toBe(true);
    expect(records[0]!.reason).toBe('not-utf8: the `m` field is not UTF-8');
    expect(JSON.parse(records[1]!.body)).toEqual({ text: '' });
    expect(stats).toMatchObject({ recorded: 2, duplicates: 1 });
  });

  it('rejects the handler of a batch the store refused (so Streams would not acknowledge it)', async () => {
    const store = await memoryStore();
    const recorder = new AuditRecorder(store, { flushMs: 1 });
    await store.close();
    await expect(recorder.record(orderEvents(1)[0]!)).rejects.toThrow();
    expect(recorder.stats().failedBatches).toBe(1);
  });
});

describe('replayAudit', () => {
  /** A recorded stream: 20 events 100 ms apart, then one 1 s later. */
  async function recorded(): Promise<{ store: AuditStore; events: AnyBusEvent[] }> {
    const store = await memoryStore();
    const start = Date.UTC(2025, 0, 1);
    const events = Array.from({ length: 21 }, (_, i) => OrderProbe.create('order.placed', { n: i }, { timestamp: new Date(start + (i < 20 ? i * 100 : 2_900)) }) as AnyBusEvent);
    const recorder = new AuditRecorder(store, { flushMs: 1 });
    for (const e of events) void recorder.record(e);
    await recorder.close();
    return { store, events };
  }

  async function replay(store: AuditStore, speed: string): Promise<{ clock: VirtualClock; got: AnyBusEvent[]; at: number[]; summary: Awaited<ReturnType<typeof replayAudit>> }> {
    const clock = new VirtualClock(1_000);
    const target = createBus({ events: [OrderProbe] });
    const got: AnyBusEvent[] = [];
    const at: number[] = [];
    target.subscribe('*', (e) => {
      got.push(e);
    });
    const sink = { enabled: true, publish: (e: AnyBusEvent) => (at.push(clock.now()), target.publish(e as never)) };
    const summary = await replayAudit({ store, target: sink, speed: parseReplaySpeed(speed), clock, events: [OrderProbe] });
    await target.drain();
    await target.close();
    return { clock, got, at, summary };
  }

  it('at 10x takes a tenth of the span on the virtual clock, in order, marked as replays', async () => {
    const { store, events } = await recorded();
    const { got, at, summary } = await replay(store, '10x');
    expect(summary).toEqual({ replayed: 21, skipped: 0, spanMs: 2_900, elapsedMs: 290 });
    expect(got.map((e) => e.replayOf)).toEqual(events.map((e) => e.eventId));
    expect(got.every((e, i) => e.eventId !== events[i]!.eventId)).toBe(true);
    expect(at.map((t) => t - 1_000)).toEqual(events.map((e) => (e.timestamp.getTime() - events[0]!.timestamp.getTime()) / 10));
  });

  it('original keeps the gaps between events; instant does not wait', async () => {
    const { store, events } = await recorded();
    const original = await replay(store, 'original');
    expect(original.summary.elapsedMs).toBe(2_900);
    const gaps = original.at.slice(1).map((t, i) => t - original.at[i]!);
    expect(gaps).toEqual(events.slice(1).map((e, i) => e.timestamp.getTime() - events[i]!.timestamp.getTime()));
    const instant = await replay(store, 'instant');
    expect(instant.summary.elapsedMs).toBe(0);
    expect(instant.clock.sleeps).toEqual([]);
  });

  it('a recorder skips replays unless told to record them', async () => {
    const { store } = await recorded();
    const second = await memoryStore();
    const recorder = new AuditRecorder(second, { flushMs: 1 });
    const bus = createBus({ events: [OrderProbe] });
    recorder.start(bus);
    await replayAudit({ store, target: bus, events: [OrderProbe] });
    await bus.drain();
    expect(await recorder.close()).toMatchObject({ recorded: 0, skippedReplays: 21 });
    await bus.close();
  });

  it('replays an event of a type it has no definition for as recorded, into a bus that carries untyped events', async () => {
    const store = await memoryStore();
    const foreign = '{"specversion":"1.0","id":"x-1","source":"/other","type":"billing.charged","time":"2025-01-01T00:00:00.000Z","data":{"amount":3,"note":"\\u0000"}}';
    const decoded = new JsonCodec(new EventRegistry([]), { untyped: true }).decode(foreign);
    await store.append([eventEntry((decoded as { event: AnyBusEvent }).event)]);
    // A typed bus refuses it: skipped, with why.
    const typed = createBus({ events: [OrderProbe] });
    const skipped: string[] = [];
    expect(await replayAudit({ store, target: typed, onSkip: (_r, why) => skipped.push(why) })).toMatchObject({ replayed: 0, skipped: 1 });
    expect(skipped.join()).toMatch(/billing\.charged/);
    await typed.close();
    // An untyped bus sends it as it is, marked as a replay; its wire form is the recorded CloudEvent.
    const untyped = createBus({ events: [OrderProbe], untyped: true });
    const got: AnyBusEvent[] = [];
    untyped.subscribeUntyped('billing.*', (e) => void got.push(e));
    expect(await replayAudit({ store, target: untyped })).toMatchObject({ replayed: 1, skipped: 0 });
    await untyped.drain();
    await untyped.close();
    expect(got.map((e) => [e.eventType, e.replayOf, e.source, e.data])).toEqual([['billing.charged', 'x-1', '/other', { amount: 3, note: '\u0000' }]]);
    const wire = JSON.parse(new JsonCodec(new EventRegistry([]), { untyped: true }).encode(got[0]!)) as Record<string, unknown>;
    const { id, replayof, ...rest } = wire;
    expect([id, replayof]).toEqual([got[0]!.eventId, 'x-1']);
    // No schemaversion was recorded, so none is invented.
    const { id: _recordedId, ...recorded } = JSON.parse(foreign) as Record<string, unknown>;
    expect(rest).toEqual({ ...recorded, datacontenttype: 'application/json' });
  });

  it('reports progress while it waits through a gap, and stops there when aborted', async () => {
    const store = await memoryStore();
    // Two events a minute apart: at 2x the replay waits 30 s between them.
    await store.append(orderEvents(2, Date.UTC(2025, 0, 1), 60_000).map(eventEntry));
    const clock = new VirtualClock();
    const progress: number[] = [];
    const summary = await replayAudit({ store, target: createBus({ events: [OrderProbe] }), events: [OrderProbe], clock, speed: parseReplaySpeed('2x'), onProgress: (done) => progress.push(done) });
    expect(summary).toMatchObject({ replayed: 2, elapsedMs: 30_000 });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect([progress[0], progress.at(-1)]).toEqual([0, 60_000]);
    const stop = new AbortController();
    const stopped = await replayAudit({
      store, target: createBus({ events: [OrderProbe] }), events: [OrderProbe], clock: new VirtualClock(), speed: parseReplaySpeed('original'), signal: stop.signal,
      onProgress: (done) => (done >= 10_000 ? stop.abort() : undefined),
    });
    expect(stopped.replayed).toBe(1);
    expect(stopped.elapsedMs).toBeLessThan(60_000);
  });

  it('parses speeds and refuses others', () => {
    expect(parseReplaySpeed('10x')).toEqual({ factor: 10 });
    expect(parseReplaySpeed('0.5x')).toEqual({ factor: 0.5 });
    for (const bad of ['0x', 'x', '10', 'fast', '-2x']) expect(() => parseReplaySpeed(bad)).toThrow(/speed/);
  });
});
