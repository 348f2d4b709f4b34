import { parsePattern } from '../index.js';

/** The range of stored types a pattern can match: those starting with its leading literal segments. */
export interface TypeRange {
  /** Every type of the pattern, when it has no wildcard (then nothing else can match). */
  readonly exact?: string;
  /** Types `>= low` and `< high`; absent when the pattern starts with a wildcard (every type). */
  readonly low?: string;
  readonly high?: string;
}

/**
 * How a store finds the types `pattern` matches without scanning records: each store keeps the
 * distinct types it holds in a table of their own, reads those in this range (an index range on
 * that table), and keeps the ones `matchesPattern` accepts; the records are then read through the
 * `(type, position)` index. So answers are `matchesPattern`'s by construction.
 *
 * @throws {@link InvalidPatternError} for a pattern outside the grammar.
 */
export function typeRangeOf(pattern: string): TypeRange {
  const compiled = parsePattern(pattern);
  if (compiled.isExact) return { exact: pattern };
  const literals: string[] = [];
  for (const s of compiled.segments) {
    if (s.kind !== 'literal') break;
    literals.push(s.text);
  }
  if (literals.length === 0) return {};
  const prefix = `${literals.join('.')}.`;
  // '/' follows '.' in code-unit order, so [prefix, prefix with '.' → '/') is every type starting with it.
  return { low: prefix, high: `${prefix.slice(0, -1)}/` };
}

/** The types of `candidates` that `pattern` matches. */
export function matchingTypes(pattern: string, candidates: readonly string[]): string[] {
  const compiled = parsePattern(pattern);
  return candidates.filter(compiled.matches);
}
