import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, defineEvent, EventRegistry, isUntyped, JsonCodec, Type } from '../../../src/index.js';
import { builtInSamples } from '../../conformance/samples.js';

const codec = new JsonCodec(new EventRegistry(BUILT_IN_EVENTS));
const Shipped = defineEvent({ type: 'order.shipped', version: '1.2.0', schema: Type.Object({ orderId: Type.String(), note: Type.Optional(Type.String()) }) });

describe('events serialize themselves (spec IEvent.to_json / from_json)', () => {
  it('JSON.stringify(event) is exactly what the codec writes, for every built-in event', () => {
    for (const event of builtInSamples()) expect(JSON.stringify(event)).toBe(codec.encode(event));
  });

  it('Definition.fromJSON reads it back typed, validated and frozen', () => {
    const event = Shipped.create({ orderId: 'o-1', note: 'fragile — 壊れ物' }, { trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    const back = Shipped.fromJSON(JSON.stringify(event));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.event).toEqual(event);
    expect(back.event.data.orderId).toBe('o-1'); // typed: no cast
    expect(Object.isFrozen(back.event.data)).toBe(true);
    expect(JSON.stringify(back.event)).toBe(JSON.stringify(event));
  });

  it('fromJSON never throws: bad text, another type or bad data are typed decode errors', () => {
    const other = builtInSamples().find((e) => e.eventType === 'validation.started')!;
    for (const [text, reason] of [
      ['{', 'malformed-json'],
      [JSON.stringify(other), 'unknown-type'],
      [JSON.stringify({ ...(JSON.parse(JSON.stringify(Shipped.create({ orderId: 'o' }))) as object), data: { orderId: 1 } }), 'schema-violation'],
      ['['.repeat(100_000), 'too-deep'],
    ] as const) {
      const r = Shipped.fromJSON(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.reason).toBe(reason);
    }
    fc.assert(fc.property(fc.string(), (text) => void Shipped.fromJSON(text)), { numRuns: 300 });
  });
});

describe('create checks the envelope it is given', () => {
  it('refuses a non-UUID id, an invalid or out-of-range timestamp, an empty source and a bad traceparent', () => {
    const data = { orderId: 'o' };
    for (const meta of [
      { eventId: 'id-1' },
      { timestamp: new Date(Number.NaN) },
      { timestamp: new Date('+010000-01-01T00:00:00Z') },
      { source: '' },
      { trace: { traceparent: 'nope' } },
    ]) {
      expect(() => Shipped.create(data, meta), JSON.stringify(meta)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
    }
    expect(() => Shipped.create(data, { eventId: '6f1c3c4e-9a57-4d3e-8b9a-0c1d2e3f4a5b', timestamp: new Date('0001-01-01T00:00:00Z') })).not.toThrow();
  });

  it('refuses data the wire cannot carry unchanged, without overflowing the stack', () => {
    const Loose = defineEvent({ type: 'loose.thing', version: '1.0.0', schema: Type.Object({ any: Type.Unknown() }) });
    const cyclic: Record<string, unknown> = {};
    cyclic['me'] = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    for (const any of [cyclic, deep, () => 1, 10n, Number.NaN, new Map(), new Date(), [undefined], Symbol('s')]) {
      expect(() => Loose.create({ any }), String(typeof any)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
    }
    expect(Loose.create({ any: { a: [1, 'x', null, true, { b: undefined }] } }).data.any).toEqual({ a: [1, 'x', null, true, {}] });
  });
});

describe('JsonCodec.decode never throws', () => {
  it('returns a result for any value and any text', () => {
    const anyCodec = codec as unknown as { decode(raw: unknown): { ok: boolean } };
    fc.assert(fc.property(fc.anything({ withBigInt: true, withTypedArray: true, withMap: true }), (raw) => void anyCodec.decode(raw)), { numRuns: 500 });
    fc.assert(fc.property(fc.json(), (text) => {
      expect(typeof codec.decode(text).ok).toBe('boolean');
    }), { numRuns: 500 });
    const good = builtInSamples().find((e) => e.eventType === 'performance.metric.recorded')!;
    const wire = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('data', 'time', 'id', 'type', 'source', 'schemaversion', 'traceparent', 'producerseq'), (value, key) => {
        expect(typeof codec.decode(JSON.stringify({ ...wire, [key]: value })).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('decodes a CloudEvent of an unknown type as untyped only when asked to', () => {
    const text = JSON.stringify(Shipped.create({ orderId: 'o-9' }));
    const strict = codec.decode(text);
    expect(strict.ok).toBe(false);
    const lenient = new JsonCodec(new EventRegistry(BUILT_IN_EVENTS), { untyped: true }).decode(text);
    expect(lenient.ok).toBe(true);
    if (!lenient.ok) return;
    expect(isUntyped(lenient.event)).toBe(true);
    expect(lenient.event.data).toEqual({ orderId: 'o-9' });
    expect(Object.isFrozen(lenient.event.data)).toBe(true);
    expect(JSON.stringify(lenient.event)).toBe(text);
    expect(isUntyped(Shipped.create({ orderId: 'o' }))).toBe(false);
  });
});
