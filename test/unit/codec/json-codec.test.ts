import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, defineEvent, EventRegistry, JsonCodec, Type, type AnyEventDefinition } from '../../../src/index.js';
import { builtInSamples } from '../../conformance/samples.js';

const Measured = defineEvent({
  type: 'lab.measured',
  version: '2.1.0',
  schema: Type.Object({ value: Type.Number(), label: Type.String(), unit: Type.String() }),
  upcasters: {
    // 1.x had `v` and no unit.
    1: (old) => {
      const o = old as { v?: unknown; label?: unknown };
      return { value: o.v, label: o.label, unit: 'm' };
    },
  },
});
const registry = new EventRegistry([...BUILT_IN_EVENTS, Measured] as AnyEventDefinition[]);
const codec = new JsonCodec(registry, { maxMessageBytes: 64 * 1024 });

function wire(overrides: Record<string, unknown> = {}, data: unknown = { value: 1, label: 'a', unit: 'm' }): string {
  return JSON.stringify({
    specversion: '1.0',
    id: 'e-1',
    source: '/lab',
    type: 'lab.measured',
    time: '2026-11-26T10:00:00.123Z',
    datacontenttype: 'application/json',
    schemaversion: '2.1.0',
    data,
    ...overrides,
  });
}

describe('JsonCodec round trip', () => {
  it('is lossless for every built-in event (ids, ms timestamps, numbers, unicode, trace)', () => {
    for (const event of builtInSamples()) {
      const decoded = codec.decode(codec.encode(event));
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) continue;
      expect(decoded.event).toEqual(event);
      expect(decoded.event.timestamp.getTime()).toBe(event.timestamp.getTime());
      expect(Object.isFrozen(decoded.event.data)).toBe(true);
    }
  });

  it('keeps arbitrary numbers and strings exactly', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'grapheme' }), fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }), (value, label, at) => {
        const e = Measured.create({ value: Object.is(value, -0) ? 0 : value, label, unit: '°C' }, { timestamp: at });
        const d = codec.decode(codec.encode(e));
        expect(d.ok && d.event).toEqual(e);
      }),
    );
  });

  it('writes the CloudEvents envelope with our extensions and producer stamp', () => {
    const e = Measured.create({ value: 2, label: 'x', unit: 'm' }, { trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    const msg = JSON.parse(codec.encode(e, { producerId: 'p-1', sequence: 2 ** 40 })) as Record<string, unknown>;
    expect(msg).toMatchObject({ specversion: '1.0', id: e.eventId, type: 'lab.measured', source: '/dotbus', datacontenttype: 'application/json', schemaversion: '2.1.0', producerid: 'p-1', producerseq: String(2 ** 40) });
    expect(msg['time']).toBe(e.timestamp.toISOString());
    const d = codec.decode(JSON.stringify(msg));
    expect(d.ok && d.stamp).toEqual({ producerId: 'p-1', sequence: 2 ** 40 });
  });

  it('refuses to encode unregistered types and invalid data', () => {
    const Other = defineEvent({ type: 'other', version: '1.0.0', schema: Type.Object({}) });
    expect(() => codec.encode(Other.create({}))).toThrow(/no definition is registered/);
    const forged = { ...Measured.create({ value: 1, label: '', unit: '' }), data: { value: 'NaN' } };
    expect(() => codec.encode(forged)).toThrow(/invalid data for lab.measured at \/(label|value|unit)/);
  });
});

describe('JsonCodec encode', () => {
  it('writes exactly the envelope toWire describes, with and without trace and stamp', () => {
    const trace = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=1' };
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.boolean(), fc.option(fc.nat()), (label, source, traced, seq) => {
        const e = Measured.create({ value: 1.5, label, unit: '"\\' }, { source, ...(traced ? { trace } : {}) });
        const stamp = seq === null ? undefined : { producerId: `p"${label}`, sequence: seq + 1 };
        expect(JSON.parse(codec.encode(e, stamp))).toEqual(JSON.parse(JSON.stringify(codec.toWire(e, stamp))));
      }),
    );
  });
});

describe('JsonCodec versions', () => {
  it('reads any minor/patch of the known major and tolerates unknown fields of a newer minor', () => {
    const d = codec.decode(wire({ schemaversion: '2.9.3' }, { value: 1, label: 'a', unit: 'm', addedIn29: true }));
    expect(d.ok).toBe(true);
    expect(d.ok && d.event.version).toBe('2.9.3');
  });

  it('upcasts an older major through its upcaster, and the result is of the current version', () => {
    const d = codec.decode(wire({ schemaversion: '1.4.0' }, { v: 7, label: 'old' }));
    expect(d.ok && d.event.data).toEqual({ value: 7, label: 'old', unit: 'm' });
    expect(d.ok && d.event.version).toBe('2.1.0');
    // Re-encoded (a relay, tail --format json) it decodes again without a second upcast.
    const again = d.ok ? codec.decode(codec.encode(d.event)) : d;
    expect(again.ok && again.event.data).toEqual({ value: 7, label: 'old', unit: 'm' });
  });

  it('rejects a newer major and an older one without upcaster', () => {
    const newer = codec.decode(wire({ schemaversion: '3.0.0' }));
    expect(!newer.ok && newer.error.reason).toBe('unsupported-version');
    const r = new JsonCodec(new EventRegistry([defineEvent({ type: 'lab.measured', version: '3.0.0', schema: Type.Object({}) })]));
    const older = r.decode(wire({ schemaversion: '2.0.0' }));
    expect(!older.ok && older.error.message).toMatch(/no upcaster from major 2/);
  });
});

describe('JsonCodec hostile input', () => {
  const cases: [string, string | Uint8Array, string][] = [
    ['not JSON', '{"specversion":', 'malformed-json'],
    ['empty', '', 'malformed-json'],
    ['a JSON array', '[1,2]', 'not-a-cloudevent'],
    ['null', 'null', 'not-a-cloudevent'],
    ['wrong specversion', wire({ specversion: '0.3' }), 'not-a-cloudevent'],
    ['missing id', wire({ id: undefined }), 'not-a-cloudevent'],
    ['bad time', wire({ time: 'yesterday' }), 'not-a-cloudevent'],
    ['time without offset', wire({ time: '2026-11-26T10:00:00' }), 'not-a-cloudevent'],
    ['sequence beyond 2^53', wire({ producerid: 'p', producerseq: '9999999999999999' }), 'not-a-cloudevent'],
    ['bad traceparent', wire({ traceparent: 'nope' }), 'not-a-cloudevent'],
    ['bad sequence', wire({ producerid: 'p', producerseq: '-1' }), 'not-a-cloudevent'],
    ['unknown type', wire({ type: 'lab.unknown' }), 'unknown-type'],
    ['schema violation', wire({}, { value: 'high', label: 'a', unit: 'm' }), 'schema-violation'],
    ['oversize', wire({}, { value: 1, label: 'x'.repeat(70_000), unit: 'm' }), 'oversize'],
    ['oversize bytes', Buffer.from(wire({}, { value: 1, label: 'é'.repeat(40_000), unit: 'm' })), 'oversize'],
    ['__proto__ key', wire({}, JSON.parse('{"value":1,"label":"a","unit":"m","__proto__":{"polluted":true}}')), 'forbidden-key'],
    ['__proto__ raw', '{"__proto__":{"polluted":true},"specversion":"1.0"}', 'forbidden-key'],
    ['escaped __proto__', '{"\\u005f_proto__":{"polluted":true}}', 'forbidden-key'],
    ['constructor key', wire({}, { value: 1, label: 'a', unit: 'm', nested: { constructor: { prototype: { polluted: true } } } }), 'forbidden-key'],
    ['prototype key', wire({ prototype: 1 }), 'forbidden-key'],
  ];

  for (const [name, raw, reason] of cases) {
    it(`${name} → DecodeError(${reason})`, () => {
      const d = codec.decode(raw);
      expect(d.ok).toBe(false);
      if (d.ok) return;
      expect(d.error.code).toBe('DECODE_FAILED');
      expect(d.error.reason).toBe(reason);
      expect(d.error.message.length).toBeGreaterThan(10);
    });
  }

  it('names the field of a schema violation', () => {
    const d = codec.decode(wire({}, { value: 'high', label: 'a', unit: 'm' }));
    expect(!d.ok && d.error.issues[0]?.path).toBe('/value');
  });

  it('accepts "constructor" as a value, and never pollutes prototypes', () => {
    const d = codec.decode(wire({}, { value: 1, label: 'constructor', unit: 'prototype' }));
    expect(d.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => wire({}, v)), fc.object().map((o) => wire(o as Record<string, unknown>))), (raw) => {
        const d = codec.decode(raw);
        expect(typeof d.ok).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
