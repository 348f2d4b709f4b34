import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, isBatch, ONE_PASS_MAX_BYTES, parseWholeBatch, splitBatch } from '../../../src/codec/batch.js';
import { defineEvent, EventRegistry, JsonCodec, Type } from '../../../src/index.js';

const Measured = defineEvent({ type: 'lab.measured', version: '1.0.0', schema: Type.Object({ value: Type.Number() }) });
const codec = new JsonCodec(new EventRegistry([Measured]));
const messages = [1, 2, 3].map((value, i) => codec.encode(Measured.create({ value }), { producerId: 'p', sequence: i + 1 }));

describe('encodeBatch', () => {
  it('writes a JSON array of the structured events, and a batch of one as the event itself', () => {
    expect(JSON.parse(encodeBatch(messages))).toEqual(messages.map((m) => JSON.parse(m) as unknown));
    expect(encodeBatch([messages[0]!])).toBe(messages[0]);
  });
});

describe('isBatch', () => {
  it('tells an array from an object, leading whitespace and bytes included', () => {
    expect(isBatch(encodeBatch(messages))).toBe(true);
    expect(isBatch(Buffer.from(` \n${encodeBatch(messages)}`))).toBe(true);
    expect(isBatch(messages[0]!)).toBe(false);
    expect(isBatch('')).toBe(false);
  });

  it('skips every JSON whitespace character (space, tab, CR, LF) and nothing else', () => {
    expect(isBatch('\t\r\n [1]')).toBe(true);
    expect(isBatch(Buffer.from('\t\r{"a":1}'))).toBe(false);
    expect(isBatch(' \t\r\n')).toBe(false);
    expect(isBatch('\u00a0[1]')).toBe(false);
    expect(isBatch('x[1]')).toBe(false);
  });
});

describe('splitBatch', () => {
  it('cuts a batch into the exact text of each element, strings with brackets and commas included', () => {
    const tricky = ['{"a":"],[\\"{"}', '[1,[2,3]]', ' "x,y" ', '{}'];
    const split = splitBatch(`[${tricky.join(',')}]`);
    expect(split).toEqual({ ok: true, elements: tricky });
  });

  it('agrees with JSON.parse on the elements of any JSON array', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 20 }), (values) => {
      const split = splitBatch(JSON.stringify(values));
      expect(split.ok).toBe(true);
      if (split.ok) expect(split.elements.map((e) => JSON.parse(e) as unknown)).toEqual(JSON.parse(JSON.stringify(values)));
    }), { numRuns: 300 });
  });

  it('hands on an empty last element (a trailing comma) for the element decode to refuse', () => {
    expect(splitBatch('[1,]')).toEqual({ ok: true, elements: ['1', ''] });
    expect(splitBatch('[1, ]')).toEqual({ ok: true, elements: ['1', ' '] });
    expect(splitBatch('[,]')).toEqual({ ok: true, elements: ['', ''] });
  });

  it('reads an empty array as no elements', () => {
    expect(splitBatch('[]')).toEqual({ ok: true, elements: [] });
    expect(splitBatch(' [ ] ')).toEqual({ ok: true, elements: [] });
  });

  it('allows every JSON whitespace character around the array and between elements', () => {
    expect(splitBatch('\t\r\n [1,2] \t\r\n')).toEqual({ ok: true, elements: ['1', '2'] });
    expect(splitBatch('[\t\r\n ]')).toEqual({ ok: true, elements: [] });
    expect(splitBatch('[1]\u00a0')).toMatchObject({ ok: false, error: { reason: 'malformed-json', message: expect.stringContaining('text after the batch array') as unknown } });
    expect(splitBatch('\u00a0[1]')).toMatchObject({ ok: false, error: { reason: 'malformed-json' } });
  });

  it('accepts a batch nested exactly 257 levels deep (the array and one message at its bound) and refuses 258', () => {
    const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(splitBatch(nested(257))).toMatchObject({ ok: true, elements: [nested(256)] });
    expect(splitBatch(nested(258))).toMatchObject({ ok: false, error: { reason: 'too-deep', message: expect.stringContaining('257 levels') as unknown } });
  });

  it('says in its refusals which limit was crossed and how to change it', () => {
    const over = splitBatch('[1,2,3]', { maxEvents: 2 });
    expect(over.ok ? '' : over.error.message).toMatch(/more than 2 events.*maxBatchEvents.*batch\.maxEvents/);
    const big = splitBatch('[1,2,3]', { maxMessageBytes: 6 });
    expect(big.ok ? '' : big.error.message).toMatch(/7 bytes; the limit is 6/);
    const unterminated = splitBatch('[1,2');
    expect(unterminated.ok ? '' : unterminated.error.message).toMatch(/unterminated batch array/);
    const string = splitBatch('["abc]');
    expect(string.ok ? '' : string.error.message).toMatch(/unterminated string/);
    const unbalanced = splitBatch('[1]]');
    expect(unbalanced.ok ? '' : unbalanced.error.message).toMatch(/text after the batch array/);
    const closeFirst = splitBatch(']');
    expect(closeFirst.ok ? '' : closeFirst.error.message).toMatch(/unbalanced brackets/);
    for (const text of ['{"a":1}', 'x[1]', '"[1]"', ' "x" [1]']) {
      const refused = splitBatch(text);
      expect(refused.ok ? '' : refused.error.message, text).toMatch(/a batch is one JSON array/);
    }
    for (const text of ['', ' \n']) {
      const refused = splitBatch(text);
      expect(refused.ok ? '' : refused.error.message).toMatch(/unterminated batch array/);
    }
    const bytes = splitBatch(Buffer.from([0x5b, 0xff, 0x5d]));
    expect(bytes.ok ? '' : bytes.error.message).toMatch(/batch is not valid UTF-8/);
  });

  it('counts bytes, not UTF-16 units, against maxMessageBytes for text too', () => {
    const text = `["${'é'.repeat(10)}"]`;
    expect(Buffer.byteLength(text)).toBe(24);
    expect(splitBatch(text, { maxMessageBytes: 23 })).toMatchObject({ ok: false, error: { reason: 'oversize' } });
    expect(splitBatch(text, { maxMessageBytes: 24 })).toMatchObject({ ok: true });
    expect(parseWholeBatch(text, { maxMessageBytes: 23 })).toBeUndefined();
    expect(parseWholeBatch(text, { maxMessageBytes: 24 })).toEqual(['é'.repeat(10)]);
  });

  it('refuses more elements than maxEvents as a whole, and accepts exactly maxEvents', () => {
    const limit = 5;
    const at = `[${Array.from({ length: limit }, (_, i) => i).join(',')}]`;
    const over = `[${Array.from({ length: limit + 1 }, (_, i) => i).join(',')}]`;
    expect(splitBatch(at, { maxEvents: limit })).toMatchObject({ ok: true, elements: { length: limit } });
    const refused = splitBatch(over, { maxEvents: limit });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.reason).toBe('oversize');
  });

  it('refuses a batch over maxMessageBytes before looking into it', () => {
    const text = encodeBatch(messages);
    const refused = splitBatch(Buffer.from(text), { maxMessageBytes: text.length - 1 });
    expect(refused).toMatchObject({ ok: false, error: { reason: 'oversize' } });
    expect(splitBatch(Buffer.from(text), { maxMessageBytes: text.length })).toMatchObject({ ok: true });
  });

  it.each([
    ['[1,2', 'malformed-json'],
    ['[1]]', 'malformed-json'],
    ['[1] [2]', 'malformed-json'],
    ['{"a":1}', 'malformed-json'],
    ['x[1]', 'malformed-json'],
    ['["abc]', 'malformed-json'],
    [`${'['.repeat(300)}${']'.repeat(300)}`, 'too-deep'],
  ])('refuses %j as a whole (%s)', (text, reason) => {
    expect(splitBatch(text)).toMatchObject({ ok: false, error: { reason } });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(splitBatch(Buffer.from([0x5b, 0xff, 0x5d]))).toMatchObject({ ok: false, error: { reason: 'malformed-json' } });
  });
});

describe('decodeBatch', () => {
  it('decodes every element through the per-event decode, stamps included', () => {
    const decoded = decodeBatch(codec, Buffer.from(encodeBatch(messages)));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.results.map((r) => (r.ok ? [r.event.data, r.stamp?.sequence] : undefined))).toEqual([[{ value: 1 }, 1], [{ value: 2 }, 2], [{ value: 3 }, 3]]);
  });

  it('fails a malformed or invalid element alone; the others decode', () => {
    const bad = [messages[0]!, '{not json}', messages[1]!.replace('"value":2', '"value":"two"'), '{"__proto__":{}}', messages[2]!];
    const decoded = decodeBatch(codec, `[${bad.join(',')}]`);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.results.map((r) => (r.ok ? 'ok' : r.error.reason))).toEqual(['ok', 'malformed-json', 'schema-violation', 'forbidden-key', 'ok']);
  });
});

describe('parseWholeBatch', () => {
  it('parses a clean batch in one pass, bytes included, to what each element decodes from', () => {
    const batch = encodeBatch(messages);
    expect(parseWholeBatch(batch)).toEqual(messages.map((m) => JSON.parse(m) as unknown));
    expect(parseWholeBatch(Buffer.from(` ${batch}\n`))).toEqual(messages.map((m) => JSON.parse(m) as unknown));
    expect(parseWholeBatch('[]')).toEqual([]);
  });

  it('gives up, for the element-by-element path to judge, on anything that path would refuse or report', () => {
    const batch = encodeBatch(messages);
    expect(parseWholeBatch(batch, { maxMessageBytes: batch.length - 1 })).toBeUndefined();
    expect(parseWholeBatch(batch, { maxMessageBytes: batch.length })).toHaveLength(3);
    expect(parseWholeBatch(batch, { maxEvents: 2 })).toBeUndefined();
    expect(parseWholeBatch(batch, { maxEvents: 3 })).toHaveLength(3);
    expect(parseWholeBatch(Buffer.from([0x5b, 0xff, 0x5d]))).toBeUndefined();
    expect(parseWholeBatch(`[${messages[0]!},{"x":1`)).toBeUndefined();
    expect(parseWholeBatch(`${batch} []`)).toBeUndefined();
    expect(parseWholeBatch(messages[0]!)).toBeUndefined();
    expect(parseWholeBatch(`[${messages[0]!},{"__proto__":{}}]`)).toBeUndefined();
    expect(parseWholeBatch(`[${messages[0]!},{"a":{"constructor":1}}]`)).toBeUndefined();
    expect(parseWholeBatch(`[${'['.repeat(300)}${']'.repeat(300)}]`)).toBeUndefined();
  });

  it('leaves a batch over ONE_PASS_MAX_BYTES to the element-by-element path, however high maxMessageBytes is', () => {
    const fits = `["${'a'.repeat(ONE_PASS_MAX_BYTES - 4)}"]`;
    expect(fits.length).toBe(ONE_PASS_MAX_BYTES);
    expect(parseWholeBatch(fits)).toHaveLength(1);
    expect(parseWholeBatch(`["${'a'.repeat(ONE_PASS_MAX_BYTES - 3)}"]`)).toBeUndefined();
    expect(parseWholeBatch(Buffer.from(`["${'a'.repeat(ONE_PASS_MAX_BYTES - 3)}"]`))).toBeUndefined();
  });

  it('decodes any batch it takes exactly as the element-by-element path does', () => {
    const element = fc.oneof(
      fc.constantFrom(...messages),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ value: fc.oneof(fc.double(), fc.string()) }).map((data) => messages[0]!.replace('"data":{"value":1}', `"data":${JSON.stringify(data)}`)),
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 8 }), (elements) => {
        const raw = `[${elements.join(',')}]`;
        const values = parseWholeBatch(raw);
        if (values === undefined) return;
        const split = decodeBatch(codec, raw);
        if (!split.ok) throw new Error('a batch parsed whole must split');
        const fast = values.map((v) => codec.fromWire(v));
        expect(fast.map((r) => (r.ok ? r.event : r.error.reason))).toEqual(split.results.map((r) => (r.ok ? r.event : r.error.reason)));
      }),
    );
  });
});
