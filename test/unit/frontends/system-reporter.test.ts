import { describe, expect, it } from 'vitest';
import {
  createBus,
  defineEvent,
  EventRecorder,
  InMemoryTransport,
  Type,
  type BusEvent,
  type BusObserver,
  type DotbusError,
  type DropReason,
  type TransportContext,
} from '../../../src/index.js';
import { SignatureError } from '../../../src/internal.js';

const Paid = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.Number() }) });

/** An InMemory transport that keeps the observer the bus binds it to: the bus's own reporter. */
class Observed extends InMemoryTransport {
  observer: BusObserver | undefined;
  override bind(context: TransportContext): void {
    this.observer = context.observer;
    super.bind(context);
  }
  /** The reporter, as a transport calls it (Redis reports losses and signature refusals this way). */
  get reporter(): BusObserver {
    if (this.observer === undefined) throw new Error('not bound');
    return this.observer;
  }
}

/** An observer that records every call, as a metrics observer would see them. */
function recordingObserver() {
  const dropped: [DropReason, number, string | undefined, BusEvent | undefined][] = [];
  const errors: DotbusError[] = [];
  const observer: BusObserver = {
    error: (e) => void errors.push(e),
    dropped: (reason, count, eventType, revealedBy) => void dropped.push([reason, count, eventType, revealedBy]),
  };
  return { observer, dropped, errors };
}

describe('the bus reports events lost between processes', () => {
  it('as a system.error.lost event with the count and the type, and to the user observer', async () => {
    const transport = new Observed();
    const { observer, dropped } = recordingObserver();
    const bus = createBus({ events: [Paid], transport, observer, source: '/billing' });
    using rec = new EventRecorder(bus, 'system.error.*');
    const revealing = Paid.create({ amount: 1 });
    transport.reporter.dropped('lost', 3, 'billing.paid', revealing);
    const lost = await rec.waitFor('system.error.lost');
    expect(lost.data).toStrictEqual({
      component: 'in-memory',
      code: 'EVENTS_LOST',
      message: '3 event(s) were lost between processes',
      count: 3,
      eventType: 'billing.paid',
    });
    expect(lost.source).toBe('/billing');
    // The observer gets the very arguments: the audit recorder places its gap record by `revealedBy`.
    expect(dropped).toEqual([['lost', 3, 'billing.paid', revealing]]);
  });

  it('without an eventType key when the lost events\' type is unknown', async () => {
    const transport = new Observed();
    const bus = createBus({ events: [Paid], transport });
    using rec = new EventRecorder(bus, 'system.error.*');
    transport.reporter.dropped('lost', 1);
    const lost = await rec.waitFor('system.error.lost');
    expect(lost.data).toStrictEqual({ component: 'in-memory', code: 'EVENTS_LOST', message: '1 event(s) were lost between processes', count: 1 });
    expect('eventType' in lost.data).toBe(false);
  });

  it('passes other drops to the observer only: a backpressure drop is no system.error event', async () => {
    const transport = new Observed({ queue: { capacity: 1, policy: 'drop-newest' }, maxInFlight: 1 });
    const { observer, dropped } = recordingObserver();
    const bus = createBus({ events: [Paid], transport, observer });
    using rec = new EventRecorder(bus, 'system.*');
    bus.subscribe('billing.paid', () => new Promise<void>(() => {}));
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await bus.emit('billing.paid', { amount: i })).status);
    expect(statuses).toEqual(['accepted', 'accepted', 'dropped']);
    expect(dropped).toEqual([['drop-newest', 1, 'billing.paid', undefined]]);
    transport.reporter.dropped('expired', 2, 'billing.paid');
    expect(dropped).toHaveLength(2);
    // Local dispatch keeps order: had the drops above published anything, it would arrive before this.
    transport.reporter.dropped('lost', 1);
    await rec.waitFor('system.error.lost');
    expect(rec.events.map((e) => e.eventType)).toEqual(['system.error.lost']);
  });
});

describe('the bus reports a refused signature', () => {
  it('with the reason, the event id and the key id the refused event named', async () => {
    const transport = new Observed();
    const errors: DotbusError[] = [];
    const bus = createBus({ events: [Paid], transport, onError: (e) => void errors.push(e) });
    using rec = new EventRecorder(bus, 'system.error.*');
    const refusal = new SignatureError('unknown-key', 'no such key', 'c0ffee00-0000-4000-8000-000000000001', 'k-2023');
    transport.reporter.error(refusal);
    const sys = await rec.waitFor('system.error.signature');
    expect(sys.data).toStrictEqual({
      component: 'in-memory',
      code: 'SIGNATURE_REJECTED',
      message: refusal.message,
      reason: 'unknown-key',
      eventId: 'c0ffee00-0000-4000-8000-000000000001',
      keyId: 'k-2023',
    });
    expect(errors).toEqual([refusal]);
  });

  it('without eventId and keyId keys when the refused message had neither', async () => {
    const transport = new Observed();
    const bus = createBus({ events: [Paid], transport, onError: () => {} });
    using rec = new EventRecorder(bus, 'system.error.*');
    const refusal = new SignatureError('unsigned', 'no signature attribute');
    transport.reporter.error(refusal);
    const sys = await rec.waitFor('system.error.signature');
    expect(sys.data).toStrictEqual({ component: 'in-memory', code: 'SIGNATURE_REJECTED', message: refusal.message, reason: 'unsigned' });
    expect(Object.keys(sys.data).sort()).toEqual(['code', 'component', 'message', 'reason']);
  });
});
