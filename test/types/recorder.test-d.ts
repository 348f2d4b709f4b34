/**
 * Type-level tests of EventRecorder: over a typed bus its events are typed from the bus and the
 * pattern, and `waitFor`/`matching` narrow by their own pattern; over a transport they are
 * AnyBusEvent. Compiled by `npm run typecheck`.
 */
import {
  createBus,
  defineEvent,
  EventRecorder,
  Type,
  type AnyBusEvent,
  type BusEvent,
  type EventBus,
  type EventOfDefinition,
  type MatchingEvents,
  type PerformanceEvent,
  type ValidationEvent,
} from '../../src/index.js';
import type { Equal, Expect } from './assert.js';

const OrderPlaced = defineEvent({
  type: 'order.placed',
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String(), total: Type.Number() }),
});
type Placed = EventOfDefinition<typeof OrderPlaced>;

const bus = createBus({ events: [OrderPlaced] });
type BusEvents = typeof bus extends EventBus<infer E> ? E : never;
type Completed = Extract<ValidationEvent, { eventType: 'validation.completed' }>;
type Phase = Extract<ValidationEvent, { eventType: `validation.phase.${string}` }>;

// Over a bus: the bus's events that the pattern matches.
const rec = new EventRecorder(bus, 'validation.*');
export type Recorded = [
  Expect<Equal<typeof rec, EventRecorder<BusEvents, 'validation.*'>>>,
  Expect<Equal<typeof rec.events, readonly MatchingEvents<BusEvents, 'validation.*'>[]>>,
  Expect<Equal<typeof rec.events, readonly ValidationEvent[]>>,
  Expect<Equal<(typeof rec.events)[number]['data']['contextId'], string>>,
];

// waitFor narrows by its own pattern: the predicate's parameter and the result.
export const completed = rec.waitFor('validation.completed', (e) => {
  type T = Expect<Equal<typeof e, Completed>>;
  return e.data.status === 'passed';
});
export const phase = rec.waitFor('validation.phase.+');
export const any = rec.waitFor(String('validation.started'));
export type Waited = [
  Expect<Equal<typeof completed, Promise<Completed>>>,
  Expect<Equal<typeof phase, Promise<Phase>>>,
  // A pattern known only at run time: every recorded event.
  Expect<Equal<typeof any, Promise<ValidationEvent>>>,
  Expect<Equal<ReturnType<typeof rec.matching<'validation.phase.*'>>, Phase[]>>,
  Expect<Equal<ReturnType<typeof rec.matching<string>>, ValidationEvent[]>>,
];
// @ts-expect-error misspelt: it would only ever time out
void rec.waitFor('validation.complete');
// @ts-expect-error a bus type, but not one this recorder records
void rec.waitFor('order.placed');
// @ts-expect-error matching has the same check
rec.matching('valdation.*');
// @ts-expect-error an invalid pattern
void rec.waitFor('validation*');
export type WaitMessage = [
  Expect<Equal<Parameters<typeof rec.waitFor<'order.placed'>>[0], "✗ no event type matches 'order.placed' among the events this recorder records">>,
];

// A misspelt recorder pattern does not compile either.
// @ts-expect-error misspelt
new EventRecorder(bus, 'valdation.*');
export type RecorderMessage = [
  Expect<Equal<
    ConstructorParameters<typeof EventRecorder<BusEvents, 'valdation.*'>>[1],
    "✗ no event type matches 'valdation.*' (misspelt? to record event types without a definition, record from the transport)" | undefined
  >>,
];

// Over the bus's subscriber: the same typing; without a pattern: every event of the bus.
const viaSubscriber = new EventRecorder(bus.subscriber, 'order.+');
const everything = new EventRecorder(bus);
export type Sources = [
  Expect<Equal<typeof viaSubscriber.events, readonly Placed[]>>,
  Expect<Equal<typeof everything.events, readonly BusEvents[]>>,
];

// Over a plain Subscribable (a transport): AnyBusEvent, and any valid literal compiles.
const raw = new EventRecorder(bus.transport, 'billing.*');
export const rawPaid = raw.waitFor('billing.paid');
export type Raw = [
  Expect<Equal<typeof raw.events, readonly AnyBusEvent[]>>,
  Expect<Equal<typeof rawPaid, Promise<BusEvent<string, unknown>>>>,
];
// @ts-expect-error validity is still checked
new EventRecorder(bus.transport, 'billing*');

// An explicit event type still casts the recording, as before.
const perf = new EventRecorder<PerformanceEvent>(bus, 'performance.*');
export const perfDone = perf.waitFor('performance.operation.complete');
export type Explicit = [
  Expect<Equal<typeof perf.events, readonly PerformanceEvent[]>>,
  Expect<Equal<typeof perfDone, Promise<Extract<PerformanceEvent, { eventType: 'performance.operation.complete' }>>>>,
];
