import { describe, expect, it } from 'vitest';
import {
  createBus,
  defineEvent,
  InMemoryTransport,
  Type,
  type AnyBusEvent,
  type BusTracing,
  type EventHandler,
  type PublishReceipt,
  type SendStart,
  type SubscribeOptions,
  type Subscription,
  type TraceContext,
} from '../../../src/index.js';

const Paid = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.Number() }) });
const SEND_TRACE: TraceContext = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
const OWN_TRACE: TraceContext = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

/** An InMemory transport that remembers the handlers it was given. */
class Capturing extends InMemoryTransport {
  readonly handlers: EventHandler[] = [];
  override subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    this.handlers.push(handler);
    return super.subscribe(pattern, handler, options);
  }
}

/** A tracing that records what the bus tells it; `broken` makes the named hook throw. */
function recordingTracing(broken?: 'startSend' | 'run' | 'run-after' | 'end') {
  const starts: SendStart[] = [];
  const ends: (readonly PublishReceipt[])[] = [];
  const wrapped: string[] = [];
  const tracing: BusTracing = {
    startSend(send) {
      if (broken === 'startSend') throw new Error('hook');
      starts.push(send);
      return {
        traceContext: SEND_TRACE,
        run(fn) {
          if (broken === 'run') throw new Error('hook');
          const result = fn();
          if (broken === 'run-after') throw new Error('hook');
          return result;
        },
        end(receipts) {
          ends.push(receipts);
          if (broken === 'end') throw new Error('hook');
        },
      };
    },
    wrapHandler(handler, pattern) {
      wrapped.push(pattern);
      return (event, delivery) => handler(event, delivery);
    },
  };
  return { tracing, starts, ends, wrapped };
}

describe('a bus with tracing', () => {
  it('without tracing, the transport gets the very handler: dispatch pays nothing', () => {
    const transport = new Capturing();
    const bus = createBus({ events: [Paid], transport });
    const handler = (): void => {};
    bus.subscribe('billing.paid', handler);
    expect(transport.handlers).toEqual([handler]);
  });

  it('wraps each handler once, at subscribe, with its pattern; a call the transport refuses is passed on unwrapped', () => {
    const transport = new Capturing();
    const { tracing, wrapped } = recordingTracing();
    const bus = createBus({ events: [Paid], transport, tracing });
    const handler = (): void => {};
    bus.subscribe('billing.*', handler);
    bus.subscribeUntyped('audit.*', handler);
    expect(wrapped).toEqual(['billing.*', 'audit.*']);
    expect(transport.handlers.some((h) => h === handler)).toBe(false);
    expect(() => bus.subscribe('billing.paid', 'nope' as unknown as EventHandler)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(wrapped).toHaveLength(2);
  });

  it('never hands tracing a pattern that is no string: the transport refuses it, naming what was given', () => {
    const transport = new Capturing();
    const { tracing, wrapped } = recordingTracing();
    const bus = createBus({ events: [Paid], transport, tracing });
    const notAPattern = 42 as unknown as 'billing.paid';
    expect(() => bus.subscribe(notAPattern, () => {})).toThrow('invalid pattern "number": a pattern is a string such as `validation.*`');
    expect(() => bus.subscribeUntyped(notAPattern, () => {})).toThrow(expect.objectContaining({ code: 'INVALID_PATTERN' }));
    expect(wrapped).toEqual([]);
  });

  it('tells tracing about each send before building it, stamps the send context, keeps an event\'s own', async () => {
    const { tracing, starts, ends } = recordingTracing();
    const bus = createBus({ events: [Paid], tracing });
    const seen: AnyBusEvent[] = [];
    bus.subscribe('billing.paid', (e) => void seen.push(e));
    await bus.emit('billing.paid', { amount: 1 });
    await bus.emit('billing.paid', { amount: 2 }, { trace: OWN_TRACE });
    await bus.publish(Paid.create({ amount: 3 }));
    await bus.publishBatch([Paid.create({ amount: 4 }), Paid.create({ amount: 5 }, { trace: OWN_TRACE })]);
    await bus.drain();
    expect(seen.map((e) => e.trace)).toEqual([SEND_TRACE, OWN_TRACE, SEND_TRACE, SEND_TRACE, OWN_TRACE]);
    expect(starts).toEqual([
      { transport: 'in-memory', eventType: 'billing.paid', eventId: seen[0]!.eventId, count: 1, batch: false, carried: [] },
      { transport: 'in-memory', eventType: 'billing.paid', eventId: seen[1]!.eventId, count: 1, batch: false, carried: [OWN_TRACE] },
      { transport: 'in-memory', eventType: 'billing.paid', eventId: seen[2]!.eventId, count: 1, batch: false, carried: [] },
      { transport: 'in-memory', eventType: 'billing.paid', eventId: undefined, count: 2, batch: true, carried: [OWN_TRACE] },
    ]);
    expect(ends.map((r) => r.map((x) => x.status))).toEqual([['accepted'], ['accepted'], ['accepted'], ['accepted', 'accepted']]);
  });

  it('a send of an unknown type is named by no type, and ends failed', async () => {
    const { tracing, starts, ends } = recordingTracing();
    const bus = createBus({ events: [Paid], tracing, onError: () => {} });
    const untyped = bus.emit as (t: string, d: unknown) => Promise<PublishReceipt>;
    expect((await untyped.call(bus, 'billing.refunded', {})).status).toBe('failed');
    expect(starts[0]!.eventType).toBeUndefined();
    expect(ends[0]![0]!.error?.code).toBe('UNKNOWN_EVENT_TYPE');
  });

  it('names a send by no event id when the caller\'s id is no string, and by no type when the type is none', async () => {
    const { tracing, starts, ends } = recordingTracing();
    const bus = createBus({ events: [Paid], tracing, onError: () => {} });
    const receipt = await bus.emit('billing.paid', { amount: 1 }, { eventId: 42 as unknown as string });
    expect(receipt.error?.code).toBe('INVALID_EVENT');
    const untyped = bus.emit as (t: unknown, d: unknown) => Promise<PublishReceipt>;
    expect((await untyped.call(bus, Symbol('billing.paid'), { amount: 1 })).status).toBe('failed');
    expect(starts.map((s) => [s.eventType, s.eventId])).toEqual([['billing.paid', undefined], [undefined, expect.any(String)]]);
    expect(ends.map((r) => r.map((x) => x.status))).toEqual([['failed'], ['failed']]);
  });

  it('starts no send span for a batch with no valid event', async () => {
    const { tracing, starts } = recordingTracing();
    const bus = createBus({ events: [Paid], tracing, onError: () => {} });
    const receipts = await bus.publishBatch([{ eventType: 'billing.paid' } as unknown as ReturnType<typeof Paid.create>]);
    expect(receipts.map((r) => r.error?.code)).toEqual(['INVALID_EVENT']);
    expect(starts).toEqual([]);
  });

  it.each(['startSend', 'run', 'run-after', 'end'] as const)('a tracing whose %s throws never fails a publish nor sends twice', async (broken) => {
    const { tracing } = recordingTracing(broken);
    const bus = createBus({ events: [Paid], tracing });
    let calls = 0;
    bus.subscribe('billing.paid', () => void calls++);
    expect((await bus.emit('billing.paid', { amount: 1 })).status).toBe('accepted');
    expect((await bus.publish(Paid.create({ amount: 2 }))).status).toBe('accepted');
    expect((await bus.publishBatch([Paid.create({ amount: 3 })])).map((r) => r.status)).toEqual(['accepted']);
    await bus.drain();
    expect(calls).toBe(3);
    expect(bus.stats().publisher).toMatchObject({ accepted: 3, failed: 0 });
  });
});
