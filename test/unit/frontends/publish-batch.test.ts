import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, InMemoryTransport, Type, type AnyBusEvent, type DotbusError, type PublishReceipt } from '../../../src/index.js';
import { InvalidEventError, PublishError } from '../../../src/internal.js';

const Paid = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.Number() }) });

/** publishBatch as untyped code may call it, with anything. */
type AnyBatch = (events: unknown) => Promise<PublishReceipt[]>;

describe('publishBatch given something that is no array of events', () => {
  it('resolves one failed receipt with an InvalidEventError, reports it and counts it', async () => {
    const errors: DotbusError[] = [];
    const bus = createBus({ events: [Paid], onError: (e) => void errors.push(e) });
    const receipts = await (bus.publishBatch as AnyBatch).call(bus, 'not a batch');
    expect(receipts).toHaveLength(1);
    const error = receipts[0]!.error;
    expect(receipts[0]!.status).toBe('failed');
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ code: 'INVALID_EVENT', eventType: '(none)', message: 'invalid data for (none) at (root): Expected an array of events' });
    expect((error as InvalidEventError).issues).toEqual([{ path: '', message: 'Expected an array of events' }]);
    expect(errors).toEqual([error]);
    expect(bus.stats().publisher).toEqual({ accepted: 0, dropped: 0, failed: 1, skipped: 0 });
  });

  it('turns an array that throws when read into one failed receipt for no event type', async () => {
    const bus = createBus({ events: [Paid], onError: () => {} });
    const hostile = new Proxy([Paid.create({ amount: 1 })], {
      get() {
        throw new Error('unreadable batch');
      },
    });
    const receipts = await (bus.publishBatch as AnyBatch).call(bus, hostile);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.error).toBeInstanceOf(PublishError);
    expect(receipts[0]!.error).toMatchObject({ code: 'PUBLISH_FAILED', eventType: '(none)', message: 'publishing (none) failed: unreadable batch' });
  });
});

describe('publishBatch when publishing is disabled', () => {
  it('skips every event, and a non-array as one, counting each', async () => {
    const bus = createBus({ events: [Paid], enabled: false });
    expect(await bus.publishBatch([Paid.create({ amount: 1 }), Paid.create({ amount: 2 })])).toEqual([{ status: 'skipped' }, { status: 'skipped' }]);
    expect(await (bus.publishBatch as AnyBatch).call(bus, 42)).toEqual([{ status: 'skipped' }]);
    expect(bus.stats().publisher).toEqual({ accepted: 0, dropped: 0, failed: 0, skipped: 3 });
  });
});

describe('publishBatch and the transport\'s receipts', () => {
  it('counts and reports each failed receipt the transport gives', async () => {
    /** A transport whose broker refuses every write (InMemory's batch asks publish for each event). */
    class Refusing extends InMemoryTransport {
      override publish(event: AnyBusEvent): Promise<PublishReceipt> {
        return Promise.resolve({ status: 'failed', error: new PublishError(event.eventType, 'OOM command not allowed') });
      }
    }
    const errors: string[] = [];
    const bus = createBus({ events: [Paid], transport: new Refusing(), onError: (e) => void errors.push(e.message) });
    const receipts = await bus.publishBatch([Paid.create({ amount: 1 }), Paid.create({ amount: 2 })]);
    expect(receipts.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(errors).toEqual(['publishing billing.paid failed: OOM command not allowed', 'publishing billing.paid failed: OOM command not allowed']);
    expect(bus.stats().publisher).toEqual({ accepted: 0, dropped: 0, failed: 2, skipped: 0 });
  });

  it('counts a dropped receipt as dropped and the rest as accepted', async () => {
    const transport = new InMemoryTransport({ queue: { capacity: 1, policy: 'drop-newest' }, maxInFlight: 1 });
    const bus = createBus({ events: [Paid], transport });
    bus.subscribe('billing.paid', () => new Promise<void>(() => {}));
    const receipts = await bus.publishBatch([1, 2, 3].map((amount) => Paid.create({ amount })));
    expect(receipts.map((r) => r.status)).toEqual(['accepted', 'accepted', 'dropped']);
    expect(bus.stats().publisher).toEqual({ accepted: 2, dropped: 1, failed: 0, skipped: 0 });
  });
});
