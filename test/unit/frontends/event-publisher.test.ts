import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, EventRecorder, InMemoryTransport, Type } from '../../../src/index.js';
import { PublishError, type DotbusError } from '../../../src/internal.js';

const Paid = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.Number({ minimum: 0 }) }) });

describe('EventPublisher never throws into the application', () => {
  it('turns invalid data into a failed receipt, onError, a counter and system.error.publish', async () => {
    const errors: DotbusError[] = [];
    const bus = createBus({ events: [Paid], onError: (e) => void errors.push(e), source: '/billing' });
    using rec = new EventRecorder(bus, 'system.error.*');
    const receipt = await bus.emit('billing.paid', { amount: -5 });
    expect(receipt.status).toBe('failed');
    expect(receipt.error?.code).toBe('INVALID_EVENT');
    expect(errors.map((e) => e.code)).toEqual(['INVALID_EVENT']);
    expect(bus.stats().publisher).toMatchObject({ failed: 1, accepted: 0 });
    const sys = await rec.waitFor('system.error.publish');
    expect(sys.data).toMatchObject({ code: 'INVALID_EVENT', component: 'in-memory' });
    expect(sys.source).toBe('/billing');
  });

  it('reports an unknown type and a closed transport the same way', async () => {
    const errors: string[] = [];
    const bus = createBus({ events: [Paid], onError: (e) => void errors.push(e.code) });
    const untyped = bus.emit as (t: string, d: unknown) => Promise<{ status: string }>;
    expect((await untyped.call(bus, 'billing.refunded', {})).status).toBe('failed');
    await bus.close();
    expect((await bus.emit('billing.paid', { amount: 1 })).status).toBe('failed');
    expect(errors).toEqual(['UNKNOWN_EVENT_TYPE', 'TRANSPORT_CLOSED']);
  });

  it('reports a full reject queue as a failed publish', async () => {
    const errors: string[] = [];
    const bus = createBus({ events: [Paid], transport: new InMemoryTransport({ queue: { capacity: 1, policy: 'reject' }, maxInFlight: 1 }), onError: (e) => void errors.push(e.code) });
    bus.subscribe('billing.paid', () => new Promise<void>(() => {}));
    const receipts = [];
    for (let i = 0; i < 4; i++) receipts.push((await bus.emit('billing.paid', { amount: i })).status);
    expect(receipts).toEqual(['accepted', 'accepted', 'failed', 'failed']);
    expect(errors).toEqual(['BUFFER_FULL', 'BUFFER_FULL']);
  });

  it('fills id, time and source, and skips building when disabled', async () => {
    const bus = createBus({ events: [Paid], source: '/svc' });
    using rec = new EventRecorder(bus, 'billing.*');
    await bus.emit('billing.paid', { amount: 3 });
    const e = await rec.waitFor('billing.paid');
    expect(e.source).toBe('/svc');
    expect(e.eventId).toHaveLength(36);
    const off = createBus({ events: [Paid], enabled: false });
    let built = false;
    await off.emitWith('billing.paid', () => {
      built = true;
      return { amount: 1 };
    });
    expect(built).toBe(false);
  });

  it('a throwing onError hook changes nothing', async () => {
    const bus = createBus({ events: [Paid], onError: () => { throw new Error('hook'); } });
    expect((await bus.emit('billing.paid', { amount: -1 })).status).toBe('failed');
  });
});

describe('EventRecorder', () => {
  it('records, filters and waits with a timeout', async () => {
    const bus = createBus({ events: [Paid] });
    using rec = new EventRecorder(bus, 'billing.*');
    const later = rec.waitFor('billing.paid', (e) => (e.data as { amount: number }).amount === 2);
    await bus.emit('billing.paid', { amount: 1 });
    await bus.emit('billing.paid', { amount: 2 });
    expect(((await later).data as { amount: number }).amount).toBe(2);
    expect(rec.matching('billing.+')).toHaveLength(2);
    // A pattern known only at run time: a literal that matches no recorded type does not compile.
    await expect(rec.waitFor('billing.none' as string, () => true, 20)).rejects.toThrow(/within 20 ms/);
  });
});

describe('EventPublisher and a transport that refuses a write', () => {
  /** A transport whose broker refuses every write, as Redis does with NOPERM or OOM. */
  class RefusingTransport extends InMemoryTransport {
    override publish(event: Parameters<InMemoryTransport['publish']>[0]) {
      return Promise.resolve({ status: 'failed' as const, error: new PublishError(event.eventType, 'OOM command not allowed') });
    }
  }

  it('counts a failed receipt as failed and reports it', async () => {
    const errors: string[] = [];
    const bus = createBus({ events: [Paid], transport: new RefusingTransport(), onError: (e) => void errors.push(e.message) });
    const receipt = await bus.emit('billing.paid', { amount: 1 });
    expect(receipt.status).toBe('failed');
    expect(bus.stats().publisher).toMatchObject({ accepted: 0, failed: 1 });
    expect(errors).toEqual(['publishing billing.paid failed: OOM command not allowed']);
  });
});
