import { describe, expect, it } from 'vitest';
import {
  isAttributeName, MAX_PRODUCER_ID_LENGTH, MAX_TRACESTATE_LENGTH, memberNamesIssue, producerIdIssue, textIssue, traceStateIssue,
} from '../../../src/codec/attributes.js';

/**
 * The attribute checks against independent oracles, over every UTF-16 code unit: each range
 * boundary in `textIssue` is a place where an off-by-one would let a control, bidi or
 * noncharacter through, or refuse a harmless character.
 */
const BIDI = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const hex = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** What `textIssue` must say of the one code unit `c` at index 1 of `a?b`, by category. */
function expectedIssue(c: number): string | undefined {
  if (c >= 0xd800 && c <= 0xdfff) return 'an unpaired surrogate at index 1';
  if (/\p{Cc}/u.test(String.fromCharCode(c))) return `control character ${hex(c)} at index 1`;
  if (c === 0x2028 || c === 0x2029) return `line or paragraph separator ${hex(c)} at index 1`;
  if (BIDI.has(c)) return `bidirectional formatting character ${hex(c)} at index 1`;
  if (/\p{Noncharacter_Code_Point}/u.test(String.fromCharCode(c))) return `noncharacter ${hex(c)} at index 1`;
  return undefined;
}

describe('textIssue', () => {
  it('judges every code unit of the Basic Multilingual Plane as the Unicode categories say', () => {
    const wrong: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const got = textIssue(`a${String.fromCharCode(c)}b`);
      const want = expectedIssue(c);
      if (got !== want) wrong.push(`${hex(c)}: ${String(got)} instead of ${String(want)}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('accepts surrogate pairs, except the noncharacters U+nFFFE and U+nFFFF of every plane', () => {
    for (let plane = 1; plane <= 0x10; plane++) {
      const base = plane * 0x10000;
      for (const cp of [base, base + 0x1234, base + 0xfffd, base + 0xfffe, base + 0xffff]) {
        const text = `x${String.fromCodePoint(cp)}`;
        const nonchar = /\p{Noncharacter_Code_Point}/u.test(String.fromCodePoint(cp));
        expect(textIssue(text), hex(cp)).toBe(nonchar ? 'a noncharacter at index 1' : undefined);
      }
    }
  });

  it('names unpaired surrogates wherever they are: a high one last, a high one before a non-surrogate, a low one alone', () => {
    expect(textIssue('ab\ud800')).toBe('an unpaired surrogate at index 2');
    expect(textIssue('\ud83dx')).toBe('an unpaired surrogate at index 0');
    expect(textIssue('\ud83d\ud83d\ude00')).toBe('an unpaired surrogate at index 0');
    expect(textIssue('😀\ude00')).toBe('an unpaired surrogate at index 2');
    expect(textIssue('😀\u0007')).toBe('control character U+0007 at index 2');
  });

  it('reports the first issue only, and nothing for clean text of any length', () => {
    expect(textIssue('ok\u202eand\u0000')).toBe('bidirectional formatting character U+202E at index 2');
    expect(textIssue('')).toBeUndefined();
    expect(textIssue('héllo wörld 😀 中文 \t'.replace('\t', ''))).toBeUndefined();
  });
});

describe('producerIdIssue', () => {
  it('takes 1 to 200 clean characters, and nothing else', () => {
    expect(producerIdIssue('p')).toBeUndefined();
    expect(producerIdIssue('p'.repeat(MAX_PRODUCER_ID_LENGTH))).toBeUndefined();
    const length = `must be a string of 1–${MAX_PRODUCER_ID_LENGTH} characters`;
    for (const bad of ['', 'p'.repeat(MAX_PRODUCER_ID_LENGTH + 1), 42, null, undefined, ['p']]) expect(producerIdIssue(bad)).toBe(length);
    expect(producerIdIssue('p\u0000')).toBe('holds control character U+0000 at index 1');
  });
});

describe('traceStateIssue', () => {
  it('takes printable ASCII up to 512 characters', () => {
    expect(traceStateIssue('')).toBeUndefined();
    expect(traceStateIssue(' ~vendor=value,other=1')).toBeUndefined();
    expect(traceStateIssue('a'.repeat(MAX_TRACESTATE_LENGTH))).toBeUndefined();
    expect(traceStateIssue('a'.repeat(MAX_TRACESTATE_LENGTH + 1))).toBe(`is ${MAX_TRACESTATE_LENGTH + 1} characters long; at most ${MAX_TRACESTATE_LENGTH} are allowed`);
    for (const c of [0x00, 0x1f, 0x7f, 0x80, 0xe9]) expect(traceStateIssue(`a=${String.fromCharCode(c)}`), hex(c)).toBe('may only hold printable ASCII');
    expect(traceStateIssue('a=\x20b\x7e')).toBeUndefined();
  });
});

describe('isAttributeName', () => {
  it('is true exactly for non-empty strings of a–z and 0–9', () => {
    for (let c = 0; c < 0x180; c++) {
      const ch = String.fromCharCode(c);
      expect(isAttributeName(`x${ch}`), hex(c)).toBe(/^[a-z0-9]$/.test(ch));
      expect(isAttributeName(`${ch}x`), hex(c)).toBe(/^[a-z0-9]$/.test(ch));
    }
    expect(isAttributeName('')).toBe(false);
    expect(isAttributeName('producerseq')).toBe(true);
  });
});

describe('memberNamesIssue', () => {
  it('accepts dotbus\'s own layout, other orders, extensions, and keys inherited from a polluted prototype', () => {
    expect(memberNamesIssue({ specversion: '1.0', id: 'x', source: '/s', type: 't', time: 'z', datacontenttype: 'j', schemaversion: '1', traceparent: 'p', tracestate: 's', producerid: 'i', producerseq: 1, data: {} })).toBeUndefined();
    expect(memberNamesIssue({ data: {}, type: 't', id: 'x', specversion: '1.0', myext1: 2 })).toBeUndefined();
    const polluted = Object.create({ 'Not-A-Name': 1 }) as Record<string, unknown>;
    polluted['id'] = 'x';
    expect(memberNamesIssue(polluted)).toBeUndefined();
  });

  it('refuses data_base64 and names a bad member, cut to 80 characters', () => {
    expect(memberNamesIssue({ id: 'x', data_base64: 'AA==' })).toBe('`data_base64` (binary data) is not supported: dotbus data is JSON, under `data`');
    expect(memberNamesIssue({ id: 'x', Type: 't' })).toBe('"Type" is not a CloudEvents attribute name (lower-case letters and digits only)');
    expect(memberNamesIssue({ ['k'.repeat(81) + '_']: 1 })).toBe(`${JSON.stringify('k'.repeat(80))} is not a CloudEvents attribute name (lower-case letters and digits only)`);
    // A written name seen out of dotbus's order is still a name, not an unknown member.
    expect(memberNamesIssue({ type: 't', id: 'x', specversion: '1.0' })).toBeUndefined();
    expect(memberNamesIssue({ id: 'x', 'data-x': 1 })).toBe('"data-x" is not a CloudEvents attribute name (lower-case letters and digits only)');
  });
});
