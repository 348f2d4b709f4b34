import { describe, expect, it } from 'vitest';
import {
  createBus,
  defineEvent,
  EventRegistry,
  EventSecurity,
  InMemoryTransport,
  JsonCodec,
  Type,
  type AnyBusEvent,
  type SigningKey,
  type TransportContext,
} from '../../../src/index.js';

const Paid = defineEvent({ type: 'billing.paid', version: '1.0.0', schema: Type.Object({ amount: Type.Number() }) });
const KEY: SigningKey = { id: 'k-bus', secret: new Uint8Array(32).fill(7) };

/** An InMemory transport that keeps the context the bus binds it with: what a custom transport sees. */
class Binding extends InMemoryTransport {
  context: TransportContext | undefined;
  override bind(context: TransportContext): void {
    this.context = context;
    super.bind(context);
  }
}

describe('createBus binds its transport', () => {
  // A custom transport reads this context; an option not given is absent, not present as undefined.
  it('with the registry, an observer and untyped false, and no security key, by default', () => {
    const transport = new Binding();
    const bus = createBus({ events: [Paid], transport });
    expect(Object.keys(transport.context!).sort()).toEqual(['observer', 'registry', 'untyped']);
    expect(transport.context!.registry).toBe(bus.registry);
    expect(transport.context!.untyped).toBe(false);
  });

  it('with untyped true and the security given', () => {
    const transport = new Binding();
    const security = new EventSecurity({ signingKey: KEY, verificationKeys: [KEY] });
    createBus({ events: [Paid], transport, untyped: true, security });
    expect(transport.context!.untyped).toBe(true);
    expect(transport.context!.security).toBe(security);
  });
});

describe('an untyped bus that signs', () => {
  // InMemory signs and verifies each event through a codec: only an untyped codec carries a type
  // the bus has no definition for, so the transport must be told the bus is untyped.
  it('delivers an untyped event of an unknown type through the signed round trip', async () => {
    const wire = JSON.stringify({ specversion: '1.0', id: 'x-1', source: '/orders', type: 'order.placed', time: '2026-01-01T00:00:00.000Z', data: { id: 'o-1' } });
    const decoded = new JsonCodec(new EventRegistry([]), { untyped: true }).decode(wire);
    if (!decoded.ok) throw decoded.error;
    const errors: string[] = [];
    const security = new EventSecurity({ signingKey: KEY, verificationKeys: [KEY], requireSigned: true });
    const bus = createBus({ events: [Paid], untyped: true, security, onError: (e) => void errors.push(e.code) });
    const got: AnyBusEvent[] = [];
    bus.subscribeUntyped('order.*', (e) => void got.push(e));
    const receipt = await bus.publish(decoded.event as never);
    await bus.drain();
    expect(receipt.status).toBe('accepted');
    expect(errors).toEqual([]);
    expect(got.map((e) => [e.eventType, e.source, e.data])).toEqual([['order.placed', '/orders', { id: 'o-1' }]]);
  });
});
