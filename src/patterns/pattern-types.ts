/**
 * Type-level twins of `pattern.ts`: validate literal patterns and compute which event types a
 * pattern matches, at compile time, with exactly the runtime semantics (DESIGN §2).
 *
 * @remarks The recursions are tail calls where TypeScript allows it, so long types and patterns stay
 * well under the instantiation-depth limit. The 255-character limit is checked at runtime only.
 */

type Lower = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm';
type Lower2 = 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z';
type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
/** A character allowed in a literal segment: `[A-Za-z0-9_-]`. */
type SegmentChar = Lower | Lower2 | Uppercase<Lower | Lower2> | Digit | '_' | '-';

/** `'a.b.c'` → `['a', 'b', 'c']` (tail-recursive). */
type Split<S extends string, Acc extends string[] = []> = S extends `${infer Head}.${infer Rest}`
  ? Split<Rest, [...Acc, Head]>
  : [...Acc, S];

/** The error message type for `Reason`; every message starts with `✗ invalid pattern`. */
type Fail<Reason extends string> = `✗ invalid pattern: ${Reason}`;

/** `never` if every character of literal segment `S` is allowed, else the error for the first bad one. */
type CheckChars<S extends string, Rest extends string = S> = Rest extends `${infer C}${infer Tail}`
  ? C extends SegmentChar
    ? CheckChars<S, Tail>
    : string extends C
      ? never // a `${string}` hole: can't be judged, let the runtime check decide
      : Fail<`character '${C}' not allowed in segment '${S}'`>
  : never;

/** `never` for a valid segment, else its error message type. */
type CheckSegment<S extends string> = S extends ''
  ? Fail<'empty segment (leading, trailing or doubled dot)'>
  : S extends '*' | '+'
    ? never
    : S extends `${string}*${string}` | `${string}+${string}`
      ? Fail<`partial wildcard in segment '${S}'`>
      : CheckChars<S>;

/** The first error of `Segments`, or `never` if all are valid (tail-recursive). */
type CheckSegments<Segments extends string[]> = Segments extends [infer S extends string, ...infer Rest extends string[]]
  ? [CheckSegment<S>] extends [never]
    ? CheckSegments<Rest>
    : CheckSegment<S>
  : never;

/** The error message type of pattern `P`, or `never` when `P` is valid. */
type PatternError<P extends string> = P extends '' ? Fail<'it is empty'> : CheckSegments<Split<P>>;

/**
 * A compile-time check of a pattern: `P` itself when `P` is a valid literal pattern, `string` when
 * `P` is the wide `string` (it is then checked at runtime only), otherwise a string literal type
 * that explains the problem, e.g. `"✗ invalid pattern: partial wildcard in segment 'valid*'"`.
 * Distributes over a union of patterns.
 *
 * @example
 * ```ts
 * declare function subscribe<P extends string>(pattern: ValidPattern<P>): void;
 * subscribe('validation.*'); // ok
 * subscribe('valid*');       // error: '"valid*"' is not assignable to
 *                            //   '"✗ invalid pattern: partial wildcard in segment 'valid*'"'
 * ```
 */
export type ValidPattern<P extends string> = string extends P
  ? string
  : P extends unknown
    ? [PatternError<P>] extends [never]
      ? P
      : PatternError<P>
    : never;

/** Whether pattern segments `P` match all of type segments `T`. */
type MatchSegments<P extends string[], T extends string[]> = P extends [infer Head extends string, ...infer Rest extends string[]]
  ? T extends [infer First extends string, ...infer Others extends string[]]
    ? Head extends '*'
      ? MatchStar<Rest, Others>
      : Head extends '+' | First
        ? MatchSegments<Rest, Others>
        : false
    : false
  : T extends []
    ? true
    : false;

/**
 * A `*` has already taken one segment and `T` is what follows it: either the rest of the pattern
 * matches `T` now, or the star takes one more segment (tail-recursive backtracking).
 */
type MatchStar<Rest extends string[], T extends string[]> =
  MatchSegments<Rest, T> extends true ? true : T extends [string, ...infer Others extends string[]] ? MatchStar<Rest, Others> : false;

/**
 * `true` when pattern `P` matches event type `T`, `false` when it does not, with the runtime's
 * semantics (`*` = one or more segments, `+` = exactly one, literals case-sensitive). `boolean` when
 * either side is the wide `string`. Distributes over unions (so a union may give `boolean`); use
 * {@link MatchingTypes} to filter a union.
 */
export type PatternMatches<P extends string, T extends string> = string extends P | T
  ? boolean
  : P extends unknown
    ? T extends unknown
      ? MatchSegments<Split<P>, Split<T>>
      : never
    : never;

/**
 * The members of the union `T` that pattern `P` matches (all of `T` when `P` is the wide `string`;
 * with a union of patterns, the members that any of them matches).
 *
 * @example
 * ```ts
 * type Types = 'validation.started' | 'validation.phase.completed' | 'system.error.disk';
 * type V = MatchingTypes<'validation.+', Types>; // 'validation.started'
 * ```
 */
export type MatchingTypes<P extends string, T extends string> = string extends P
  ? T
  : T extends unknown
    ? true extends PatternMatches<P, T>
      ? T
      : never
    : never;

/**
 * The members of the event union `E` whose `eventType` pattern `P` matches (all of `E` when `P` is
 * the wide `string`). A member whose `eventType` is itself a union is kept when any of its types
 * matches; a member typed with the wide `string` is always kept.
 */
export type MatchingEvents<E extends { readonly eventType: string }, P extends string> = string extends P
  ? E
  : E extends unknown
    ? [MatchingTypes<P, E['eventType']>] extends [never]
      ? never
      : E
    : never;

/**
 * Whether pattern `P` is a literal known in full at compile time: `false` for the wide `string` and
 * for template literal types with a hole, such as `` `${string}.started` ``.
 */
// A literal key makes `Record<P, …>` a required property, which `{}` lacks; a hole makes it an
// index signature, which `{}` satisfies.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type IsFullLiteral<P extends string> = {} extends Record<P, unknown> ? false : true;

/** The error message type of a valid pattern that matches no known event type; `Hint` is appended. */
type NoMatch<P extends string, Hint extends string> = `✗ no event type matches '${P}'${Hint}`;

/** What {@link KnownPattern} appends to its error message by default. */
type SubscribeHint = ' (misspelt? for event types without a definition, use subscribeUntyped)';

/**
 * A compile-time check of a pattern against the events `E` it may receive: like
 * {@link ValidPattern}, but a valid literal pattern that matches none of `E`'s event types is an
 * error too (a misspelling that would otherwise compile and stay silent at run time). `P` itself
 * when it is fine, `string` when it is the wide `string`, else a string literal type explaining the
 * problem, e.g. `"✗ no event type matches 'valdation.*' (misspelt? …)"`. A pattern with a
 * `${string}` hole is checked for validity only. Distributes over a union of patterns.
 *
 * @typeParam E - the events on offer (a member typed with the wide `string` matches every pattern)
 * @typeParam Hint - appended to the no-match message
 *
 * @example
 * ```ts
 * declare function on<const P extends string>(pattern: KnownPattern<P, ValidationEvent>): void;
 * on('validation.*');  // ok
 * on('valdation.*');   // error: '"valdation.*"' is not assignable to
 *                      //   '"✗ no event type matches 'valdation.*' (misspelt? …)"'
 * ```
 */
export type KnownPattern<P extends string, E extends { readonly eventType: string }, Hint extends string = SubscribeHint> = string extends P
  ? string
  : P extends unknown
    ? [PatternError<P>] extends [never]
      ? IsFullLiteral<P> extends false
        ? P
        : [MatchingEvents<E, P>] extends [never]
          ? NoMatch<P, Hint>
          : P
      : PatternError<P>
    : never;
