import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoTime, parseIsoTime } from '../../../src/codec/iso-time.js';

const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });

describe('iso-time', () => {
  it('formats exactly as Date#toISOString', () => {
    fc.assert(fc.property(instant, (ms) => {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
    }), { numRuns: 5_000 });
  });

  it('parses what it formats, and agrees with Date.parse on offsets and fractions', () => {
    fc.assert(fc.property(instant, (ms) => {
      expect(parseIsoTime(formatIsoTime(ms))).toBe(ms);
    }), { numRuns: 5_000 });
    for (const text of ['2026-11-26T10:00:00Z', '2026-11-26T10:00:00.5+02:00', '2026-11-26T10:00:00.123456Z', '2024-02-29T23:59:59.999-05:30']) {
      expect(parseIsoTime(text)).toBe(Date.parse(text));
    }
  });

  it('refuses times that are not RFC 3339 with an offset', () => {
    for (const text of ['2026-11-26T10:00:00', 'yesterday', '2026-13-01T00:00:00Z', '']) expect(parseIsoTime(text)).toBeNaN();
  });
});
