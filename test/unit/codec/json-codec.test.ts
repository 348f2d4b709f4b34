import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, defineEvent, EventRegistry, JsonCodec, Type, type AnyEventDefinition } from '../../../src/index.js';
import { MAX_PRODUCER_ID_LENGTH } from '../../../src/internal.js';
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
      fc.property(fc.string(), fc.string({ minLength: 1 }).filter(isCloudEventsText), fc.boolean(), fc.option(fc.nat()), (label, source, traced, seq) => {
        const e = Measured.create({ value: 1.5, label, unit: '"\\' }, { source, ...(traced ? { trace } : {}) });
        const stamp = seq === null ? undefined : { producerId: `p"${label.replace(/[^\x20-\x7e]/g, '?')}`.slice(0, MAX_PRODUCER_ID_LENGTH), sequence: seq + 1 };
        expect(JSON.parse(codec.encode(e, stamp))).toEqual(JSON.parse(JSON.stringify(codec.toWire(e, stamp))));
      }),
    );
  });
});

describe('JsonCodec encode: what it keeps from one event to the next', () => {
  it('writes each event of a mixed run (sources, producers, types and versions that repeat and alternate) as toWire describes it', () => {
    const untyped = new JsonCodec(registry, { untyped: true });
    const decodedAs = (type: string, version: string) => {
      const result = untyped.decode(JSON.stringify({ specversion: '1.0', id: 'u-1', source: '/u', type, time: '2026-01-01T00:00:00.000Z', schemaversion: version, data: { n: 1 } }));
      if (!result.ok) throw result.error;
      return result.event;
    };
    const pool = [
      Measured.create({ value: 1, label: 'a', unit: 'm' }, { source: '/a' }),
      Measured.create({ value: 2, label: 'b', unit: 'm' }, { source: '/b"q' }),
      decodedAs('billing.charged', '1.0.0'),
      decodedAs('billing.charged', '2.0.0'),
      decodedAs('billing.refunded', '1.0.0'),
    ];
    const step = fc.tuple(fc.nat({ max: pool.length - 1 }), fc.option(fc.constantFrom('p-1', 'p-2', 'p"3'), { nil: undefined }), fc.nat());
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const fresh = new JsonCodec(registry, { untyped: true });
        for (const [i, producerId, seq] of steps) {
          const stamp = producerId === undefined ? undefined : { producerId, sequence: seq + 1 };
          expect(JSON.parse(fresh.encode(pool[i]!, stamp))).toEqual(JSON.parse(JSON.stringify(fresh.toWire(pool[i]!, stamp))));
        }
      }),
    );
  });
});

/** Text a CloudEvents String attribute may hold: no C0, DEL or C1 controls, no bidi formatting characters. */
function isCloudEventsText(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return !/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text);
}

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
    ...['0', '01', '+1', '1e3', ' 1', '1.0', '', '1000000000000000'].map((seq): [string, string, string] => [`sequence ${JSON.stringify(seq)}`, wire({ producerid: 'p', producerseq: seq }), 'not-a-cloudevent']),
    ['unknown type', wire({ type: 'lab.unknown' }), 'unknown-type'],
    ['schema violation', wire({}, { value: 'high', label: 'a', unit: 'm' }), 'schema-violation'],
    ['oversize', wire({}, { value: 1, label: 'x'.repeat(70_000), unit: 'm' }), 'oversize'],
    ['oversize bytes', Buffer.from(wire({}, { value: 1, label: 'é'.repeat(40_000), unit: 'm' })), 'oversize'],
    ['__proto__ key', wire({}, JSON.parse('{"value":1,"label":"a","unit":"m","__proto__":{"polluted":true}}')), 'forbidden-key'],
    ['__proto__ raw', '{"__proto__":{"polluted":true},"specversion":"1.0"}', 'forbidden-key'],
    ['escaped __proto__', '{"\\u005f_proto__":{"polluted":true}}', 'forbidden-key'],
    ['constructor key', wire({}, { value: 1, label: 'a', unit: 'm', nested: { constructor: { prototype: { polluted: true } } } }), 'forbidden-key'],
    ['prototype key', wire({ prototype: 1 }), 'forbidden-key'],
    // Times that name no instant, or one RFC 3339 can't write.
    ['30 February', wire({ time: '2024-02-30T12:00:00Z' }), 'not-a-cloudevent'],
    ['hour 24', wire({ time: '2026-11-26T24:00:00Z' }), 'not-a-cloudevent'],
    ['past year 9999 in UTC', wire({ time: '9999-12-31T23:59:59-23:59' }), 'not-a-cloudevent'],
    ['leap second', wire({ time: '2016-12-31T23:59:60Z' }), 'not-a-cloudevent'],
    // Producer ids: the same limit as heartbeats.
    ['producerid over the limit', wire({ producerid: 'p'.repeat(MAX_PRODUCER_ID_LENGTH + 1), producerseq: '1' }), 'not-a-cloudevent'],
    ['empty producerid', wire({ producerid: '', producerseq: '1' }), 'not-a-cloudevent'],
    ['producerid that is no string', wire({ producerid: 7, producerseq: '1' }), 'not-a-cloudevent'],
    ['producerid with a newline', wire({ producerid: 'p\nq', producerseq: '1' }), 'not-a-cloudevent'],
    ['producerid with a lone surrogate', wire({ producerid: 'p\ud800', producerseq: '1' }), 'not-a-cloudevent'],
    // CloudEvents Strings hold no control characters (C0, DEL, C1); bidi formatting characters make text read as what it isn't.
    ['id with NUL', wire({ id: 'e\u0000' }), 'not-a-cloudevent'],
    ['id with an ANSI escape', wire({ id: '\u001b[31mred' }), 'not-a-cloudevent'],
    ['source with C1 NEL', wire({ source: '/lab\u0085x' }), 'not-a-cloudevent'],
    ['source with DEL', wire({ source: '/lab\u007f' }), 'not-a-cloudevent'],
    ['id with RIGHT-TO-LEFT OVERRIDE', wire({ id: 'e-\u202e1-\u202c' }), 'not-a-cloudevent'],
    ['source with FIRST STRONG ISOLATE', wire({ source: '/\u2068lab' }), 'not-a-cloudevent'],
    ['id with a noncharacter', wire({ id: 'e\uffff' }), 'not-a-cloudevent'],
    // W3C tracestate: printable ASCII, at most 512 characters.
    ['huge tracestate', wire({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: `a=${'x'.repeat(60_000)}` }), 'not-a-cloudevent'],
    ['tracestate with a newline', wire({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=1\nb=2' }), 'not-a-cloudevent'],
    // Attribute names are lower-case letters and digits (CloudEvents 1.0); a misspelt one is not ignored.
    ['misspelt type', wire({ type: undefined, Type: 'lab.measured' }), 'not-a-cloudevent'],
    ['camel-case extension', wire({ producerId: 'p', producerseq: undefined }), 'not-a-cloudevent'],
    ['spec version in camel case', wire({ specVersion: '1.0' }), 'not-a-cloudevent'],
    ['data_base64', wire({ data_base64: 'AAEC' }), 'not-a-cloudevent'],
    // Odd numbers.
    ['specversion as a number', wire({ specversion: 1.0 }), 'not-a-cloudevent'],
    ['producerseq as -0', `${wire({ producerid: 'p' }).slice(0, -1)},"producerseq":-0}`, 'not-a-cloudevent'],
    ['value 1e400 (Infinity)', wire().replace('"value":1', '"value":1e400'), 'schema-violation'],
    // Bytes that are not UTF-8 would decode as U+FFFD: a changed message, delivered as if intact.
    ['invalid UTF-8 in data', Buffer.concat([Buffer.from(wire({}, { value: 1, label: 'a', unit: 'X' }).replace('"X"', '"')), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]), 'malformed-json'],
    ['overlong UTF-8', Buffer.concat([Buffer.from(wire({}, { value: 1, label: 'a', unit: 'X' }).replace('"X"', '"')), Buffer.from([0xc0, 0xaf]), Buffer.from('"}}')]), 'malformed-json'],
    ['UTF-8 surrogate', Buffer.concat([Buffer.from(wire({}, { value: 1, label: 'a', unit: 'X' }).replace('"X"', '"')), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]), 'malformed-json'],
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

  it('accepts a producer id of exactly the limit, and any text in data', () => {
    const d = codec.decode(wire({ producerid: 'p'.repeat(MAX_PRODUCER_ID_LENGTH), producerseq: '1' }, { value: 1, label: 'a\u0000\u001b[2J\u202e\u0085', unit: '\n' }));
    expect(d.ok && d.stamp?.producerId.length).toBe(MAX_PRODUCER_ID_LENGTH);
    expect(d.ok && d.event.data).toEqual({ value: 1, label: 'a\u0000\u001b[2J\u202e\u0085', unit: '\n' });
    const bytes = codec.decode(Buffer.from(wire({}, { value: 1, label: 'é😀\u202e', unit: 'm' })));
    expect(bytes.ok && bytes.event.data).toEqual({ value: 1, label: 'é😀\u202e', unit: 'm' });
  });

  it('reads sequence numbers of 1 to 15 digits', () => {
    for (const [seq, n] of [['1', 1], ['10', 10], ['999999999999999', 999_999_999_999_999]] as const) {
      const d = codec.decode(wire({ producerid: 'p', producerseq: seq }));
      expect(d.ok && d.stamp).toEqual({ producerId: 'p', sequence: n });
    }
  });

  it('refuses a 1 MiB producer id within the default message size', () => {
    const d = new JsonCodec(registry).decode(wire({ producerid: 'p'.repeat(1024 * 1024), producerseq: '1' }));
    expect(!d.ok && d.error.reason).toBe('not-a-cloudevent');
    expect(!d.ok && d.error.message).toMatch(/producerid/);
  });

  it('checks member names without being fooled by an enumerable property on Object.prototype', () => {
    Object.defineProperty(Object.prototype, 'SomeLibraryAdded', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      expect(codec.decode(wire()).ok).toBe(true);
    } finally {
      delete (Object.prototype as Record<string, unknown>)['SomeLibraryAdded'];
    }
  });

  it('accepts an offset time and extension attributes it does not know', () => {
    const d = codec.decode(wire({ time: '2024-02-29T23:59:59.5-05:30', partitionkey: 'k1', dataschema: 'https://x/y' }));
    expect(d.ok && d.event.timestamp.getTime()).toBe(Date.UTC(2024, 2, 1, 5, 29, 59, 500));
  });

  it('refuses to encode what no consumer would decode: control characters in source, an invalid tracestate or producer id', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    for (const source of ['/a\nb', '/\u202eevil', '/a\u0085']) {
      expect(() => codec.encode(Measured.create({ value: 1, label: '', unit: '' }, { source }))).toThrow(/source/);
    }
    expect(() => codec.encode(Measured.create({ value: 1, label: '', unit: '' }, { trace: { traceparent, tracestate: 'x'.repeat(513) } }))).toThrow(/tracestate/);
    for (const producerId of ['p'.repeat(MAX_PRODUCER_ID_LENGTH + 1), 'p\u202e', '']) {
      expect(() => codec.encode(Measured.create({ value: 1, label: '', unit: '' }), { producerId, sequence: 1 })).toThrow(/producerId/);
    }
    const ok = Measured.create({ value: 1, label: '', unit: '' }, { source: '/ok', trace: { traceparent, tracestate: 'a=1,b=2' } });
    expect(codec.decode(codec.encode(ok)).ok).toBe(true);
  });

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

describe('JsonCodec: untyped events', () => {
  const foreign = (extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ specversion: '1.0', id: 'f-1', source: '/other', type: 'billing.charged', time: '2025-01-01T00:00:00.000Z', ...extra, data: { amount: 3 } });
  const untyped = new JsonCodec(registry, { untyped: true });

  it('an untyped codec writes a decoded untyped event back as it came, a typed one refuses it', () => {
    for (const extra of [{}, { schemaversion: '3.1.0' }]) {
      const decoded = untyped.decode(foreign(extra));
      if (!decoded.ok) throw decoded.error;
      const again = untyped.decode(untyped.encode(decoded.event));
      if (!again.ok) throw again.error;
      expect(again.event).toMatchObject({ eventId: 'f-1', eventType: 'billing.charged', version: decoded.event.version, data: { amount: 3 } });
      expect(Object.keys(untyped.toWire(decoded.event)).includes('schemaversion')).toBe('schemaversion' in extra);
      expect(() => codec.encode(decoded.event)).toThrow(/billing\.charged/);
    }
  });

  it('an untyped codec still refuses an event of an unknown type it did not decode', () => {
    const handWritten = { eventId: 'h-1', eventType: 'billing.charged', version: '1.0.0', timestamp: new Date(), source: '/x', data: {} };
    expect(() => untyped.encode(handWritten)).toThrow(/billing\.charged/);
  });
});
