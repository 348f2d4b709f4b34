import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/index.js';

describe('canonicalJson (RFC 8785)', () => {
  it('writes the example of RFC 8785 §3.2.2 byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = { '\u20ac': 1, '\r': 2, '\ufb33': 3, '1': 4, '\ud83d\ude00': 5, '\u0080': 6, '\u00f6': 7 };
    const order = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // JSON.parse puts integer-like names first; compare against the written text instead.
    expect(order).toContain('1');
    const text = canonicalJson(input);
    const positions = ['\\r', '"1"', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((n) => text.indexOf(n));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('writes -0 as 0, skips undefined members, writes undefined array items as null, calls toJSON', () => {
    expect(canonicalJson({ b: -0, a: undefined, c: [undefined, 1], d: new Date(0) })).toBe('{"b":0,"c":[null,1],"d":"1970-01-01T00:00:00.000Z"}');
  });

  it('leaves out the omitted top-level member only', () => {
    expect(canonicalJson({ signature: 'x', data: { signature: 'kept' } }, 'signature')).toBe('{"data":{"signature":"kept"}}');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson([Infinity])).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });

  it('writes every string exactly as JSON.stringify does (escapes, surrogates, lone halves)', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' })), (s) => {
      expect(canonicalJson(s)).toBe(JSON.stringify(s));
      expect(canonicalJson({ [s]: s })).toBe(JSON.stringify({ [s]: s }));
    }), { numRuns: 5_000 });
  });

  it('is a fixed point: parsing the canonical text and writing it again gives the same text', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value);
      expect(canonicalJson(JSON.parse(text))).toBe(text);
      // Same JSON value as JSON.stringify writes (only the member order may differ).
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    }), { numRuns: 2_000 });
  });
});
