import { describe, expect, it } from 'vitest';
import { defineEvent, PerformanceEvent, Type, ValidationEvent } from '../../../src/index.js';
import { FrozenDate } from '../../../src/internal.js';

const OrderPlaced = defineEvent({
  type: 'order.placed',
  version: '1.2.0',
  schema: Type.Object({
    orderId: Type.String({ minLength: 1 }),
    total: Type.Number({ minimum: 0 }),
    lines: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer({ minimum: 1 }) })),
  }),
});

describe('defineEvent', () => {
  it('creates a complete, deeply frozen event', () => {
    const e = OrderPlaced.create({ orderId: 'o-1', total: 9.5, lines: [{ sku: 'A', qty: 2 }] }, { source: '/shop' });
    expect(e.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.eventType).toBe('order.placed');
    expect(e.version).toBe('1.2.0');
    expect(e.source).toBe('/shop');
    expect(e.timestamp).toBeInstanceOf(Date);
    expect(Math.abs(e.timestamp.getTime() - Date.now())).toBeLessThan(5_000);
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.data.lines[0])).toBe(true);
    expect(() => {
      (e.data.lines as unknown as { sku: string }[]).push({ sku: 'B' });
    }).toThrow(TypeError);
    expect(() => e.timestamp.setFullYear(2000)).toThrow(/immutable/);
    expect(() => (e.timestamp as Date).setTime(0)).toThrow(TypeError);
  });

  it('freezes nested objects inside a caller-frozen object too', () => {
    const Nested = defineEvent({ type: 'nested', version: '1.0.0', schema: Type.Object({ inner: Type.Object({ n: Type.Number() }) }) });
    const e = Nested.create(Object.freeze({ inner: { n: 1 } }));
    expect(Object.isFrozen(e.data.inner)).toBe(true);
  });

  it('fills defaults and keeps given metadata', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const e = OrderPlaced.create({ orderId: 'o', total: 0, lines: [] }, { eventId: '6f1c3c4e-9a57-4d3e-8b9a-0c1d2e3f4a5b', timestamp: at });
    expect(e.eventId).toBe('6f1c3c4e-9a57-4d3e-8b9a-0c1d2e3f4a5b');
    expect(e.timestamp.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(e.timestamp).toBeInstanceOf(FrozenDate);
    expect(e.source).toBe('/dotbus');
    expect(e.trace).toBeUndefined();
  });

  it('rejects invalid data with a typed error naming the field and what was expected', () => {
    try {
      OrderPlaced.create({ orderId: 'o', total: 1, lines: [{ sku: 'A', qty: 0 }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_EVENT', eventType: 'order.placed' });
      const err = e as { issues: { path: string; message: string }[]; message: string };
      expect(err.issues[0]?.path).toBe('/lines/0/qty');
      expect(err.message).toContain('/lines/0/qty');
      expect(err.message).toMatch(/greater or equal to 1/);
    }
    expect(() => OrderPlaced.create({ orderId: 'o' } as never)).toThrow(/\/total/);
  });

  it('creates family members by type and refuses foreign types', () => {
    const e = ValidationEvent.create('validation.completed', { contextId: 'c', subject: 'order', status: 'passed', errors: [] });
    expect(e.eventType).toBe('validation.completed');
    expect(ValidationEvent.is(e)).toBe(true);
    expect(PerformanceEvent.is(e)).toBe(false);
    expect(() => ValidationEvent.createOf('validation.nope', {})).toThrow(/not one of ValidationEvent's types/);
  });

  it('refuses malformed types and versions at definition time', () => {
    const schema = Type.Object({});
    expect(() => defineEvent({ type: 'bad..type', version: '1.0.0', schema })).toThrow(/empty segment/);
    expect(() => defineEvent({ type: 'a.*', version: '1.0.0', schema })).toThrow(/wildcard/);
    expect(() => defineEvent({ type: 'a.b', version: '1.0', schema })).toThrow(/semantic version/);
    expect(() => defineEvent({ type: 'x'.repeat(256), version: '1.0.0', schema })).toThrow(/255/);
  });

  it('exposes its schema as JSON Schema for other languages', () => {
    const json = JSON.parse(JSON.stringify(OrderPlaced.schema)) as { type: string; required: string[] };
    expect(json.type).toBe('object');
    expect(json.required).toEqual(['orderId', 'total', 'lines']);
  });
});
