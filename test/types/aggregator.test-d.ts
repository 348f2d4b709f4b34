/**
 * Type-level tests of WindowAggregator: over a typed bus, `value` takes the paths to numbers and
 * `groupBy` the paths to strings, numbers and booleans of the events its pattern matches; over a
 * transport any path compiles. Compiled by `npm run typecheck`.
 */
import { createBus, defineEvent, InMemoryTransport, Type, type MetricsWindowEvent, type PerformanceEvent } from '../../src/index.js';
import { WindowAggregator, type GroupPath, type ValuePath } from '../../src/monitoring/index.js';
import type { Equal, Expect } from './assert.js';

const Order = defineEvent({
  type: ['order.placed', 'order.cancelled'],
  version: '1.0.0',
  schema: Type.Object({
    total: Type.Number(),
    region: Type.String(),
    express: Type.Boolean(),
    items: Type.Array(Type.Object({ sku: Type.String() })),
    customer: Type.Object({ tier: Type.Union([Type.Literal('gold'), Type.Literal('basic')]), age: Type.Optional(Type.Integer()) }),
    placedAt: Type.Optional(Type.String()),
  }),
});
const bus = createBus({ events: [Order] });
type OrderEvent = ReturnType<typeof Order.create<'order.placed'>>;

export type Paths = [
  Expect<Equal<ValuePath<OrderEvent>, 'data.total' | 'data.customer.age'>>,
  Expect<Equal<GroupPath<OrderEvent>, 'eventType' | 'source' | 'data.total' | 'data.region' | 'data.express' | 'data.customer.tier' | 'data.customer.age' | 'data.placedAt'>>,
  // Arrays are not entered; the built-in performance events give their numbers.
  Expect<Equal<Extract<GroupPath<OrderEvent>, `data.items${string}`>, never>>,
  Expect<Equal<Extract<ValuePath<PerformanceEvent>, 'data.durationMs' | 'data.resourceUsage.eventLoopDelayMs'>, 'data.durationMs' | 'data.resourceUsage.eventLoopDelayMs'>>,
  // Untyped data: any path.
  Expect<Equal<ValuePath<{ eventId: string; eventType: string; timestamp: Date; version: string; source: string; data: unknown }>, string>>,
];

export const byRegion = new WindowAggregator(bus, 'order.*', {
  name: 'orders',
  publisher: bus,
  value: 'data.total',
  groupBy: ['data.region', 'data.customer.tier', 'eventType'],
  windowMs: 60_000,
});
new WindowAggregator(bus, 'order.placed', {
  name: 'computed',
  publisher: bus,
  value: (e) => {
    type T = Expect<Equal<typeof e.eventType, 'order.placed'>>;
    return e.data.items.length;
  },
  windowMs: 60_000,
});
new WindowAggregator(bus, 'performance.operation.complete', { name: 'ops', publisher: bus, value: 'data.durationMs', groupBy: ['data.operation', 'data.phase'], windowMs: 10_000 });

// @ts-expect-error a string is no value to aggregate
new WindowAggregator(bus, 'order.*', { name: 'x', publisher: bus, value: 'data.region', windowMs: 1_000 });
// @ts-expect-error no such field
new WindowAggregator(bus, 'order.*', { name: 'x', publisher: bus, groupBy: ['data.regoin'], windowMs: 1_000 });
// @ts-expect-error a field of other events than the pattern's
new WindowAggregator(bus, 'order.*', { name: 'x', publisher: bus, value: 'data.durationMs', windowMs: 1_000 });
// @ts-expect-error a misspelt pattern
new WindowAggregator(bus, 'ordr.*', { name: 'x', publisher: bus, windowMs: 1_000 });
// @ts-expect-error the publisher must accept window events
new WindowAggregator(bus, 'order.*', { name: 'x', publisher: { enabled: true, publish: (_e: OrderEvent) => Promise.resolve({ status: 'accepted' as const }) }, windowMs: 1_000 });

// Over a transport: events are untyped, so any path compiles.
const transport = new InMemoryTransport();
new WindowAggregator(transport, 'billing.*', { name: 'billing', publisher: bus, value: 'data.amount', groupBy: ['data.currency'], windowMs: 1_000 });

// The published event is typed.
bus.subscribe('metrics.window.closed', (w) => {
  type T = Expect<Equal<typeof w, MetricsWindowEvent>>;
  const p99: number | undefined = w.data.quantiles?.['p99'];
  const group: Readonly<Record<string, string>> = w.data.group;
  void [p99, group];
});
