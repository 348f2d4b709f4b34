import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldPath } from '../../../src/index.js';

describe('FieldPath', () => {
  it('parses and formats dotted paths with indexes', () => {
    expect(FieldPath.parse('user.addresses[0].zip')).toEqual(['user', 'addresses', 0, 'zip']);
    expect(FieldPath.format(['user', 'addresses', 0, 'zip'])).toBe('user.addresses[0].zip');
    expect(FieldPath.parse('[2][3]')).toEqual([2, 3]);
    expect(FieldPath.parse('')).toEqual([]);
    expect(FieldPath.format(['a.b', 'c d'])).toBe('["a.b"]["c d"]');
    expect(FieldPath.parse('x["a.b"]')).toEqual(['x', 'a.b']);
    expect(FieldPath.child(['a'], 1)).toEqual(['a', 1]);
  });

  it('names the position of a syntax error', () => {
    expect(() => FieldPath.parse('a[0')).toThrow(/at 1: unclosed/);
    expect(() => FieldPath.parse('a..b')).toThrow(/empty property name/);
    expect(() => FieldPath.parse('a[x]')).toThrow(/bracket/);
  });

  it('round-trips any path', () => {
    const segment = fc.oneof(fc.nat({ max: 1000 }), fc.string({ minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (path) => {
        expect(FieldPath.parse(FieldPath.format(path))).toEqual(path);
      }),
    );
  });
});
