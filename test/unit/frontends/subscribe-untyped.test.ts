import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, Type, type UntypedEvent } from '../../../src/index.js';

const Paid = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.Number() }) });
/** Defined by another service: the buses below have no definition for it. */
const Placed = defineEvent({ type: 'order.placed', version: '1.0.0', schema: Type.Object({ id: Type.String() }) });

describe('subscribeUntyped', () => {
  it('delivers events of types without a definition, and defined ones, as subscribe does', async () => {
    const bus = createBus({ events: [Paid] });
    const got: UntypedEvent[] = [];
    const viaSubscriber: string[] = [];
    using _a = bus.subscribeUntyped('*', (e) => void got.push(e));
    using _b = bus.subscriber.subscribeUntyped('order.+', (e) => void viaSubscriber.push(e.eventType));
    await bus.transport.publish(Placed.create({ id: 'o-1' }));
    await bus.emit('billing.paid', { amount: 3 });
    await bus.drain();
    expect(got.map((e) => [e.eventType, e.data])).toEqual([
      ['order.placed', { id: 'o-1' }],
      ['billing.paid', { amount: 3 }],
    ]);
    expect(viaSubscriber).toEqual(['order.placed']);
  });

  it('checks the pattern at run time and honours the options', async () => {
    const bus = createBus();
    const pattern: string = 'order*';
    expect(() => bus.subscribeUntyped(pattern, () => {})).toThrow(expect.objectContaining({ code: 'INVALID_PATTERN' }));
    const ctrl = new AbortController();
    let calls = 0;
    const sub = bus.subscribeUntyped('order.*', () => void calls++, { signal: ctrl.signal });
    expect(sub.pattern).toBe('order.*');
    ctrl.abort();
    await bus.transport.publish(Placed.create({ id: 'o-1' }));
    await bus.drain();
    expect(calls).toBe(0);
  });
});
