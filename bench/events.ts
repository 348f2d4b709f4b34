/**
 * The events every benchmark publishes: one order-like payload whose CloudEvents JSON is about
 * 380 bytes, under several types.
 */
import { defineEvent, Type, type BusEvent } from 'dotbus';

/** The payload schema: a small order, typical of what services publish. */
export const OrderSchema = Type.Object({
  orderId: Type.String(),
  customerId: Type.String(),
  total: Type.Number({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  items: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer({ minimum: 1 }), price: Type.Number() })),
});

/** The single-type event of the in-memory and codec cases. */
export const BenchOrder = defineEvent({ name: 'BenchOrder', type: 'bench.order.placed', version: '1.0.0', schema: OrderSchema });

/** The data of the `n`-th bench event. */
export function orderData(n: number): {
  orderId: string; customerId: string; total: number; currency: string;
  items: { sku: string; qty: number; price: number }[];
} {
  return {
    orderId: `o-${String(n).padStart(8, '0')}`,
    customerId: `c-${String(n % 9973).padStart(6, '0')}`,
    total: 129.9 + (n % 100),
    currency: 'EUR',
    items: [
      { sku: 'SKU-1001', qty: 1 + (n % 3), price: 49.95 },
      { sku: 'SKU-2002', qty: 1, price: 30 },
    ],
  };
}

/** `count` distinct events built beforehand, so building is not what a case measures. */
export function buildOrders(count: number): BusEvent<'bench.order.placed', ReturnType<typeof orderData>>[] {
  const out: BusEvent<'bench.order.placed', ReturnType<typeof orderData>>[] = [];
  for (let i = 0; i < count; i++) out.push(BenchOrder.create(orderData(i), { source: '/bench' }));
  return out;
}

/** A family definition over runtime-generated types (wildcard and fan-out cases). */
export function familyOf(types: readonly string[]) {
  return defineEvent({ name: 'BenchFamily', type: types as readonly [string, ...string[]], version: '1.0.0', schema: OrderSchema });
}

/** The latency probe: the order payload plus the send time on the machine-wide monotonic clock. */
export const BenchPing = defineEvent({
  name: 'BenchPing',
  type: 'bench.ping',
  version: '1.0.0',
  schema: Type.Composite([OrderSchema, Type.Object({ sentUs: Type.Number() })]),
});
