import { describe, expect, it } from 'vitest';
import { defineEvent, Type } from '../../../src/index.js';
import { rowOf } from '../../../src/serve/event-row.js';

const Paid = defineEvent({
  type: 'payment.captured',
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String(), card: Type.Object({ number: Type.String(), brand: Type.String() }) }),
  sensitive: ['/card/number'],
});
const Placed = defineEvent({ type: 'order.placed', version: '1.0.0', schema: Type.Object({ orderId: Type.String() }) });

describe('rowOf: what the live tail sends to a browser', () => {
  it('masks the fields the definition marks sensitive, and only those', () => {
    const event = Paid.create({ orderId: 'o-1', card: { number: '4111111111111111', brand: 'visa' } });
    const row = rowOf(event);
    expect(row.data).toEqual({ orderId: 'o-1', card: { number: '***', brand: 'visa' } });
    expect(JSON.stringify(row)).not.toContain('4111111111111111');
    // The event itself, which handlers get, keeps its value.
    expect(event.data.card.number).toBe('4111111111111111');
  });

  it('sends data of a definition without sensitive fields as it is', () => {
    const event = Placed.create({ orderId: 'o-2' });
    expect(rowOf(event).data).toBe(event.data);
  });
});
