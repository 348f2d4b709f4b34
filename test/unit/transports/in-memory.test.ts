import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, InMemoryTransport, Type, type AnyBusEvent, type BackpressurePolicy } from '../../../src/index.js';

const Tick = defineEvent({ type: 'tick', version: '1.0.0', schema: Type.Object({ n: Type.Integer() }) });
const ticks = (count: number) => Array.from({ length: count }, (_, n) => Tick.create({ n }));

/** A handler that blocks until `release()` is called. */
function gate(): { handler: (e: AnyBusEvent) => Promise<void>; seen: number[]; release: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const seen: number[] = [];
  return {
    handler: async (e) => {
      seen.push((e.data as { n: number }).n);
      await opened;
    },
    seen,
    release: () => open(),
  };
}

describe('InMemoryTransport dispatch', () => {
  it('is asynchronous: handlers never run inside publish', async () => {
    const t = new InMemoryTransport();
    let calls = 0;
    t.subscribe('tick', () => void calls++);
    const pending = t.publish(Tick.create({ n: 1 }));
    expect(calls).toBe(0);
    await pending;
    await t.drain();
    expect(calls).toBe(1);
  });

  it('keeps per-subscription order under async handlers with maxInFlight 1', async () => {
    const t = new InMemoryTransport();
    const seen: number[] = [];
    t.subscribe('tick', async (e) => {
      await new Promise((r) => setTimeout(r, Math.random() * 2));
      seen.push((e.data as { n: number }).n);
    }, { maxInFlight: 1 });
    for (const e of ticks(50)) void t.publish(e);
    await t.drain();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('bounds concurrency with maxInFlight', async () => {
    const t = new InMemoryTransport();
    let running = 0;
    let peak = 0;
    t.subscribe('tick', async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
    }, { maxInFlight: 4 });
    for (const e of ticks(40)) void t.publish(e);
    await t.drain();
    expect(peak).toBe(4);
    expect(t.stats().delivered).toBe(40);
  });

  it('yields to I/O during a flood instead of running every handler in one turn', async () => {
    const t = new InMemoryTransport({ batchSize: 100 });
    let handled = 0;
    t.subscribe('tick', () => void handled++);
    for (const e of ticks(1_000)) void t.publish(e);
    await new Promise((r) => setImmediate(r));
    expect(handled).toBeLessThan(1_000);
    await t.drain();
    expect(handled).toBe(1_000);
  });

  it('drain and close wait for running handlers', async () => {
    const t = new InMemoryTransport();
    let done = 0;
    t.subscribe('tick', async () => {
      await new Promise((r) => setTimeout(r, 5));
      done++;
    });
    for (const e of ticks(10)) await t.publish(e);
    await t.close();
    expect(done).toBe(10);
    await expect(t.publish(Tick.create({ n: 0 }))).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(() => t.subscribe('tick', () => {})).toThrow(/closed/);
  });

  it('counts events nobody subscribed to', async () => {
    const t = new InMemoryTransport();
    await t.publish(Tick.create({ n: 0 }));
    expect(t.stats()).toMatchObject({ published: 1, unrouted: 1, delivered: 0 });
  });

  it('rejects an invalid pattern with InvalidPatternError', () => {
    const t = new InMemoryTransport();
    expect(() => t.subscribe('tick*', () => {})).toThrow(expect.objectContaining({ code: 'INVALID_PATTERN' }));
  });

  it('unsubscribes on abort and counts discarded queued events', async () => {
    const t = new InMemoryTransport();
    const g = gate();
    const ctrl = new AbortController();
    t.subscribe('tick', g.handler, { signal: ctrl.signal, maxInFlight: 1 });
    for (const e of ticks(5)) await t.publish(e);
    await new Promise((r) => setImmediate(r));
    ctrl.abort();
    g.release();
    await t.drain();
    expect(g.seen).toEqual([0]);
    expect(t.stats().dropped.closed).toBe(4);
    let late = 0;
    const aborted = t.subscribe('tick', () => void late++, { signal: AbortSignal.abort() });
    await t.publish(Tick.create({ n: 9 }));
    await t.drain();
    expect(late).toBe(0);
    aborted.unsubscribe(); // ending a subscription that never started is a no-op
  });
});

describe('InMemoryTransport backpressure', () => {
  async function stalled(policy: BackpressurePolicy, capacity = 3) {
    const t = new InMemoryTransport();
    const g = gate();
    t.subscribe('tick', g.handler, { maxInFlight: 1, queue: { capacity, policy } });
    // The first event goes in flight and blocks; the next `capacity` fill the queue.
    await t.publish(Tick.create({ n: 0 }));
    await new Promise((r) => setImmediate(r));
    for (const e of ticks(capacity + 1).slice(1)) await t.publish(e);
    return { t, g };
  }

  it('drop-oldest keeps the newest and counts the evicted', async () => {
    const { t, g } = await stalled('drop-oldest');
    const r = await t.publish(Tick.create({ n: 100 }));
    expect(r.status).toBe('accepted');
    g.release();
    await t.drain();
    expect(g.seen).toEqual([0, 2, 3, 100]);
    expect(t.stats().dropped['drop-oldest']).toBe(1);
  });

  it('drop-newest refuses the incoming event and says so', async () => {
    const { t, g } = await stalled('drop-newest');
    expect((await t.publish(Tick.create({ n: 100 }))).status).toBe('dropped');
    g.release();
    await t.drain();
    expect(g.seen).toEqual([0, 1, 2, 3]);
    expect(t.stats().dropped['drop-newest']).toBe(1);
  });

  it('reject throws BufferFullError to the producer', async () => {
    const { t, g } = await stalled('reject');
    await expect(t.publish(Tick.create({ n: 100 }))).rejects.toMatchObject({ code: 'BUFFER_FULL' });
    g.release();
    await t.drain();
    expect(t.stats().dropped.reject).toBe(1);
  });

  it('wait parks the publisher until there is room, in order', async () => {
    const { t, g } = await stalled('wait');
    let resolved = false;
    const p = t.publish(Tick.create({ n: 100 })).then((r) => {
      resolved = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(resolved).toBe(false);
    g.release();
    expect((await p).status).toBe('accepted');
    await t.drain();
    expect(g.seen).toEqual([0, 1, 2, 3, 100]);
  });

  it('holds published = delivered + dropped under a flood of 100,000 events', async () => {
    const t = new InMemoryTransport({ queue: { capacity: 1_000, policy: 'drop-oldest' } });
    let handled = 0;
    t.subscribe('tick', () => void handled++);
    const events = ticks(100_000);
    for (const e of events) void t.publish(e);
    await t.drain();
    const s = t.stats();
    const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    expect(s.published).toBe(100_000);
    expect(handled + dropped).toBe(100_000);
    expect(dropped).toBeGreaterThan(0);
  });
});

describe('system events on the local bus', () => {
  it('turns a handler failure into system.error.handler, without loops', async () => {
    const bus = createBus({ events: [Tick], onError: () => {} });
    const seen: string[] = [];
    bus.subscribe('system.error.*', (e) => {
      seen.push(`${e.eventType}:${e.data.eventType ?? ''}`);
      throw new Error('the error handler fails too');
    });
    bus.subscribe('tick', () => {
      throw new Error('boom');
    });
    await bus.emit('tick', { n: 1 });
    await bus.drain();
    await new Promise((r) => setTimeout(r, 5));
    await bus.drain();
    expect(seen).toEqual(['system.error.handler:tick']);
    expect(bus.stats().handlerErrors).toBe(2);
  });
});

describe('InMemoryTransport review regressions', () => {
  it('bounds parked publishers of a wait queue and reports discarded ones as dropped', async () => {
    const t = new InMemoryTransport();
    const sub = t.subscribe('tick', () => new Promise<void>(() => {}), { maxInFlight: 1, queue: { capacity: 2, policy: 'wait' } });
    await t.publish(Tick.create({ n: 0 }));
    await new Promise((r) => setImmediate(r));
    for (const e of ticks(2)) await t.publish(e);
    const parked = [t.publish(Tick.create({ n: 10 })), t.publish(Tick.create({ n: 11 }))];
    await expect(t.publish(Tick.create({ n: 12 }))).rejects.toMatchObject({ code: 'BUFFER_FULL' });
    sub.unsubscribe();
    expect((await Promise.all(parked)).map((r) => r.status)).toEqual(['dropped', 'dropped']);
  });

  it('frees the abort listener of an ended subscription', () => {
    const t = new InMemoryTransport();
    const ctrl = new AbortController();
    let added = 0;
    let removed = 0;
    const add = ctrl.signal.addEventListener.bind(ctrl.signal);
    const remove = ctrl.signal.removeEventListener.bind(ctrl.signal);
    ctrl.signal.addEventListener = ((...a: Parameters<typeof add>) => (added++, add(...a))) as typeof add;
    ctrl.signal.removeEventListener = ((...a: Parameters<typeof remove>) => (removed++, remove(...a))) as typeof remove;
    for (let i = 0; i < 10; i++) t.subscribe('tick', () => {}, { signal: ctrl.signal }).unsubscribe();
    expect([added, removed]).toEqual([10, 10]);
  });

  it('gives one receipt per event of a batch, even when some are refused', async () => {
    const t = new InMemoryTransport();
    t.subscribe('tick', () => new Promise<void>(() => {}), { maxInFlight: 1, queue: { capacity: 1, policy: 'reject' } });
    const receipts = await t.publishBatch(ticks(4));
    expect(receipts.map((r) => r.status)).toEqual(['accepted', 'accepted', 'failed', 'failed']);
    expect(receipts[2]?.error?.code).toBe('BUFFER_FULL');
  });
});
