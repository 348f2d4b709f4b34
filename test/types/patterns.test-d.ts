// Compile-only: checked by `tsc --noEmit -p tsconfig.json`; a failing case is a type error here.
import type { KnownPattern, MatchingEvents, MatchingTypes, PatternMatches, ValidPattern } from '../../src/patterns/pattern-types.js';
import type { Equal, Expect } from './assert.js';

// The table of DESIGN §2, row by row.
export type TableRows = [
  Expect<Equal<PatternMatches<'validation.*', 'validation.started'>, true>>,
  Expect<Equal<PatternMatches<'validation.*', 'validation.phase.completed'>, true>>,
  Expect<Equal<PatternMatches<'validation.*', 'validation'>, false>>,
  Expect<Equal<PatternMatches<'validation.*', 'performance.metric.recorded'>, false>>,

  Expect<Equal<PatternMatches<'*.error.*', 'validation.error.occurred'>, true>>,
  Expect<Equal<PatternMatches<'*.error.*', 'system.error.disk.full'>, true>>,
  Expect<Equal<PatternMatches<'*.error.*', 'error.occurred'>, false>>,
  Expect<Equal<PatternMatches<'*.error.*', 'system.error'>, false>>,

  Expect<Equal<PatternMatches<'*.started', 'validation.started'>, true>>,
  Expect<Equal<PatternMatches<'*.started', 'validation.phase.started'>, true>>,
  Expect<Equal<PatternMatches<'*.started', 'started'>, false>>,

  Expect<Equal<PatternMatches<'validation.+', 'validation.started'>, true>>,
  Expect<Equal<PatternMatches<'validation.+', 'validation.phase.completed'>, false>>,

  Expect<Equal<PatternMatches<'performance.metric.recorded', 'performance.metric.recorded'>, true>>,
  Expect<Equal<PatternMatches<'performance.metric.recorded', 'performance.metric'>, false>>,
  Expect<Equal<PatternMatches<'performance.metric.recorded', 'performance.metric.recorded.x'>, false>>,
  Expect<Equal<PatternMatches<'performance.metric.recorded', 'Performance.metric.recorded'>, false>>,
];

// `+` is exactly one segment; `*` needs backtracking when a literal recurs.
export type Wildcards = [
  Expect<Equal<PatternMatches<'+', 'a'>, true>>,
  Expect<Equal<PatternMatches<'+', 'a.b'>, false>>,
  Expect<Equal<PatternMatches<'+.+', 'a.b'>, true>>,
  Expect<Equal<PatternMatches<'a.+.c', 'a.b.c'>, true>>,
  Expect<Equal<PatternMatches<'a.+.c', 'a.c'>, false>>,
  Expect<Equal<PatternMatches<'*', 'a.b.c'>, true>>,
  Expect<Equal<PatternMatches<'*.*', 'a'>, false>>,
  Expect<Equal<PatternMatches<'*.*', 'a.b.c'>, true>>,
  Expect<Equal<PatternMatches<'*.a.*.b', 'x.a.b.a.y.b'>, true>>,
  Expect<Equal<PatternMatches<'*.a.+', 'a.a.a.b'>, true>>,
  Expect<Equal<PatternMatches<'*.a.+', 'x.a.b.c'>, false>>,
  Expect<Equal<PatternMatches<'*.+.*', 'a.b'>, false>>,
  Expect<Equal<PatternMatches<'*.+.*', 'a.b.c'>, true>>,
];

// Invalid literal patterns become readable error message types.
export type Validation = [
  Expect<Equal<ValidPattern<'validation.*'>, 'validation.*'>>,
  Expect<Equal<ValidPattern<'a_b-C9.+.*'>, 'a_b-C9.+.*'>>,
  Expect<Equal<ValidPattern<'valid*'>, "✗ invalid pattern: partial wildcard in segment 'valid*'">>,
  Expect<Equal<ValidPattern<'a.+b'>, "✗ invalid pattern: partial wildcard in segment '+b'">>,
  Expect<Equal<ValidPattern<'a.**'>, "✗ invalid pattern: partial wildcard in segment '**'">>,
  Expect<Equal<ValidPattern<''>, '✗ invalid pattern: it is empty'>>,
  Expect<Equal<ValidPattern<'.a'>, '✗ invalid pattern: empty segment (leading, trailing or doubled dot)'>>,
  Expect<Equal<ValidPattern<'a.'>, '✗ invalid pattern: empty segment (leading, trailing or doubled dot)'>>,
  Expect<Equal<ValidPattern<'a..b'>, '✗ invalid pattern: empty segment (leading, trailing or doubled dot)'>>,
  Expect<Equal<ValidPattern<'a.b c'>, "✗ invalid pattern: character ' ' not allowed in segment 'b c'">>,
  Expect<Equal<ValidPattern<'a.#'>, "✗ invalid pattern: character '#' not allowed in segment '#'">>,
  Expect<Equal<ValidPattern<'a.é'>, "✗ invalid pattern: character 'é' not allowed in segment 'é'">>,
  // The wide string can only be checked at runtime.
  Expect<Equal<ValidPattern<string>, string>>,
  // A union of patterns is checked member by member.
  Expect<Equal<ValidPattern<'a.*' | 'b*'>, 'a.*' | "✗ invalid pattern: partial wildcard in segment 'b*'">>,
];

// How an API is meant to use it: a bad literal is a compile error naming the problem.
declare function subscribe<P extends string>(pattern: ValidPattern<P>): P;
declare const somePattern: string;
export const accepted = [subscribe('validation.*'), subscribe('*.error.*'), subscribe('validation.+'), subscribe(somePattern)];
export const inferred = subscribe('validation.+');
export type Inferred = [Expect<Equal<typeof inferred, 'validation.+'>>];
// @ts-expect-error partial wildcard
subscribe('valid*');
// @ts-expect-error empty segment
subscribe('validation..started');
// @ts-expect-error trailing dot
subscribe('validation.');
// @ts-expect-error character outside [A-Za-z0-9_-]
subscribe('validation/started');
// @ts-expect-error the empty pattern
subscribe('');

type Types =
  | 'validation.started'
  | 'validation.phase.completed'
  | 'validation.error.occurred'
  | 'performance.metric.recorded'
  | 'system.error.disk.full'
  | 'system.error';

// Distribution over a union of event types.
export type Unions = [
  Expect<Equal<MatchingTypes<'validation.*', Types>, 'validation.started' | 'validation.phase.completed' | 'validation.error.occurred'>>,
  Expect<Equal<MatchingTypes<'*.error.*', Types>, 'validation.error.occurred' | 'system.error.disk.full'>>,
  Expect<Equal<MatchingTypes<'validation.+', Types>, 'validation.started'>>,
  Expect<Equal<MatchingTypes<'nothing.+', Types>, never>>,
  Expect<Equal<MatchingTypes<string, Types>, Types>>,
  Expect<Equal<MatchingTypes<'validation.+' | 'system.+', Types>, 'validation.started' | 'system.error'>>,
  Expect<Equal<PatternMatches<'validation.+', 'validation.started' | 'system.error'>, boolean>>,
  Expect<Equal<PatternMatches<string, 'a'>, boolean>>,
  Expect<Equal<PatternMatches<'a.*', string>, boolean>>,
];

interface Ev<T extends string> {
  readonly eventType: T;
  readonly data: { readonly type: T };
}
type Events = Ev<'validation.started'> | Ev<'validation.phase.completed'> | Ev<'system.error.disk.full'> | Ev<'a.x' | 'b.x'>;

export type EventUnions = [
  Expect<Equal<MatchingEvents<Events, 'validation.*'>, Ev<'validation.started'> | Ev<'validation.phase.completed'>>>,
  Expect<Equal<MatchingEvents<Events, '*.error.*'>, Ev<'system.error.disk.full'>>>,
  Expect<Equal<MatchingEvents<Events, 'b.+'>, Ev<'a.x' | 'b.x'>>>,
  Expect<Equal<MatchingEvents<Events, 'none'>, never>>,
  Expect<Equal<MatchingEvents<Events, string>, Events>>,
  Expect<Equal<MatchingEvents<Events | Ev<string>, 'none'>, Ev<string>>>,
];

// KnownPattern: valid, and matching at least one event on offer; else a readable message.
type Hint = ' (misspelt? for event types without a definition, use subscribeUntyped)';
export type Known = [
  Expect<Equal<KnownPattern<'validation.*', Events>, 'validation.*'>>,
  Expect<Equal<KnownPattern<'b.+', Events>, 'b.+'>>,
  Expect<Equal<KnownPattern<'valdation.*', Events>, `✗ no event type matches 'valdation.*'${Hint}`>>,
  Expect<Equal<KnownPattern<'validation.+.+.+', Events>, `✗ no event type matches 'validation.+.+.+'${Hint}`>>,
  Expect<Equal<KnownPattern<'none', Events, ''>, "✗ no event type matches 'none'">>,
  // Validity comes first: an invalid pattern gets the invalid-pattern message.
  Expect<Equal<KnownPattern<'valid*', Events>, "✗ invalid pattern: partial wildcard in segment 'valid*'">>,
  Expect<Equal<KnownPattern<'', Events>, '✗ invalid pattern: it is empty'>>,
  // Not known in full at compile time: the wide string, and patterns with a hole.
  Expect<Equal<KnownPattern<string, Events>, string>>,
  Expect<Equal<KnownPattern<`nothing.${string}`, Events>, `nothing.${string}`>>,
  Expect<Equal<KnownPattern<`${string}.b c`, Events>, "✗ invalid pattern: character ' ' not allowed in segment 'b c'">>,
  // A member typed with the wide string can be anything, so every valid pattern matches it.
  Expect<Equal<KnownPattern<'none', Events | Ev<string>>, 'none'>>,
  // Nothing on offer: every literal is an error.
  Expect<Equal<KnownPattern<'a.*', never>, `✗ no event type matches 'a.*'${Hint}`>>,
  // Distributes over a union of patterns.
  Expect<Equal<KnownPattern<'validation.+' | 'none' | 'b*', Events>, 'validation.+' | `✗ no event type matches 'none'${Hint}` | "✗ invalid pattern: partial wildcard in segment 'b*'">>,
  // At scale, the same answers.
  Expect<Equal<KnownPattern<'*.error.*.*.*.failed', Ev<Many>>, '*.error.*.*.*.failed'>>,
  Expect<Equal<KnownPattern<'*.eror.*', Ev<Many>>, `✗ no event type matches '*.eror.*'${Hint}`>>,
];

// Scale: 192 event types of 3 to 6 segments against patterns of up to 6 segments, no depth errors.
type Area = 'validation' | 'performance' | 'system' | 'audit';
type Part = 'phase' | 'metric' | 'error' | 'disk';
type Verb = 'started' | 'completed' | 'failed' | 'recorded';
type Many = `${Area}.${Part}.${Verb}` | `${Area}.${Part}.x.y.${Verb}` | `${Area}.${Part}.x.y.z.${Verb}`;
export type Scale = [
  Expect<Equal<MatchingTypes<'*.error.*.*.*.failed', Many>, `${Area}.error.x.y.z.failed`>>,
  Expect<Equal<MatchingTypes<'*.error.*.failed', Many>, `${Area}.error.x.y.failed` | `${Area}.error.x.y.z.failed`>>,
  Expect<Equal<MatchingTypes<'+.+.+.+.+.+', Many>, `${Area}.${Part}.x.y.z.${Verb}`>>,
  Expect<Equal<MatchingTypes<'*.*.*.*.recorded', Many>, `${Area}.${Part}.x.y.recorded` | `${Area}.${Part}.x.y.z.recorded`>>,
  Expect<Equal<MatchingTypes<'*.*.*.*.*.*', `${Many}.q`>, `${Area}.${Part}.x.y.${Verb}.q` | `${Area}.${Part}.x.y.z.${Verb}.q`>>,
  Expect<Equal<MatchingTypes<'audit.+.*.failed', Many>, `audit.${Part}.x.y.failed` | `audit.${Part}.x.y.z.failed`>>,
  Expect<Equal<MatchingEvents<Ev<Many>, '*.x.+.+.started'>, Ev<Many>>>,
];

// A 50-segment type against star-heavy patterns: backtracking stays within the depth limit.
type Long = 'a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a';
export type LongTypes = [
  Expect<Equal<PatternMatches<'*.*.*.*.*.x', Long>, false>>,
  Expect<Equal<PatternMatches<'*.*.*.*.*.a', Long>, true>>,
  Expect<Equal<PatternMatches<'*.a.*.a.*.b', Long>, false>>,
  Expect<Equal<ValidPattern<`${Long}.*`>, `${Long}.*`>>,
];
