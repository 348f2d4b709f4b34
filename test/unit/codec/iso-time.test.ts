import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoTime, parseIsoTime } from '../../../src/codec/iso-time.js';

const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });

describe('iso-time', () => {
  it('formats every instant Date can hold exactly as Date#toISOString, outside years 1970–9999 and fractions of a millisecond too', () => {
    const any = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }));
    fc.assert(fc.property(any, (ms) => {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
    }), { numRuns: 2_000 });
    const edges = [-1, 0, 0.5, Date.UTC(2000, 1, 29, 12), Date.UTC(2000, 2, 1), Date.UTC(2100, 1, 28, 23, 59, 59, 999), Date.UTC(2100, 2, 1), Date.UTC(2400, 1, 29), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1)];
    for (const ms of edges) expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('refuses a time with anything but an ASCII digit where a digit belongs', () => {
    for (const valid of ['2026-11-26T10:00:00.123Z', '2026-11-26T10:00:00+01:30', '2026-11-26 10:00:00.1Z']) {
      expect(Number.isNaN(parseIsoTime(valid))).toBe(false);
      for (let i = 0; i < valid.length; i++) {
        if (!/\d/.test(valid[i]!)) continue;
        for (const c of [':', '/', 'a', ' ', '\u0660', '.']) {
          const text = valid.slice(0, i) + c + valid.slice(i + 1);
          expect(parseIsoTime(text), text).toBeNaN();
        }
      }
    }
  });

  it('formats exactly as Date#toISOString', () => {
    fc.assert(fc.property(instant, (ms) => {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
    }), { numRuns: 5_000 });
  });

  it('formats runs of instants within one second and across seconds as Date#toISOString (its last second is remembered)', () => {
    const run = fc.tuple(instant, fc.array(fc.integer({ min: -2_500, max: 2_500 }), { minLength: 1, maxLength: 20 }));
    fc.assert(fc.property(run, ([start, steps]) => {
      let ms = start;
      for (const step of steps) {
        ms = Math.max(0, ms + step);
        expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
      }
    }), { numRuns: 2_000 });
    for (const ms of [0, 999, 1_000, 1_001, 59_999, 60_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1)]) {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
    }
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

/** A strict RFC 3339 `date-time` (section 5.6) with four-digit years, what every re-encoded time must be. */
const RFC3339_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
/** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in ms. */
const MIN_MS = -62_167_219_200_000;
const END_MS = 253_402_300_800_000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The instant the fields name, computed by Date's own arithmetic (an oracle independent of iso-time.ts), or NaN if they name none. */
function oracle(y: number, mo: number, d: number, h: number, mi: number, s: number, fraction: string, offset: number | null): number {
  const monthDays = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (mo < 1 || mo > 12 || d < 1 || d > monthDays[mo - 1]! || h > 23 || mi > 59 || s > 59) return NaN;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, Number((fraction + '000').slice(0, 3)));
  const ms = date.getTime() - (offset ?? 0) * 60_000;
  return ms >= MIN_MS && ms < END_MS ? ms : NaN;
}

describe('iso-time: RFC 3339 for real', () => {
  it('refuses impossible dates, times and offsets, leap seconds, and instants outside years 0000–9999', () => {
    for (const text of [
      '2024-02-30T12:00:00Z', // 30 February
      '2023-02-29T12:00:00Z', // not a leap year
      '1900-02-29T12:00:00Z', // centuries are not leap years…
      '2024-04-31T00:00:00+01:00',
      '2024-00-10T00:00:00Z',
      '2024-01-00T00:00:00Z',
      '2026-11-26T24:00:00Z', // the next day, written as hour 24
      '2026-11-26T23:60:00Z',
      '2016-12-31T23:59:60Z', // a leap second: refused on purpose (JavaScript time has none)
      '2026-11-26T10:00:00+24:00',
      '2026-11-26T10:00:00-23:60',
      '9999-12-31T23:59:59-23:59', // year 10000 in UTC: would re-encode as +010000-…
      '9999-12-31T23:59:59.999-00:01',
      '0000-01-01T00:00:00+00:01', // year -1 in UTC
      '2026-11-26T10:00:00.Z', // empty fraction
      '2026-11-26T10:00Z',
      '+002026-11-26T10:00:00Z',
      '2026-11-26T10:00:00+0100',
      '2026-11-26T10:00:00 Z',
      '2026-11-26T10:00:00.123456789012345678901234567890X',
    ]) {
      expect(parseIsoTime(text), text).toBeNaN();
    }
  });

  it('accepts the edges of the calendar and of the range', () => {
    const cases: [string, number][] = [
      ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
      ['2000-02-29T00:00:00.5+00:00', Date.UTC(2000, 1, 29, 0, 0, 0, 500)],
      ['0000-01-01T00:00:00Z', MIN_MS],
      ['0000-01-01T00:00:00.000Z', MIN_MS],
      ['0000-01-01T23:59:00+23:59', MIN_MS],
      ['9999-12-31T23:59:59.999Z', END_MS - 1],
      ['9999-12-31T00:00:59.999-23:59', END_MS - 1],
      ['9999-12-31T23:59:59.9999999-00:00', END_MS - 1],
      ['2026-11-26t10:00:00z', Date.UTC(2026, 10, 26, 10)],
      ['2026-11-26 10:00:00+05:30', Date.UTC(2026, 10, 26, 4, 30)],
    ];
    for (const [text, ms] of cases) expect(parseIsoTime(text), text).toBe(ms);
  });

  const field = (max: number): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom(0, 1, 12, 23, 24, 28, 29, 30, 31, 59, 60));
  const fields = fc.record({
    y: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1600, 1900, 2000, 2024, 2100, 9999)),
    mo: field(13),
    d: field(32),
    h: field(25),
    mi: field(61),
    s: field(61),
    fraction: fc.stringMatching(/^\d{0,12}$/),
    offset: fc.option(fc.integer({ min: -(99 * 60 + 99), max: 99 * 60 + 99 })),
    sep: fc.constantFrom('T', 't', ' '),
    z: fc.constantFrom('Z', 'z', '+00:00', '-00:00'),
  });

  type Fields = typeof fields extends fc.Arbitrary<infer F> ? F : never;
  function text(f: Fields): { text: string; offsetMinutes: number | null } {
    let zone: string;
    let offsetMinutes: number | null = null;
    if (f.offset === null) zone = f.z;
    else {
      const abs = Math.abs(f.offset);
      const oh = Math.floor(abs / 100);
      const om = abs % 100;
      zone = `${f.offset < 0 ? '-' : '+'}${pad(oh)}:${pad(om)}`;
      offsetMinutes = oh > 23 || om > 59 ? NaN : Math.sign(f.offset) * (oh * 60 + om);
    }
    const frac = f.fraction === '' ? '' : `.${f.fraction}`;
    return { text: `${pad(f.y, 4)}-${pad(f.mo)}-${pad(f.d)}${f.sep}${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}${frac}${zone}`, offsetMinutes };
  }

  it('accepts exactly the real calendar instants of years 0000–9999, each at the instant Date computes', () => {
    fc.assert(fc.property(fields, (f) => {
      const { text: t, offsetMinutes } = text(f);
      const expected = Number.isNaN(offsetMinutes) ? NaN : oracle(f.y, f.mo, f.d, f.h, f.mi, f.s, f.fraction, offsetMinutes);
      const ms = parseIsoTime(t);
      if (Number.isNaN(expected)) expect(ms, t).toBeNaN();
      else expect(ms, t).toBe(expected);
    }), { numRuns: 20_000 });
  });

  it('re-encodes everything it accepts as an RFC 3339 string of the same instant', () => {
    const noise = fc.constantFrom(...'0123456789+-:.TtZz x');
    const mutated = fc.tuple(fields, fc.array(fc.tuple(fc.nat(), noise), { maxLength: 3 })).map(([f, edits]) => {
      const chars = [...text(f).text];
      for (const [at, c] of edits) chars[at % chars.length] = c;
      return chars.join('');
    });
    // Near the ends of the range an offset moves the instant across them.
    const edges = fc.record({
      y: fc.constantFrom(0, 9999),
      mo: fc.constantFrom(1, 12),
      d: fc.constantFrom(1, 31),
      h: fc.constantFrom(0, 23),
      mi: fc.constantFrom(0, 59),
      s: fc.constantFrom(0, 59),
      fraction: fc.constantFrom('', '999'),
      offset: fc.option(fc.integer({ min: -2359, max: 2359 })),
      sep: fc.constant('T'),
      z: fc.constant('Z'),
    }).map((f) => text(f).text);
    fc.assert(fc.property(fc.oneof(mutated, edges, fc.string()), (t) => {
      const ms = parseIsoTime(t);
      if (Number.isNaN(ms)) return;
      const again = formatIsoTime(ms);
      expect(again, t).toMatch(RFC3339_DATE_TIME);
      expect(parseIsoTime(again), t).toBe(ms);
      expect(Date.parse(again), t).toBe(ms);
    }), { numRuns: 20_000 });
  });

  it('formats every instant of years 0000–9999 as toISOString does', () => {
    fc.assert(fc.property(fc.integer({ min: MIN_MS, max: END_MS - 1 }), (ms) => {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
      expect(parseIsoTime(formatIsoTime(ms))).toBe(ms);
    }), { numRuns: 5_000 });
  });
});

describe('iso-time: formatting over the whole range', () => {
  it('writes every instant of years 0000–9999 as Date#toISOString does, padding short years', () => {
    fc.assert(fc.property(fc.integer({ min: MIN_MS, max: END_MS - 1 }), (ms) => {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
    }), { numRuns: 5_000 });
    for (const ms of [MIN_MS, -1, 0, Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.parse('0099-01-01T00:00:00.000Z'), END_MS - 1, END_MS, 1.5, -0.5]) {
      expect(formatIsoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
