import { describe, expect, it } from 'vitest';
import { defineEvent, EventRegistry, JsonCodec, Type, type BusEvent } from '../../../src/index.js';
import { InvalidEventError, InvalidOptionError } from '../../../src/internal.js';
import { codecWith, NEW, signedReading } from '../security/fixtures.js';

const Measured = defineEvent({
  type: 'lab.measured',
  version: '2.1.0',
  schema: Type.Object({ value: Type.Number() }),
  upcasters: {
    1: (old) => {
      const o = old as { v?: unknown };
      if (o.v === 'explode') throw new Error('bad old data');
      if (o.v === 'deep') return { value: 1, nested: JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`) as unknown };
      return { value: o.v };
    },
  },
});
const registry = new EventRegistry([Measured]);
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** An event built by hand, not by a definition: what `encode` must check itself. */
function handBuilt(overrides: Partial<BusEvent> = {}): BusEvent {
  return { eventId: 'e-1', eventType: 'lab.measured', timestamp: new Date('2026-11-30T10:00:00.000Z'), version: '2.1.0', source: '/lab', data: { value: 1 }, ...overrides };
}

function wire(overrides: Record<string, unknown> = {}): string {
  const base = { specversion: '1.0', id: 'e-1', source: '/lab', type: 'lab.measured', time: '2026-11-30T10:00:00Z', schemaversion: '2.1.0', data: { value: 1 } };
  return JSON.stringify({ ...base, ...overrides });
}

/** The refusal of `raw` by a fresh codec, as `reason: message`. */
function refusal(raw: string | Uint8Array, codec = new JsonCodec(registry)): string {
  const d = codec.decode(raw);
  return d.ok ? 'accepted' : `${d.error.reason}: ${d.error.message}`;
}

describe('JsonCodec options', () => {
  it('refuses a maxMessageBytes that is not a positive number, naming the option', () => {
    for (const maxMessageBytes of [0, -1, Number.NaN]) {
      expect(() => new JsonCodec(registry, { maxMessageBytes })).toThrow(InvalidOptionError);
      expect(() => new JsonCodec(registry, { maxMessageBytes })).toThrow(/maxMessageBytes.*positive number of bytes/);
    }
    expect(new JsonCodec(registry, { maxMessageBytes: 1 }).maxMessageBytes).toBe(1);
  });

  it('verifies only with a security that verifies', () => {
    expect(new JsonCodec(registry).verifies).toBe(false);
    expect(codecWith({ signingKey: NEW }).codec.verifies).toBe(false);
    expect(codecWith({ verificationKeys: [NEW] }).codec.verifies).toBe(true);
  });
});

describe('JsonCodec encode: events not built by a definition', () => {
  it('writes a hand-built event whose data matches the schema, and refuses one whose data does not', () => {
    const codec = new JsonCodec(registry);
    expect(codec.decode(codec.encode(handBuilt()))).toMatchObject({ ok: true, event: { data: { value: 1 } } });
    expect(() => codec.encode(handBuilt({ data: { value: 'one' } }))).toThrow(InvalidEventError);
  });

  it('refuses data that is missing, saying so', () => {
    const codec = new JsonCodec(registry);
    const thrown = catchError(() => codec.encode(handBuilt({ data: undefined })));
    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect((thrown as InvalidEventError).issues).toEqual([{ path: '', message: 'data is missing' }]);
  });

  it('refuses a source or tracestate that no consumer would decode, on the first event of a fresh codec too', () => {
    for (const [overrides, path, message] of [
      [{ source: '' }, '/source', /may not be empty/],
      [{ source: '/a\nb' }, '/source', /A CloudEvents source may not hold/],
      [{ trace: { traceparent, tracestate: 'x'.repeat(513) } }, '/trace/tracestate', /A W3C tracestate/],
    ] as const) {
      const thrown = catchError(() => new JsonCodec(registry).encode(handBuilt(overrides)));
      expect(thrown).toBeInstanceOf(InvalidEventError);
      expect((thrown as InvalidEventError).issues[0]?.path).toBe(path);
      expect((thrown as InvalidEventError).issues[0]?.message).toMatch(message);
    }
  });

  it('refuses an empty producer id on the first event of a fresh codec', () => {
    expect(() => new JsonCodec(registry).encode(Measured.create({ value: 1 }), { producerId: '', sequence: 1 })).toThrow(/producerId/);
  });

  it('toWire has no replayof member for an event that is no replay', () => {
    const codec = new JsonCodec(registry);
    expect(Object.keys(codec.toWire(Measured.create({ value: 1 })))).not.toContain('replayof');
    expect(codec.toWire(handBuilt({ replayOf: 'e-0' })).replayof).toBe('e-0');
  });
});

describe('JsonCodec decode: what each refusal says', () => {
  it.each([
    ['a JSON array', '[1]', 'not-a-cloudevent: cannot decode message (not-a-cloudevent): a message must be a JSON object'],
    ['specversion 0.3', wire({ specversion: '0.3' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `specversion` must be "1.0"'],
    ['an empty id', wire({ id: '' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `id` must be a non-empty string'],
    ['an empty source', wire({ source: '' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `source` must be a non-empty string'],
    ['a type that is no string', wire({ type: 7 }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `type` must be a non-empty string'],
    ['no data', wire({ data: undefined }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): a message must carry `data`'],
    ['a text content type', wire({ datacontenttype: 'text/plain' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `datacontenttype` must be application/json'],
    ['a numeric schemaversion', wire({ schemaversion: 2 }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `schemaversion` must be a string'],
    ['a schemaversion that is no semver', wire({ schemaversion: 'two' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `schemaversion` "two" is not semver'],
    ['an empty replayof', wire({ replayof: '' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `replayof` must be a non-empty event id'],
    ['a bad traceparent', wire({ traceparent: 'x' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `traceparent` must be a W3C traceparent'],
    ['a tracestate that is no string', wire({ traceparent, tracestate: 5 }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `tracestate` must be a string'],
    ['a producer id without a sequence', wire({ producerid: 'p' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `producerseq` must be a positive decimal integer string of at most 15 digits'],
    ['a sequence without a producer id', wire({ producerseq: '1' }), 'not-a-cloudevent: cannot decode message (not-a-cloudevent): `producerid` must be a string of 1–200 characters'],
    ['an unknown type', wire({ type: 'lab.other' }), 'unknown-type: cannot decode message (unknown-type): no definition is registered for "lab.other"'],
    ['data off the schema', wire({ data: { value: 'x' } }), 'schema-violation: cannot decode message (schema-violation): data does not match lab.measured@2.1.0'],
    ['a newer major', wire({ schemaversion: '3.0.0' }), 'unsupported-version: cannot decode message (unsupported-version): lab.measured 3.0.0 is newer than the known 2.1.0; upgrade this consumer'],
  ])('%s', (_name, raw, expected) => {
    expect(refusal(raw)).toBe(expected);
  });

  it('says what is wrong with the id, the source and the time', () => {
    expect(refusal(wire({ id: 'e\u0000' }))).toMatch(/^not-a-cloudevent: .*`id` may not hold .*U\+0000/);
    expect(refusal(wire({ source: '/lab\u007f' }))).toMatch(/^not-a-cloudevent: .*`source` may not hold .*U\+007F/);
    expect(refusal(wire({ time: 'noon' }))).toMatch(/^not-a-cloudevent: .*`time` must be an RFC 3339 date-time/);
    expect(refusal(wire({ traceparent, tracestate: 'a=1\nb=2' }))).toMatch(/^not-a-cloudevent: .*`tracestate` /);
  });

  it('refuses input that is neither text nor bytes, and bytes that are not UTF-8', () => {
    expect(refusal(42 as unknown as string)).toBe('malformed-json: cannot decode message (malformed-json): a message is a string or bytes');
    expect(refusal(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('malformed-json: cannot decode message (malformed-json): message is not valid UTF-8');
  });

  it('takes a message of exactly maxMessageBytes and refuses one byte more, counting UTF-8 bytes of text', () => {
    const text = wire({ data: { value: 1, note: 'é'.repeat(100) } });
    const bytes = Buffer.byteLength(text);
    expect(bytes).toBeGreaterThan(text.length + 99);
    expect(refusal(text, new JsonCodec(registry, { maxMessageBytes: bytes }))).toBe('accepted');
    expect(refusal(text, new JsonCodec(registry, { maxMessageBytes: bytes - 1 }))).toBe(`oversize: cannot decode message (oversize): message is ${bytes} bytes; the limit is ${bytes - 1}`);
    expect(refusal(Buffer.from(text), new JsonCodec(registry, { maxMessageBytes: bytes - 1 }))).toMatch(/^oversize/);
  });

  it('reads a message without schemaversion as the current major, and without datacontenttype as JSON', () => {
    const d = new JsonCodec(registry).decode(wire({ schemaversion: undefined, datacontenttype: undefined }));
    expect(d).toMatchObject({ ok: true, event: { version: '2.1.0', data: { value: 1 } } });
    expect(new JsonCodec(registry).decode(wire({ datacontenttype: 'application/json' })).ok).toBe(true);
  });

  it('carries no stamp member for a message without a producer stamp', () => {
    const d = new JsonCodec(registry).decode(wire());
    expect(d.ok).toBe(true);
    expect(Object.keys(d)).toEqual(['ok', 'event']);
  });
});

describe('JsonCodec decode: upcasting', () => {
  it('freezes upcast data, as it freezes parsed data', () => {
    const d = new JsonCodec(registry).decode(wire({ schemaversion: '1.0.0', data: { v: 5 } }));
    expect(d.ok && d.event.data).toEqual({ value: 5 });
    expect(d.ok && Object.isFrozen(d.event.data)).toBe(true);
  });

  it('refuses upcast data nested too deep, and an upcaster that throws, keeping its error as the cause', () => {
    expect(refusal(wire({ schemaversion: '1.0.0', data: { v: 'deep' } }))).toMatch(/^too-deep/);
    const d = new JsonCodec(registry).decode(wire({ schemaversion: '1.0.0', data: { v: 'explode' } }));
    expect(d.ok ? undefined : d.error.message).toBe('cannot decode message (unsupported-version): upcaster from major 1 of lab.measured failed');
    expect(d.ok ? undefined : (d.error.cause as Error).message).toBe('bad old data');
  });
});

describe('JsonCodec decode: signed messages', () => {
  it('returns the verified key id with the event and its stamp', () => {
    const signer = codecWith({ signingKey: NEW }).codec;
    const { codec } = codecWith({ verificationKeys: [NEW] });
    const d = codec.decode(signedReading(signer, 1));
    expect(d.ok && [d.keyId, d.stamp]).toEqual(['k-new', { producerId: 'p-1', sequence: 1 }]);
  });

  it('checks the replay of an id unless told the message is a redelivery', () => {
    const signer = codecWith({ signingKey: NEW }).codec;
    const { codec } = codecWith({ verificationKeys: [NEW], replayWindowMs: 60_000, now: () => Date.parse('2026-11-30T01:00:01.000Z') });
    const message = signedReading(signer, 1);
    expect(codec.decode(message).ok).toBe(true);
    expect(codec.decode(message).ok).toBe(false);
    expect(codec.decode(message, true).ok).toBe(true);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}
