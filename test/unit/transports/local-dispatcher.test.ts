import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, EventSecurity, InMemoryTransport, Type, type BusEvent, type DropReason } from '../../../src/index.js';
import { TransportClosedError } from '../../../src/errors.js';
import { LocalDispatcher } from '../../../src/transports/local-dispatcher.js';

const Ping = defineEvent({ type: 'lab.ping', version: '1.0.0', schema: Type.Object({ n: Type.Integer() }) });
const ping = (n: number): BusEvent => Ping.create({ n });
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

function observed(dispatcher: LocalDispatcher): { reason: DropReason; count: number; type: string | undefined; by: string | undefined }[] {
  const drops: { reason: DropReason; count: number; type: string | undefined; by: string | undefined }[] = [];
  dispatcher.observer = { error: () => {}, dropped: (reason, count, type, by) => void drops.push({ reason, count, type, by: by?.eventId }) };
  return drops;
}

describe('LocalDispatcher', () => {
  it('says whether a type has subscribers, as subscriptions come and go', () => {
    const d = new LocalDispatcher();
    expect(d.hasSubscribers('lab.ping')).toBe(false);
    const sub = d.subscribe('lab.*', () => {});
    expect(d.hasSubscribers('lab.ping')).toBe(true);
    expect(d.hasSubscribers('other.ping')).toBe(false);
    sub.unsubscribe();
    expect(d.hasSubscribers('lab.ping')).toBe(false);
  });

  it('counts drops reported from outside in its counters and tells the observer, with the revealing event', () => {
    const d = new LocalDispatcher();
    const drops = observed(d);
    const by = ping(1);
    d.countDrop('lost', 3, 'lab.ping', by);
    d.countDrop('lost', 2);
    expect(d.stats().dropped.lost).toBe(5);
    expect(drops).toEqual([{ reason: 'lost', count: 3, type: 'lab.ping', by: by.eventId }, { reason: 'lost', count: 2, type: undefined, by: undefined }]);
  });

  it('tells the observer of each event a full drop-newest queue refuses', async () => {
    const d = new LocalDispatcher();
    const drops = observed(d);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    d.subscribe('lab.ping', () => gate, { maxInFlight: 1, queue: { capacity: 1, policy: 'drop-newest' } });
    expect(d.dispatch(ping(1))).toBeUndefined();
    await turns(1); // the first runs, and holds its slot
    expect(d.dispatch(ping(2))).toBeUndefined();
    expect(d.dispatch(ping(3))).toBe('dropped');
    expect(drops).toEqual([{ reason: 'drop-newest', count: 1, type: 'lab.ping', by: undefined }]);
    release();
    await d.drain();
    expect(d.stats()).toMatchObject({ delivered: 2, queued: 0, inFlight: 0 });
  });

  it('drain waits for a running handler, and resolves once it settles', async () => {
    const d = new LocalDispatcher();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    d.subscribe('lab.ping', () => gate);
    d.dispatch(ping(1));
    let drained = false;
    void d.drain().then(() => (drained = true));
    await turns(5);
    expect(drained).toBe(false);
    expect(d.stats().inFlight).toBe(1);
    release();
    await turns(2);
    expect(drained).toBe(true);
  });

  it('runs handlers that return nothing to the end, counting them delivered and not in flight', async () => {
    const d = new LocalDispatcher();
    const seen: number[] = [];
    d.subscribe('lab.ping', (e) => void seen.push((e.data as { n: number }).n));
    for (let i = 0; i < 5; i++) d.dispatch(ping(i));
    await d.drain();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(d.stats()).toMatchObject({ delivered: 5, inFlight: 0, handlerErrors: 0 });
  });

  it('ending a subscription discards its queue and wakes its parked publishers, counting both as closed', async () => {
    const d = new LocalDispatcher();
    const drops = observed(d);
    const gate = new Promise<void>(() => {});
    const sub = d.subscribe('lab.ping', () => gate, { maxInFlight: 1, queue: { capacity: 2, policy: 'wait' } });
    d.dispatch(ping(0));
    await turns(1); // running, holding its slot for good
    d.dispatch(ping(1));
    d.dispatch(ping(2));
    const parked = [d.dispatch(ping(3)), d.dispatch(ping(4))];
    sub.unsubscribe();
    expect(await Promise.all(parked)).toEqual(['dropped', 'dropped']);
    expect(d.stats().dropped.closed).toBe(4);
    expect(drops).toEqual([{ reason: 'closed', count: 4, type: undefined, by: undefined }]);
  });

  describe('runReady', () => {
    it('runs the handlers of what was dispatched in this call, in order, never inside dispatch', () => {
      const d = new LocalDispatcher();
      const seen: number[] = [];
      d.subscribe('lab.*', (e) => void seen.push((e.data as { n: number }).n));
      void d.dispatch(ping(1));
      expect(seen).toEqual([]);
      d.runReady();
      expect(seen).toEqual([1]);
      void d.dispatch(ping(2));
      void d.dispatch(ping(3));
      d.runReady();
      expect(seen).toEqual([1, 2, 3]);
      expect(d.stats()).toMatchObject({ delivered: 3, queued: 0, inFlight: 0 });
    });

    it('never nests a handler in another: what a handler dispatches runs after it returns', () => {
      const d = new LocalDispatcher();
      const log: string[] = [];
      d.subscribe('lab.*', (e) => {
        const n = (e.data as { n: number }).n;
        log.push(`start ${n}`);
        if (n === 1) {
          void d.dispatch(ping(2));
          d.runReady();
        }
        log.push(`end ${n}`);
      });
      void d.dispatch(ping(1));
      d.runReady();
      expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    });

    it('keeps a subscription to its in-flight limit: the rest waits for a handler to settle', async () => {
      const d = new LocalDispatcher();
      const started: number[] = [];
      const release: (() => void)[] = [];
      d.subscribe('lab.*', (e) => {
        started.push((e.data as { n: number }).n);
        return new Promise<void>((r) => release.push(r));
      }, { maxInFlight: 1 });
      void d.dispatch(ping(1));
      void d.dispatch(ping(2));
      d.runReady();
      expect(started).toEqual([1]);
      release.shift()!();
      await turns(1);
      expect(started).toEqual([1, 2]);
    });
  });
});

describe('InMemoryTransport', () => {
  it('refuses publishBatch and subscribe after close, and publishLocal does nothing then', async () => {
    const t = new InMemoryTransport();
    const bus = createBus({ events: [Ping], transport: t });
    await bus.close();
    await expect(t.publishBatch([ping(1)])).rejects.toBeInstanceOf(TransportClosedError);
    expect(() => t.subscribe('lab.ping', () => {})).toThrow(TransportClosedError);
    const before = t.stats().published;
    t.publishLocal(ping(2));
    expect(t.stats().published).toBe(before);
  });

  it('hands handlers the very event published when the bus neither signs nor verifies (no encode round trip)', async () => {
    for (const security of [undefined, new EventSecurity()]) {
      const bus = createBus({ events: [Ping], ...(security === undefined ? {} : { security }) });
      const got: BusEvent[] = [];
      bus.subscribe('lab.ping', (e) => void got.push(e));
      const event = Ping.create({ n: 1 });
      await bus.publish(event);
      await bus.drain();
      expect(got[0]).toBe(event);
      await bus.close();
    }
  });

});
