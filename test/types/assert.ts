/**
 * Compile-time assertions for type tests (`test/types/*.test-d.ts`, checked by `tsc --noEmit`).
 *
 * @example
 * ```ts
 * export type Cases = [Expect<Equal<MatchingTypes<'a.+', 'a.b' | 'a.b.c'>, 'a.b'>>];
 * ```
 */

/**
 * `true` when `A` and `B` are the same type, `false` otherwise. Stricter than mutual assignability:
 * `any` is not equal to `unknown`, and `boolean` is not equal to `true`.
 */
// Comparing two deferred generic signatures makes the compiler use its internal identity check
// instead of assignability.
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when `T` is `true`; wrap every {@link Equal} in it. */
export type Expect<T extends true> = T;

/** `true` when `A` and `B` differ; the negation of {@link Equal}. */
export type NotEqual<A, B> = Equal<A, B> extends true ? false : true;
