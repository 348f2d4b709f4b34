/**
 * Type-level tests of tracing: the handler's second argument, and `otelTracing()` as the bus's
 * `tracing`. Compiled by `npm run typecheck`.
 */
import { createBus, defineEvent, Type, type BusTracing, type Delivery, type EventHandler, type FailureOutcome } from '../../src/index.js';
import { otelTracing, type ConsumerParent } from '../../src/otel/index.js';
import type { Equal, Expect } from './assert.js';

const OrderPlaced = defineEvent({ type: 'order.placed', version: '1.0.0', schema: Type.Object({ orderId: Type.String() }) });

// dotbus/otel's implementation is the core hook: nothing else is needed to trace a bus.
const bus = createBus({ events: [OrderPlaced], tracing: otelTracing({ consumerParent: 'link' }) });
const tracing: BusTracing = otelTracing();

// Handlers may take the delivery, typed, or ignore it.
bus.subscribe('order.placed', (e, delivery) => {
  type Cases = [
    Expect<Equal<typeof e.data.orderId, string>>,
    Expect<Equal<typeof delivery, Delivery>>,
    Expect<Equal<typeof delivery.attempt, number>>,
    Expect<Equal<typeof delivery.onFailure, FailureOutcome>>,
  ];
});
bus.subscribe('order.placed', (e) => void e.eventId);
const oneArgument: EventHandler = (event) => void event;

export type Cases = [
  Expect<Equal<FailureOutcome, 'none' | 'retry' | 'dead-letter'>>,
  Expect<Equal<ConsumerParent, 'parent' | 'link'>>,
];

// @ts-expect-error: an unknown consumerParent does not compile
otelTracing({ consumerParent: 'child' });
void tracing;
void oneArgument;
