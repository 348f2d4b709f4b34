/**
 * Type-level tests of events and typed subscriptions. Compiled by `npm run typecheck`; a
 * regression in inference fails the build.
 */
import {
  createBus,
  defineEvent,
  type PerformanceEvent,
  Type,
  type ValidationEvent,
  type BusEvent,
  type DataOf,
  type EventOfDefinition,
  type EventsOf,
  type SystemErrorEvent,
} from '../../src/index.js';
import type { Equal, Expect } from './assert.js';

const OrderPlaced = defineEvent({
  type: 'order.placed',
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String(), total: Type.Number(), note: Type.Optional(Type.String()) }),
});
const OrderShipped = defineEvent({
  type: ['order.shipment.sent', 'order.shipment.lost'],
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String(), carrier: Type.String() }),
});

type Placed = EventOfDefinition<typeof OrderPlaced>;
type Shipped = EventOfDefinition<typeof OrderShipped>;
type PlacedData = { orderId: string; total: number; note?: string };
type ShippedData = { orderId: string; carrier: string };

// The static type is inferred from the schema.
export type Inference = [
  Expect<Equal<Placed, BusEvent<'order.placed', PlacedData>>>,
  Expect<Equal<Shipped, BusEvent<'order.shipment.sent', ShippedData> | BusEvent<'order.shipment.lost', ShippedData>>>,
  Expect<Equal<Placed['data'], { readonly orderId: string; readonly total: number; readonly note?: string }>>,
  Expect<Equal<EventsOf<[typeof OrderPlaced, typeof OrderShipped]>, Placed | Shipped>>,
  Expect<Equal<PerformanceEvent['eventType'], 'performance.metric.recorded' | 'performance.phase.start' | 'performance.phase.complete' | 'performance.operation.complete'>>,
];

// Single-type definitions take data; families take the type first.
const placed = OrderPlaced.create({ orderId: 'o', total: 1 });
const lost = OrderShipped.create('order.shipment.lost', { orderId: 'o', carrier: 'x' });
export type Factories = [Expect<Equal<typeof placed, BusEvent<'order.placed', PlacedData>>>, Expect<Equal<typeof lost, BusEvent<'order.shipment.lost', ShippedData>>>];
// @ts-expect-error a family needs its type
OrderShipped.create({ orderId: 'o', carrier: 'x' });
// @ts-expect-error not one of the family's types
OrderShipped.create('order.shipment.found', { orderId: 'o', carrier: 'x' });
// @ts-expect-error wrong field type
OrderPlaced.create({ orderId: 'o', total: '1' });
// @ts-expect-error missing field
OrderPlaced.create({ orderId: 'o' });

// Events are deeply read-only.
// @ts-expect-error readonly
placed.data.total = 2;
// @ts-expect-error readonly
placed.eventType = 'x';

const bus = createBus({ events: [OrderPlaced, OrderShipped] });

// Handlers are typed from the pattern.
bus.subscribe('order.*', (e) => {
  type T = Expect<Equal<typeof e, Placed | Shipped>>;
  if (e.eventType === 'order.placed') {
    type N = Expect<Equal<typeof e.data.total, number>>;
  } else {
    type C = Expect<Equal<typeof e.data.carrier, string>>;
  }
});
bus.subscribe('order.shipment.+', (e) => {
  type T = Expect<Equal<typeof e, Shipped>>;
});
bus.subscribe('order.+', (e) => {
  type T = Expect<Equal<typeof e, Placed>>;
});
bus.subscribe('validation.phase.*', (e) => {
  type T = Expect<Equal<typeof e['eventType'], 'validation.phase.started' | 'validation.phase.completed'>>;
  type D = Expect<Equal<typeof e['data'], ValidationEvent['data']>>;
});
bus.subscribe('*.error.*', (e) => {
  type T = Expect<Equal<typeof e['eventType'], 'validation.error.occurred' | SystemErrorEvent['eventType']>>;
});
bus.subscribe('*.lost', (e) => {
  type T = Expect<Equal<typeof e['eventType'], 'order.shipment.lost' | 'system.error.lost'>>;
});
bus.subscribe('order.placed', (e) => {
  type T = Expect<Equal<typeof e, Placed>>;
});
declare const runtimePattern: string;
bus.subscribe(runtimePattern, (e) => {
  type T = Expect<Equal<typeof e['eventType'], (typeof bus extends { publish(e: infer E): unknown } ? E : never) extends { eventType: infer K } ? K : never>>;
});

// A literal invalid pattern does not compile.
// @ts-expect-error partial wildcard
bus.subscribe('order*', () => {});
// @ts-expect-error empty segment
bus.subscribe('order..placed', () => {});
// @ts-expect-error trailing dot
bus.subscribe('order.', () => {});
// @ts-expect-error bad character
bus.subscribe('order.pl@ced', () => {});

// emit is keyed by type, with the data of that type.
void bus.emit('order.placed', { orderId: 'o', total: 3 });
void bus.emit('order.shipment.sent', { orderId: 'o', carrier: 'c' });
// @ts-expect-error unknown type
void bus.emit('order.cancelled', {});
// @ts-expect-error data of another type
void bus.emit('order.placed', { orderId: 'o', carrier: 'c' });
export type Emit = [Expect<Equal<DataOf<Placed | Shipped, 'order.placed'>, Placed['data']>>];
