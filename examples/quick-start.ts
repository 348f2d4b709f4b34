import { createBus, defineEvent, Type } from '../src/index.js';

const OrderPlaced = defineEvent({
  type: 'order.placed',
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String(), total: Type.Number({ minimum: 0 }) }),
});
const OrderShipped = defineEvent({
  type: 'order.shipment.sent',
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String(), carrier: Type.String() }),
});

const bus = createBus({ events: [OrderPlaced, OrderShipped], source: '/shop' });

bus.subscribe('order.*', (event) => {
  // event: BusEvent<'order.placed', …> | BusEvent<'order.shipment.sent', …>
  if (event.eventType === 'order.placed') console.log('placed', event.data.orderId, event.data.total);
  else console.log('shipped', event.data.orderId, 'with', event.data.carrier);
});

await bus.emit('order.placed', { orderId: 'o-1', total: 42 });
await bus.emit('order.shipment.sent', { orderId: 'o-1', carrier: 'DHL' });
console.log(await bus.emit('order.placed', { orderId: 'o-2', total: -1 }));
await bus.close();
