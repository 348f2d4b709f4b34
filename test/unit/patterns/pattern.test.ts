import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { isValidPattern, matchesPattern, parsePattern, MAX_PATTERN_LENGTH } from '../../../src/patterns/pattern.js';
import { PatternIndex } from '../../../src/patterns/pattern-index.js';
import type { DotbusError } from '../../../src/errors.js';

/** DESIGN §2, verbatim: pattern → [matches, does not match]. */
const TABLE: readonly (readonly [string, readonly string[], readonly string[]])[] = [
  ['validation.*', ['validation.started', 'validation.phase.completed'], ['validation', 'performance.metric.recorded']],
  ['*.error.*', ['validation.error.occurred', 'system.error.disk.full'], ['error.occurred', 'system.error']],
  ['*.started', ['validation.started', 'validation.phase.started'], ['started']],
  ['validation.+', ['validation.started'], ['validation.phase.completed']],
  [
    'performance.metric.recorded',
    ['performance.metric.recorded'],
    ['performance.metric', 'performance.metric.recorded.x', 'Performance.metric.recorded', 'validation.started'],
  ],
];

function thrown(fn: () => unknown): DotbusError {
  try {
    fn();
  } catch (error) {
    return error as DotbusError;
  }
  throw new Error('expected a throw');
}

describe('the pattern table of DESIGN §2', () => {
  for (const [pattern, yes, no] of TABLE) {
    for (const type of yes) {
      it(`${pattern} matches ${type}`, () => {
        expect(matchesPattern(pattern, type)).toBe(true);
        expect(parsePattern(pattern).matches(type)).toBe(true);
        const index = new PatternIndex<string>();
        index.add(pattern, 'v');
        expect(index.match(type)).toEqual(['v']);
      });
    }
    for (const type of no) {
      it(`${pattern} does not match ${type}`, () => {
        expect(matchesPattern(pattern, type)).toBe(false);
        expect(parsePattern(pattern).matches(type)).toBe(false);
        const index = new PatternIndex<string>();
        index.add(pattern, 'v');
        expect(index.match(type)).toEqual([]);
      });
    }
  }
});

describe('parsePattern', () => {
  it('describes the segments and whether the pattern is exact', () => {
    const p = parsePattern('a.+.*');
    expect(p.source).toBe('a.+.*');
    expect(p.segments).toEqual([
      { kind: 'literal', text: 'a' },
      { kind: 'single', text: '+' },
      { kind: 'multi', text: '*' },
    ]);
    expect(p.isExact).toBe(false);
    expect(parsePattern('a.b').isExact).toBe(true);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.segments)).toBe(true);
  });

  it('gives a matcher that works detached', () => {
    const { matches } = parsePattern('*.started');
    expect(['a.started', 'started', 'a.b.started'].filter(matches)).toEqual(['a.started', 'a.b.started']);
  });

  it('backtracks over repeated literals', () => {
    expect(matchesPattern('*.a.*.b', 'x.a.b.a.y.b')).toBe(true);
    expect(matchesPattern('*.a.+', 'a.a.a.b')).toBe(true);
    expect(matchesPattern('*.+.*', 'a.b')).toBe(false);
    expect(matchesPattern('*.+.*', 'a.b.c')).toBe(true);
  });

  it('answers star-heavy patterns against long types (an exponential matcher would never finish)', () => {
    const long = Array.from({ length: 127 }, () => 'a').join('.');
    for (let i = 0; i < 200; i++) {
      expect(matchesPattern('*.*.*.*.*.*.*.x', long)).toBe(false);
      expect(matchesPattern('*.a.*.a.*.a.*.b', long)).toBe(false);
    }
    expect(matchesPattern('*.*.*.*.*.*.*.a', long)).toBe(true);
  });

  it('accepts every allowed character and the longest pattern', () => {
    expect(isValidPattern('aZ09_-.+.*')).toBe(true);
    const longest = `${'a'.repeat(MAX_PATTERN_LENGTH - 2)}.*`;
    expect(isValidPattern(longest)).toBe(true);
  });
});

describe('invalid patterns', () => {
  const cases: readonly (readonly [string, string, RegExp])[] = [
    ['partial wildcard', 'valid*', /partial wildcards aren't allowed.*did you mean `valid\.\*`\?/],
    ['leading partial wildcard', 'a.*b', /did you mean `a\.\*\.b`\?/],
    ['partial +', 'a.b+c', /did you mean `a\.b\.\+\.c`\?/],
    ['globstar', 'a.**', /did you mean `a\.\*`\?/],
    ['empty', '', /it is empty; use `\*`/],
    ['leading dot', '.a.b', /empty segment.*did you mean `a\.b`\?/],
    ['trailing dot', 'a.b.', /empty segment.*did you mean `a\.b`\?/],
    ['double dot', 'a..b', /empty segment.*did you mean `a\.b`\?/],
    ['only a dot', '.', /empty segment.*use `\*`/],
    ['space', 'a.b c', /"b c" may only hold letters, digits, '_' and '-'/],
    ['slash', 'a/b', /may only hold letters/],
    ['non-ASCII', 'validación.*', /may only hold letters/],
    ['AMQP #', 'a.#', /`#` is not a wildcard here; did you mean `a\.\*`/],
    ['NATS >', 'a.>', /did you mean `a\.\*`/],
    ['too long', `${'a'.repeat(MAX_PATTERN_LENGTH)}.*`, /257 characters long; at most 255/],
  ];
  for (const [name, pattern, message] of cases) {
    it(`rejects ${name}: ${JSON.stringify(pattern.slice(0, 20))}`, () => {
      expect(isValidPattern(pattern)).toBe(false);
      for (const fn of [() => parsePattern(pattern), () => matchesPattern(pattern, 'a.b'), () => new PatternIndex().add(pattern, 1)]) {
        const error = thrown(fn);
        expect(error.code).toBe('INVALID_PATTERN');
        expect(error.name).toBe('InvalidPatternError');
        // The pattern is quoted, cut to 80 characters: an error never echoes a huge input whole.
        expect(error.message).toContain(JSON.stringify(pattern.slice(0, 80)).slice(0, -1));
        expect(error.message.length).toBeLessThan(200);
        expect(error.message).toMatch(message);
      }
    });
  }
});

describe('matchesPattern', () => {
  it('returns false, without throwing, for invalid event types', () => {
    for (const type of ['', 'a..b', '.a', 'a.', 'a.b*c', 'a b', 'a'.repeat(256)]) {
      expect(matchesPattern('*', type)).toBe(false);
      expect(matchesPattern('+.+', type)).toBe(false);
    }
  });

  it('keeps answering correctly once its cache has been cleared', () => {
    for (let i = 0; i < 2_500; i++) expect(matchesPattern(`p${i}.+`, `p${i}.x`)).toBe(true);
    expect(matchesPattern('p0.+', 'p0.x')).toBe(true);
    expect(matchesPattern('p0.+', 'p1.x')).toBe(false);
  });
});

describe('PatternIndex', () => {
  it('returns each value once, in registration order, however many patterns match', () => {
    const index = new PatternIndex<string>();
    index.add('a.*', 'first');
    index.add('*.b', 'second');
    index.add('a.b', 'first');
    index.add('+.+', 'third');
    expect(index.match('a.b')).toEqual(['first', 'second', 'third']);
    expect(index.match('a.c')).toEqual(['first', 'third']);
    expect(index.patterns()).toEqual(['a.*', '*.b', 'a.b', '+.+']);
  });

  it('counts a (pattern, value) added twice, and needs two removes for it', () => {
    const index = new PatternIndex<string>();
    index.add('a.*', 'v');
    index.add('a.*', 'v');
    expect(index.size).toBe(2);
    expect(index.match('a.b')).toEqual(['v']);
    expect(index.remove('a.*', 'v')).toBe(true);
    expect(index.match('a.b')).toEqual(['v']);
    expect(index.remove('a.*', 'v')).toBe(true);
    expect(index.match('a.b')).toEqual([]);
    expect(index.remove('a.*', 'v')).toBe(false);
    expect(index.remove('not valid*', 'v')).toBe(false);
    expect(index.size).toBe(0);
    expect(index.patterns()).toEqual([]);
  });

  it('moves a value to its next matching registration when the earliest is removed', () => {
    const index = new PatternIndex<string>();
    index.add('a.+', 'x');
    index.add('a.b', 'y');
    index.add('*', 'x');
    expect(index.match('a.b')).toEqual(['x', 'y']);
    index.remove('a.+', 'x');
    expect(index.match('a.b')).toEqual(['y', 'x']);
  });

  it('returns frozen, shared arrays, and one shared empty array', () => {
    const index = new PatternIndex<number>();
    index.add('a.+', 1);
    const first = index.match('a.b');
    expect(Object.isFrozen(first)).toBe(true);
    expect(index.match('a.b')).toBe(first);
    const none = index.match('z');
    expect(none).toEqual([]);
    expect(Object.isFrozen(none)).toBe(true);
    expect(index.match('y')).toBe(none);
    expect(new PatternIndex<string>().match('a')).toBe(none);
    index.add('a.*', 2);
    expect(first).toEqual([1]); // a result already handed out never changes
    expect(index.match('a.b')).toEqual([1, 2]);
  });

  it('matches nothing for an invalid event type, without throwing', () => {
    const index = new PatternIndex<number>();
    index.add('*', 1);
    for (const type of ['', 'a..b', 'a.*', 'a b']) {
      expect(index.match(type)).toEqual([]);
      expect(index.hasMatch(type)).toBe(false);
    }
    expect(index.hasMatch('a')).toBe(true);
  });

  it('works with caching off and with a tiny cache', () => {
    for (const cacheSize of [0, 1]) {
      const index = new PatternIndex<number>({ cacheSize });
      index.add('a.*', 1);
      expect([index.match('a.b'), index.match('a.c'), index.match('a.b')]).toEqual([[1], [1], [1]]);
    }
    expect(thrown(() => new PatternIndex({ cacheSize: -1 })).code).toBe('INVALID_OPTION');
    expect(thrown(() => new PatternIndex({ cacheSize: 1.5 })).code).toBe('INVALID_OPTION');
  });

  it('clear() forgets everything', () => {
    const index = new PatternIndex<number>();
    index.add('a.*', 1);
    index.match('a.b');
    index.clear();
    expect(index.size).toBe(0);
    expect(index.patterns()).toEqual([]);
    expect(index.match('a.b')).toEqual([]);
    index.add('a.+', 2);
    expect(index.match('a.b')).toEqual([2]);
  });

  it('frees the trie when every registration is removed', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = (): number => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const index = new PatternIndex<number>();
    const patterns = Array.from({ length: 20_000 }, (_, i) => `p${i}.+.q${i}.*.r${i}`);
    const before = heap();
    patterns.forEach((p, i) => index.add(p, i));
    const full = heap() - before;
    patterns.forEach((p, i) => index.remove(p, i));
    const left = heap() - before;
    expect(full).toBeGreaterThan(5_000_000);
    expect(left).toBeLessThan(full / 10);
  });
});
