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
  type AnyBusEvent,
  type EventBus,
  type EventHandler,
  type Subscribable,
  type UntypedEvent,
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

// A valid literal pattern that matches none of the bus's event types (a misspelling) does not
// compile either: it would otherwise type the handler `never` and stay silent at run time.
// @ts-expect-error misspelt first segment
bus.subscribe('ordr.*', () => {});
// @ts-expect-error misspelt built-in type
bus.subscribe('valdation.*', () => {});
// @ts-expect-error right words, wrong depth: `+` is exactly one segment
bus.subscribe('order.shipment.sent.+', () => {});
declare const oneMisspelt: 'order.+' | 'ordr.+';
// @ts-expect-error one pattern of a union matches nothing
bus.subscribe(oneMisspelt, () => {});
declare const bothKnown: 'order.+' | 'validation.+';
bus.subscribe(bothKnown, (e) => {
  type T = Expect<Equal<typeof e['eventType'], 'order.placed' | 'validation.started' | 'validation.completed' | 'validation.failed'>>;
});
// @ts-expect-error through the subscriber too
bus.subscriber.subscribe('valdation.*', () => {});
// The error is a readable message type, with the way out for types the bus has no definitions for.
export type NoMatchMessage = [
  Expect<Equal<Parameters<typeof bus.subscribe<'valdation.*'>>[0], "✗ no event type matches 'valdation.*' (misspelt? for event types without a definition, use subscribeUntyped)">>,
  Expect<Equal<Parameters<typeof bus.subscriber.subscribe<'ordr.*'>>[0], "✗ no event type matches 'ordr.*' (misspelt? for event types without a definition, use subscribeUntyped)">>,
  // An invalid pattern still gets the invalid-pattern message, not the no-match one.
  Expect<Equal<Parameters<typeof bus.subscribe<'ordr*'>>[0], "✗ invalid pattern: partial wildcard in segment 'ordr*'">>,
];
// A matching literal is its own parameter type and types the handler with the union it matches;
// the wide string stays allowed and gets every event.
type BusEvents = typeof bus extends EventBus<infer E> ? E : never;
export type Matching = [
  Expect<Equal<Parameters<typeof bus.subscribe<'order.*'>>[0], 'order.*'>>,
  Expect<Equal<Parameters<typeof bus.subscribe<'order.*'>>[1], EventHandler<Placed | Shipped>>>,
  Expect<Equal<Parameters<typeof bus.subscribe<'*.lost'>>[1], EventHandler<Extract<Shipped | SystemErrorEvent, { eventType: 'order.shipment.lost' | 'system.error.lost' }>>>>,
  Expect<Equal<Parameters<typeof bus.subscribe<string>>[0], string>>,
  Expect<Equal<Parameters<typeof bus.subscribe<string>>[1], EventHandler<BusEvents>>>,
];
bus.subscribe('order.placed', (e) => {
  type T = Expect<Equal<typeof e['data']['total'], number>>;
});
// A pattern with a `${string}` hole is not known in full: it is checked for validity only.
declare const area: string;
bus.subscribe(`${area}.placed`, () => {});
// @ts-expect-error a hole does not excuse an invalid literal part
bus.subscribe(`${area}.pl@ced`, () => {});
// A bus typed with the wide AnyBusEvent can receive any type, so any valid literal compiles.
declare const anyBus: EventBus<AnyBusEvent>;
anyBus.subscribe('whatever.+', (e) => {
  type T = Expect<Equal<typeof e, AnyBusEvent>>;
});
// A bus is still a Subscribable (recorders and monitors take one).
export const asSubscribable: Subscribable = bus;

// Types the bus has no definitions for: subscribeUntyped checks only validity, handlers get
// UntypedEvent (data unknown), on the bus and on its subscriber.
const plain = createBus();
// @ts-expect-error no definition for order.* on this bus
plain.subscribe('order.*', () => {});
plain.subscribeUntyped('order.*', (e) => {
  type T = Expect<Equal<typeof e, UntypedEvent>>;
  type D = Expect<Equal<typeof e.data, unknown>>;
  type K = Expect<Equal<typeof e.eventType, string>>;
  return void e.data;
});
plain.subscriber.subscribeUntyped('order.*', (e) => void e.data, { maxInFlight: 1 });
plain.subscribeUntyped(runtimePattern, () => {});
// A pattern of known types is allowed too: the handler still gets UntypedEvent.
plain.subscribeUntyped('validation.*', (e) => {
  type T = Expect<Equal<typeof e, UntypedEvent>>;
});
// @ts-expect-error validity is still checked
plain.subscribeUntyped('order*', () => {});
// @ts-expect-error on the subscriber too
plain.subscriber.subscribeUntyped('order..placed', () => {});
export type Untyped = [
  Expect<Equal<UntypedEvent, BusEvent<string, unknown>>>,
  Expect<Equal<Parameters<typeof plain.subscribeUntyped<'order*'>>[0], "✗ invalid pattern: partial wildcard in segment 'order*'">>,
  Expect<Equal<Parameters<typeof plain.subscribeUntyped<'order.*'>>[1], EventHandler<UntypedEvent>>>,
];

// emit is keyed by type, with the data of that type.
void bus.emit('order.placed', { orderId: 'o', total: 3 });
void bus.emit('order.shipment.sent', { orderId: 'o', carrier: 'c' });
// @ts-expect-error unknown type
void bus.emit('order.cancelled', {});
// @ts-expect-error data of another type
void bus.emit('order.placed', { orderId: 'o', carrier: 'c' });
export type Emit = [Expect<Equal<DataOf<Placed | Shipped, 'order.placed'>, Placed['data']>>];
