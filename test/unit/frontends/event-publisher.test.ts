import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, EventRecorder, InMemoryTransport, Type, type BusEvent, type PublishReceipt } from '../../../src/index.js';
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

/** A transport that answers every publish with `answer`, a receipt settled later as a broker's is. */
class Answering extends InMemoryTransport {
  constructor(private readonly answer: () => Promise<PublishReceipt>) {
    super();
  }
  override publish(): Promise<PublishReceipt> {
    return this.answer();
  }
}

describe('EventPublisher counters', () => {
  it('counts a transport\'s shared accepted receipt the moment emit returns', async () => {
    const bus = createBus({ events: [Paid] });
    const pending = bus.emit('billing.paid', { amount: 1 });
    expect(bus.stats().publisher).toEqual({ accepted: 1, dropped: 0, failed: 0, skipped: 0 });
    expect(await pending).toEqual({ status: 'accepted' });
  });

  it('counts a drop-newest refusal as dropped, the moment emit returns', async () => {
    const transport = new InMemoryTransport({ queue: { capacity: 1, policy: 'drop-newest' }, maxInFlight: 1 });
    const bus = createBus({ events: [Paid], transport });
    bus.subscribe('billing.paid', () => new Promise<void>(() => {}));
    await bus.emit('billing.paid', { amount: 1 }); // handled (and never done)
    await bus.emit('billing.paid', { amount: 2 }); // queued
    const pending = bus.emit('billing.paid', { amount: 3 });
    expect(bus.stats().publisher).toEqual({ accepted: 2, dropped: 1, failed: 0, skipped: 0 });
    expect(await pending).toEqual({ status: 'dropped' });
  });

  it('counts a later buffered receipt as accepted and a later dropped one as dropped, reporting neither', async () => {
    const errors: DotbusError[] = [];
    let answer: PublishReceipt = { status: 'buffered' };
    const bus = createBus({ events: [Paid], transport: new Answering(() => Promise.resolve(answer)), onError: (e) => void errors.push(e) });
    expect(await bus.emit('billing.paid', { amount: 1 })).toEqual({ status: 'buffered' });
    answer = { status: 'dropped' };
    expect(await bus.emit('billing.paid', { amount: 2 })).toEqual({ status: 'dropped' });
    expect(bus.stats().publisher).toEqual({ accepted: 1, dropped: 1, failed: 0, skipped: 0 });
    expect(errors).toEqual([]);
  });
});

describe('EventPublisher failures, as receipts and reports', () => {
  it('gives a failed receipt without an error a PublishError saying the transport refused it', async () => {
    const reported: [DotbusError, BusEvent | undefined][] = [];
    const bus = createBus({ events: [Paid], transport: new Answering(() => Promise.resolve({ status: 'failed' })), onError: (e, ev) => void reported.push([e, ev]) });
    const receipt = await bus.emit('billing.paid', { amount: 1 });
    expect(receipt.status).toBe('failed');
    expect(receipt.error).toBeInstanceOf(PublishError);
    expect(receipt.error).toMatchObject({ code: 'PUBLISH_FAILED', eventType: 'billing.paid', message: 'publishing billing.paid failed: the transport refused it' });
    expect(reported).toHaveLength(1);
    expect(reported[0]![0]).toBe(receipt.error);
    expect(reported[0]![1]).toMatchObject({ eventType: 'billing.paid', data: { amount: 1 } });
    expect(bus.stats().publisher).toEqual({ accepted: 0, dropped: 0, failed: 1, skipped: 0 });
  });

  it('passes a transport\'s failed receipt that has its error on as it is', async () => {
    const own: PublishReceipt = { status: 'failed', error: new PublishError('billing.paid', 'NOPERM') };
    const bus = createBus({ events: [Paid], transport: new Answering(() => Promise.resolve(own)), onError: () => {} });
    expect(await bus.emit('billing.paid', { amount: 1 })).toBe(own);
  });

  it('wraps a plain error a transport rejects with in a PublishError that keeps it as the cause', async () => {
    const thrown = new Error('socket hang up');
    const bus = createBus({ events: [Paid], transport: new Answering(() => Promise.reject(thrown)), onError: () => {} });
    const receipt = await bus.emit('billing.paid', { amount: 1 });
    expect(receipt.error).toMatchObject({ code: 'PUBLISH_FAILED', message: 'publishing billing.paid failed: socket hang up' });
    expect(receipt.error?.cause).toBe(thrown);
  });

  it('names the event type in a failing builder\'s error, and "(none)" for a type that is no string', async () => {
    const bus = createBus({ events: [Paid], onError: () => {} });
    const broken = (): { amount: number } => {
      throw new Error('builder broke');
    };
    expect((await bus.emitWith('billing.paid', broken)).error?.message).toBe('publishing billing.paid failed: builder broke');
    const untyped = bus.emitWith as (t: unknown, build: () => unknown) => Promise<PublishReceipt>;
    const receipt = await untyped.call(bus, Symbol('paid'), broken);
    expect(receipt.error).toMatchObject({ code: 'PUBLISH_FAILED', eventType: '(none)', message: 'publishing (none) failed: builder broke' });
  });
});
