import { InvalidPatternError } from '../errors.js';
import { isEventType } from '../events/event-type.js';

/** Longest pattern accepted, in characters (DESIGN §2). */
export const MAX_PATTERN_LENGTH = 255;

/**
 * One dot-separated part of a compiled pattern.
 *
 * - `literal`: matches the segment `text` exactly (case-sensitive);
 * - `single` (`+`): matches exactly one segment;
 * - `multi` (`*`): matches one or more whole segments.
 */
export type PatternSegment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'single'; readonly text: '+' }
  | { readonly kind: 'multi'; readonly text: '*' };

/**
 * A validated pattern, ready to test event types against.
 *
 * @remarks Immutable. `matches` is a bound function, so it may be passed around detached
 * (`types.filter(p.matches)`).
 */
export interface CompiledPattern {
  /** The pattern as written, e.g. `validation.*`. */
  readonly source: string;
  /** The parsed segments, in order. */
  readonly segments: readonly PatternSegment[];
  /** `true` when the pattern has no wildcard, so it matches only the event type equal to `source`. */
  readonly isExact: boolean;
  /**
   * Whether `eventType` matches this pattern. Never throws: anything that is not a valid event type
   * (DESIGN §2) gives `false`. Runs in O(pattern segments × type segments) at worst.
   */
  readonly matches: (eventType: string) => boolean;
}

const LITERAL_SEGMENT = /^[A-Za-z0-9_-]+$/;
const SINGLE: PatternSegment = Object.freeze({ kind: 'single', text: '+' });
const MULTI: PatternSegment = Object.freeze({ kind: 'multi', text: '*' });

/**
 * Why `pattern` breaks the grammar of DESIGN §2, phrased as advice; `undefined` when it is valid.
 */
function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'it is empty; use `*` to match every event type';
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `it is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  const segments = pattern.split('.');
  if (segments.includes('')) {
    const fixed = segments.filter((s) => s !== '').join('.');
    const hint = fixed === '' ? 'use `*` to match every event type' : `did you mean \`${fixed}\`?`;
    return `it has an empty segment (a leading, trailing or doubled dot); ${hint}`;
  }
  for (const segment of segments) {
    const problem = segmentProblem(segment, segments);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function segmentProblem(segment: string, all: readonly string[]): string | undefined {
  if (segment === '*' || segment === '+' || LITERAL_SEGMENT.test(segment)) return undefined;
  const replace = (by: string): string => all.map((s) => (s === segment ? by : s)).join('.');
  if (segment === '#' || segment === '>') {
    // AMQP (`#`) and NATS (`>`) habits: say what the equivalent is here.
    return `\`${segment}\` is not a wildcard here; did you mean \`${replace('*')}\` (\`*\` matches one or more segments)?`;
  }
  if (/[*+]/.test(segment)) {
    // `**` is a globstar habit; `*` already spans several segments.
    const split = /^\*+$/.test(segment) ? '*' : splitWildcards(segment);
    return `partial wildcards aren't allowed (${JSON.stringify(segment)}: a wildcard must be a whole segment); did you mean \`${replace(split)}\`?`;
  }
  return `segment ${JSON.stringify(segment)} may only hold letters, digits, '_' and '-', or be exactly \`*\` or \`+\``;
}

/** `valid*` → `valid.*`, `a+b` → `a.+.b`: every wildcard character becomes a segment of its own. */
function splitWildcards(segment: string): string {
  return segment
    .split(/([*+])/)
    .filter((part) => part !== '')
    .join('.');
}

/** Whether `pattern` is a valid subscription pattern (DESIGN §2). Never throws. */
export function isValidPattern(pattern: string): boolean {
  return patternProblem(pattern) === undefined;
}

/**
 * Validates and compiles `pattern`.
 *
 * @throws {@link InvalidPatternError} (code `INVALID_PATTERN`) saying what is wrong and how to fix it,
 * e.g. for `valid*`: "partial wildcards aren't allowed …; did you mean `valid.*`?".
 * @example
 * ```ts
 * const p = parsePattern('validation.*');
 * p.matches('validation.phase.completed'); // true
 * p.matches('validation');                 // false: `*` needs at least one segment
 * ```
 */
export function parsePattern(pattern: string): CompiledPattern {
  const problem = patternProblem(pattern);
  if (problem !== undefined) throw new InvalidPatternError(pattern, problem);
  const segments = Object.freeze(pattern.split('.').map(toSegment));
  const isExact = segments.every((s) => s.kind === 'literal');
  const matches = isExact ? (type: string): boolean => type === pattern : wildcardMatcher(segments);
  return Object.freeze({ source: pattern, segments, isExact, matches });
}

function toSegment(text: string): PatternSegment {
  if (text === '*') return MULTI;
  if (text === '+') return SINGLE;
  return Object.freeze({ kind: 'literal', text });
}

// Matcher tokens: a string is a literal segment, ONE is `+`, REST is "zero or more segments".
const ONE = 1;
const REST = 2;
type Token = string | typeof ONE | typeof REST;

/**
 * Builds the matcher of a pattern with wildcards. `*` (one or more) is rewritten as `+` followed
 * by a zero-or-more star, which reduces matching to classic glob matching with a single
 * backtracking point: O(n × m) at worst, never exponential, and no RegExp built from user input.
 */
function wildcardMatcher(segments: readonly PatternSegment[]): (type: string) => boolean {
  const tokens: Token[] = [];
  for (const s of segments) {
    if (s.kind === 'literal') tokens.push(s.text);
    else if (s.kind === 'single') tokens.push(ONE);
    else tokens.push(ONE, REST);
  }
  const minSegments = tokens.filter((t) => t !== REST).length;
  const hasRest = tokens.includes(REST);
  return (type: string): boolean => {
    if (!isEventType(type)) return false;
    const parts = type.split('.');
    if (parts.length < minSegments || (!hasRest && parts.length !== minSegments)) return false;
    return globMatch(tokens, parts);
  };
}

function globMatch(tokens: readonly Token[], parts: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let starP = -1; // token index of the last REST seen
  let starT = -1; // part index that REST is currently assumed to end at
  while (t < parts.length) {
    const token = tokens[p];
    if (token === ONE || (typeof token === 'string' && token === parts[t])) {
      p++;
      t++;
    } else if (token === REST) {
      starP = p++;
      starT = t;
    } else if (starP !== -1) {
      // Let the last REST swallow one more part and retry from just after it.
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (tokens[p] === REST) p++;
  return p === tokens.length;
}

/** How many compiled patterns {@link matchesPattern} keeps before starting afresh. */
const PATTERN_CACHE_LIMIT = 1_000;
const patternCache = new Map<string, CompiledPattern>();

/**
 * Whether `eventType` matches `pattern`. Compiled patterns are cached (up to 1,000, then the
 * cache is cleared), so repeated calls with the same pattern are cheap.
 *
 * @returns `false` for an invalid event type (it never throws because of the type).
 * @throws {@link InvalidPatternError} if `pattern` is invalid.
 * @example
 * ```ts
 * matchesPattern('*.error.*', 'system.error.disk.full'); // true
 * matchesPattern('*.error.*', 'system.error');           // false
 * ```
 */
export function matchesPattern(pattern: string, eventType: string): boolean {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    compiled = parsePattern(pattern);
    if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
    patternCache.set(pattern, compiled);
  }
  return compiled.matches(eventType);
}
