import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternIndex } from '../../../src/patterns/pattern-index.js';
import { isValidPattern, matchesPattern, parsePattern } from '../../../src/patterns/pattern.js';
import type { DotbusError } from '../../../src/errors.js';

// ---- Reference: DESIGN §2 written as anchored regular expressions, as plainly as possible. ----

const SEGMENT = '[A-Za-z0-9_-]+';
const VALID_TYPE = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*$`);
const PATTERN_SEGMENT = `(?:${SEGMENT}|\\*|\\+)`;
const VALID_PATTERN = new RegExp(`^${PATTERN_SEGMENT}(?:\\.${PATTERN_SEGMENT})*$`);

function referenceIsValidPattern(pattern: string): boolean {
  return pattern.length <= 255 && VALID_PATTERN.test(pattern);
}

function referenceMatches(pattern: string, type: string): boolean {
  if (type.length > 255 || !VALID_TYPE.test(type)) return false;
  const body = pattern
    .split('.')
    .map((s) => (s === '+' ? '[^.]+' : s === '*' ? '[^.]+(?:\\.[^.]+)*' : s.replace(/[-\\^$*+?.()|[\]{}]/g, '\\$&')))
    .join('\\.');
  return new RegExp(`^${body}$`).test(type);
}

// ---- Generators, biased so that patterns and types overlap and matches actually happen. ----

const literal = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 1, arbitrary: fc.constantFrom('A', 'a_b', 'x-1', '9') },
);
const eventType = fc.array(literal, { minLength: 1, maxLength: 7 }).map((s) => s.join('.'));
const pattern = fc
  .array(fc.oneof({ weight: 3, arbitrary: literal }, { weight: 1, arbitrary: fc.constant('*') }, { weight: 1, arbitrary: fc.constant('+') }), {
    minLength: 1,
    maxLength: 5,
  })
  .map((s) => s.join('.'));
/**
 * Types and patterns around the 255-character limit: a long segment plus short ones, so both
 * sides of the boundary (254, 255, 256, …) come up, with wildcards that still match.
 */
const longSegment = fc.integer({ min: 240, max: 258 }).map((n) => 'a'.repeat(n));
const nearLimitType = fc.tuple(longSegment, fc.array(literal, { maxLength: 3 })).map(([head, rest]) => [head, ...rest].join('.').slice(0, 260));
const nearLimitPattern = fc
  .tuple(fc.oneof(longSegment, fc.constant('*')), fc.array(fc.oneof(literal, fc.constant('*'), fc.constant('+')), { maxLength: 3 }), fc.integer({ min: 0, max: 8 }))
  .map(([head, rest, pad]) => [head === '*' ? '*' : head.slice(0, head.length - pad), ...rest].join('.'));
/** Strings near the grammar: valid ones, and ones with empty segments, partial wildcards, bad characters. */
const nearPattern = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*', '+', ' ', '#', 'é'), maxLength: 8 });
const anyType = fc.oneof({ weight: 4, arbitrary: eventType }, { weight: 1, arbitrary: nearPattern }, { weight: 1, arbitrary: nearLimitType });

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as DotbusError).code;
  }
}

describe('matchesPattern against the reference', () => {
  it('agrees on every (pattern, type)', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: pattern }, { weight: 1, arbitrary: nearLimitPattern }), anyType, (p, t) => {
        if (!referenceIsValidPattern(p)) return void expect(code(() => matchesPattern(p, t))).toBe('INVALID_PATTERN');
        const expected = referenceMatches(p, t);
        expect(matchesPattern(p, t)).toBe(expected);
        expect(parsePattern(p).matches(t)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds matches often enough for the comparison to mean something', () => {
    const samples = fc.sample(fc.tuple(pattern, eventType), { numRuns: 2_000, seed: 1 });
    const hits = samples.filter(([p, t]) => referenceMatches(p, t)).length;
    expect(hits).toBeGreaterThan(200);
  });

  it('validates exactly like the reference grammar, and throws INVALID_PATTERN otherwise', () => {
    fc.assert(
      fc.property(fc.oneof(pattern, nearPattern, nearLimitPattern), (p) => {
        const valid = referenceIsValidPattern(p);
        expect(isValidPattern(p)).toBe(valid);
        expect(code(() => parsePattern(p))).toBe(valid ? undefined : 'INVALID_PATTERN');
      }),
      { numRuns: 2_000 },
    );
  });
});

// ---- PatternIndex against a model: an ordered list of live registrations. ----

type Op =
  | { readonly kind: 'add'; readonly pattern: string; readonly value: number }
  | { readonly kind: 'remove'; readonly pattern: string; readonly value: number }
  | { readonly kind: 'match'; readonly type: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), pattern, value: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pattern, value: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('match' as const), type: anyType }) },
);

interface Registration {
  readonly pattern: string;
  readonly value: number;
  count: number;
}

class Model {
  readonly live: Registration[] = [];

  add(p: string, value: number): void {
    const found = this.live.find((r) => r.pattern === p && r.value === value);
    if (found === undefined) this.live.push({ pattern: p, value, count: 1 });
    else found.count++;
  }

  remove(p: string, value: number): boolean {
    const at = this.live.findIndex((r) => r.pattern === p && r.value === value);
    if (at === -1) return false;
    const found = this.live[at];
    if (--found.count === 0) this.live.splice(at, 1);
    return true;
  }

  match(type: string): number[] {
    return [...new Set(this.live.filter((r) => referenceMatches(r.pattern, type)).map((r) => r.value))];
  }

  get size(): number {
    return this.live.reduce((sum, r) => sum + r.count, 0);
  }
}

describe('PatternIndex against a model', () => {
  it('matches like filtering every registration through the reference, across adds and removes', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 3, 10_000), fc.array(op, { maxLength: 60 }), fc.array(eventType, { minLength: 1, maxLength: 6 }), (cacheSize, ops, probes) => {
        const index = new PatternIndex<number>({ cacheSize });
        const model = new Model();
        for (const o of ops) {
          if (o.kind === 'add') {
            index.add(o.pattern, o.value);
            model.add(o.pattern, o.value);
          } else if (o.kind === 'remove') expect(index.remove(o.pattern, o.value)).toBe(model.remove(o.pattern, o.value));
          else expect(index.match(o.type)).toEqual(model.match(o.type));
          // Probing after every step fills the cache, so later steps test its upkeep.
          for (const t of probes) {
            const result = index.match(t);
            expect(result).toEqual(model.match(t));
            expect(Object.isFrozen(result)).toBe(true);
            expect(index.hasMatch(t)).toBe(result.length > 0);
          }
        }
        expect(index.size).toBe(model.size);
        expect(index.patterns().sort()).toEqual([...new Set(model.live.map((r) => r.pattern))].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('matches nothing once every registration is removed, in any order', () => {
    const registrations = fc.uniqueArray(fc.tuple(pattern, fc.integer({ min: 0, max: 4 })), {
      maxLength: 20,
      selector: ([p, v]) => `${p}|${v}`,
    });
    const addThenRemove = registrations.chain((regs) =>
      fc.tuple(fc.constant(regs), fc.shuffledSubarray(regs, { minLength: regs.length, maxLength: regs.length })),
    );
    fc.assert(
      fc.property(addThenRemove, eventType, ([added, removed], probe) => {
        const index = new PatternIndex<number>();
        for (const [p, v] of added) index.add(p, v);
        index.match(probe);
        for (const [p, v] of removed) expect(index.remove(p, v)).toBe(true);
        expect(index.match(probe)).toEqual([]);
        expect(index.size).toBe(0);
        expect(index.patterns()).toEqual([]);
      }),
    );
  });
});
