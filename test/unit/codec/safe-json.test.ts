import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closingQuote, isSafeParsed, MAX_JSON_DEPTH, parseUntrustedJson, strictUtf8 } from '../../../src/codec/safe-json.js';

const nested = (depth: number, open = '[', close = ']', inner = ''): string => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

describe('parseUntrustedJson: depth', () => {
  it('accepts 256 levels of arrays or objects and refuses 257', () => {
    expect(parseUntrustedJson(nested(256))).toMatchObject({ ok: true });
    expect(parseUntrustedJson(nested(257))).toEqual({ ok: false, reason: 'too-deep', detail: 'nested more than 256 levels deep' });
    const objects = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    expect(parseUntrustedJson(objects(256))).toMatchObject({ ok: true });
    expect(parseUntrustedJson(objects(257))).toMatchObject({ ok: false, reason: 'too-deep' });
  });

  it('counts brackets outside strings only, escaped quotes included, and closing brackets lower the depth', () => {
    const inString = JSON.stringify({ s: `\\"${'['.repeat(1_000)}` });
    expect(parseUntrustedJson(inString)).toEqual({ ok: true, value: { s: `\\"${'['.repeat(1_000)}` } });
    const quoteThenBrackets = JSON.stringify(['"', '['.repeat(600)]);
    expect(parseUntrustedJson(quoteThenBrackets)).toMatchObject({ ok: true });
    // Many shallow siblings are long but never deep.
    const wide = `[${Array.from({ length: 300 }, () => '[[]]').join(',')}]`;
    expect(parseUntrustedJson(wide)).toMatchObject({ ok: true });
    // Deep after a string with brackets: still found.
    expect(parseUntrustedJson(`["]]]]", ${nested(257)}]`)).toMatchObject({ ok: false, reason: 'too-deep' });
  });

  it('lowers the depth at closing brackets of both kinds, in long texts with many brackets', () => {
    expect(parseUntrustedJson(`[${Array.from({ length: 300 }, () => '[]').join(',')}]`)).toMatchObject({ ok: true });
    expect(parseUntrustedJson(`[${Array.from({ length: 300 }, () => '{}').join(',')}]`)).toMatchObject({ ok: true });
  });

  it('reports an unterminated string in a long text with many brackets as malformed, not too deep', () => {
    expect(parseUntrustedJson(`[${'[],'.repeat(300)}"abc`)).toMatchObject({ ok: false, reason: 'malformed-json' });
  });

  it('agrees with JSON.parse on every JSON value within the bound that has no forbidden key', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
      const text = JSON.stringify(v);
      fc.pre(!/"(__proto__|constructor|prototype)":/.test(text));
      expect(parseUntrustedJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
    }), { numRuns: 500 });
  });
});

describe('parseUntrustedJson: keys that reach a prototype', () => {
  it.each([['__proto__'], ['constructor'], ['prototype']])('refuses %s as a key at any depth, spelled out or escaped', (key) => {
    const detail = `key ${JSON.stringify(key)} is not allowed anywhere in a message`;
    expect(parseUntrustedJson(`{"${key}":1}`)).toEqual({ ok: false, reason: 'forbidden-key', detail });
    expect(parseUntrustedJson(`{"a":[{"b":{"${key}":{}}}]}`)).toEqual({ ok: false, reason: 'forbidden-key', detail });
    const escaped = `\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${key.slice(1)}`;
    expect(parseUntrustedJson(`{"${escaped}":1}`)).toEqual({ ok: false, reason: 'forbidden-key', detail });
  });

  it('names the first forbidden key, and lets the words through as values or inside longer keys', () => {
    expect(parseUntrustedJson('{"constructor":1,"__proto__":2}')).toMatchObject({ detail: 'key "constructor" is not allowed anywhere in a message' });
    expect(parseUntrustedJson('{"a":"__proto__","b":["constructor","prototype"],"prototypes":1,"\\u0063":2}')).toEqual({
      ok: true, value: { a: '__proto__', b: ['constructor', 'prototype'], prototypes: 1, c: 2 },
    });
  });

  it('reports malformed JSON with the parser\'s reason, on the fast and the careful path alike', () => {
    for (const text of ['{', '{"a":}', '', 'undefined', '{"constructor":', '[1,]']) {
      const r = parseUntrustedJson(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe('malformed-json');
        expect(r.detail).not.toBe('');
      }
    }
  });
});

describe('strictUtf8', () => {
  it('decodes UTF-8, keeps a byte-order mark, and refuses anything else instead of writing U+FFFD', () => {
    expect(strictUtf8(Buffer.from('héllo 😀', 'utf8'))).toBe('héllo 😀');
    expect(strictUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('\ufeff{}');
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0x7b, 0x80, 0x7d]]) expect(strictUtf8(Uint8Array.from(bad)), String(bad)).toBeUndefined();
  });
});

describe('isSafeParsed', () => {
  it('accepts parsed JSON exactly where parseUntrustedJson accepts its text: depth', () => {
    const shapes = (depth: number): string[] => [nested(depth), `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`, `[1,"[",{"b":${nested(depth - 2)}}]`];
    for (const depth of [3, 255, 256, 257, 258, 1_000]) {
      for (const text of shapes(depth)) expect(isSafeParsed(JSON.parse(text))).toBe(parseUntrustedJson(text).ok);
    }
  });

  it('accepts parsed JSON exactly where parseUntrustedJson accepts its text: keys, spelled out or escaped, at any depth', () => {
    const key = fc.constantFrom('__proto__', '\\u005f_proto__', 'constructor', 'c\\u006fnstructor', 'prototype', 'proto', 'constructors', 'a');
    const text = fc.tuple(fc.jsonValue({ maxDepth: 3 }), key, fc.jsonValue({ maxDepth: 2 }), fc.boolean()).map(([outer, k, inner, inArray]) => {
      const member = `{"${k}":${JSON.stringify(inner)}}`;
      return `{"x":${JSON.stringify(outer)},"y":${inArray ? `[1,${member}]` : member},"z":"constructor prototype __proto__"}`;
    });
    fc.assert(
      fc.property(text, (t) => {
        expect(isSafeParsed(JSON.parse(t))).toBe(parseUntrustedJson(t).ok);
      }),
    );
  });

  it('never overflows the stack, however deep the value, and takes primitives', () => {
    expect(isSafeParsed(JSON.parse(nested(200_000)))).toBe(false);
    expect(isSafeParsed(7, 0)).toBe(true);
    expect(isSafeParsed({}, 0)).toBe(false);
    expect(isSafeParsed({}, 1)).toBe(true);
    expect(isSafeParsed(JSON.parse(nested(MAX_JSON_DEPTH)))).toBe(true);
    // Values inside the deepest level allowed are no level of their own.
    expect(isSafeParsed(JSON.parse(nested(MAX_JSON_DEPTH, '[', ']', '1,"s",null,true')))).toBe(true);
    expect(isSafeParsed('abc', 0)).toBe(true);
    expect(isSafeParsed(null, 0)).toBe(true);
  });
});

describe('closingQuote', () => {
  it('finds the quote that closes a string, past escaped quotes and escaped backslashes', () => {
    expect(closingQuote('""', 0)).toBe(1);
    // "a\\" then b": an escaped backslash, so the quote after it closes.
    expect(closingQuote(String.raw`"a\\"b"`, 0)).toBe(4);
    // "a\\\"b": an escaped backslash, then an escaped quote.
    expect(closingQuote(String.raw`"a\\\"b"`, 0)).toBe(7);
    expect(closingQuote(String.raw`"a\"b"`, 0)).toBe(5);
    expect(closingQuote('x"ab"', 1)).toBe(4);
    expect(closingQuote('"abc', 0)).toBe(-1);
    expect(closingQuote(String.raw`"a\"`, 0)).toBe(-1);
  });
});
