import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, EventRecorder, Type } from '../../../src/index.js';

const Order = defineEvent({
  type: ['order.placed', 'order.shipment.sent'],
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String() }),
});

describe('EventRecorder over typed sources', () => {
  it('records everything by default, from the bus or its subscriber', async () => {
    const bus = createBus({ events: [Order] });
    using all = new EventRecorder(bus);
    using shipments = new EventRecorder(bus.subscriber, 'order.shipment.*');
    await bus.emit('order.placed', { orderId: 'o-1' });
    await bus.emit('order.shipment.sent', { orderId: 'o-1' });
    await bus.drain();
    expect(all.events.map((e) => e.eventType)).toEqual(['order.placed', 'order.shipment.sent']);
    expect(shipments.events.map((e) => e.data.orderId)).toEqual(['o-1']);
  });

  it('waits for and filters by its own pattern, among recorded and future events', async () => {
    const bus = createBus({ events: [Order] });
    using rec = new EventRecorder(bus, 'order.*');
    await bus.emit('order.placed', { orderId: 'o-1' });
    await bus.drain();
    expect((await rec.waitFor('order.placed')).data.orderId).toBe('o-1');
    const shipped = rec.waitFor('order.shipment.+', (e) => e.data.orderId === 'o-2');
    await bus.emit('order.shipment.sent', { orderId: 'o-1' });
    await bus.emit('order.shipment.sent', { orderId: 'o-2' });
    expect((await shipped).data.orderId).toBe('o-2');
    expect(rec.matching('order.shipment.sent').map((e) => e.data.orderId)).toEqual(['o-1', 'o-2']);
    rec.clear();
    expect(rec.events).toHaveLength(0);
  });

  it('stops recording when disposed', async () => {
    const bus = createBus({ events: [Order] });
    const rec = new EventRecorder(bus, 'order.+');
    rec[Symbol.dispose]();
    await bus.emit('order.placed', { orderId: 'o-1' });
    await bus.drain();
    expect(rec.events).toHaveLength(0);
  });
});
