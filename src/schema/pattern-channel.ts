import { parsePattern, type PatternSegment } from '../index.js';

/** A subscription pattern as an AsyncAPI channel address: literal segments kept, each wildcard a parameter. */
export interface PatternAddress {
  /** The address after the namespace prefix, e.g. `order.{part2}`. */
  readonly address: string;
  /** Each parameter: its name, what it stands for, and the values the known types give it. */
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly wildcard: '+' | '*'; readonly values: readonly string[] }>;
  /** The known event types the pattern matches, in the order given. */
  readonly matching: readonly string[];
}

/**
 * The address of `pattern` with a parameter per wildcard (AsyncAPI has no wildcards, but its
 * parameters can stand for parts of an address), and the values each takes for `types`.
 * @throws {@link InvalidPatternError} for an invalid pattern.
 */
export function patternAddress(pattern: string, types: readonly string[]): PatternAddress {
  const segments = parsePattern(pattern).segments;
  const names = segments.map((s, i) => (s.kind === 'literal' ? undefined : `part${i + 1}`));
  const values = names.map(() => new Set<string>());
  const matching: string[] = [];
  for (const type of types) {
    const bound = bind(segments, type.split('.'));
    if (bound === undefined) continue;
    matching.push(type);
    bound.forEach((value, i) => value !== undefined && values[i]!.add(value));
  }
  return {
    address: segments.map((s, i) => (s.kind === 'literal' ? s.text : `{${names[i]}}`)).join('.'),
    parameters: segments.flatMap((s, i) => (s.kind === 'literal' ? [] : [{ name: names[i]!, wildcard: s.text, values: [...values[i]!].sort() }])),
    matching,
  };
}

/** What each wildcard of `segments` stands for in `parts` (literals: `undefined`), or `undefined` if they don't match. */
function bind(segments: readonly PatternSegment[], parts: readonly string[]): (string | undefined)[] | undefined {
  const at = (s: number, p: number): (string | undefined)[] | undefined => {
    if (s === segments.length) return p === parts.length ? [] : undefined;
    const segment = segments[s]!;
    if (p >= parts.length) return undefined;
    if (segment.kind === 'literal') {
      if (parts[p] !== segment.text) return undefined;
      const rest = at(s + 1, p + 1);
      return rest === undefined ? undefined : [undefined, ...rest];
    }
    // `+` takes one segment; `*` one or more, shortest first.
    const longest = segment.kind === 'single' ? p + 1 : parts.length;
    for (let end = p + 1; end <= longest; end++) {
      const rest = at(s + 1, end);
      if (rest !== undefined) return [parts.slice(p, end).join('.'), ...rest];
    }
    return undefined;
  };
  return at(0, 0);
}
