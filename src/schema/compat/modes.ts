/**
 * The compatibility modes of a schema registry, with the same meaning:
 *
 * - `backward`: consumers on the current definitions read events written under the previous version;
 * - `forward`: consumers still on the previous version read events written under the current one;
 * - `full`: both;
 * - `…-transitive`: the same against every previous version given, not only the latest.
 */
export const COMPATIBILITY_MODES = ['backward', 'backward-transitive', 'forward', 'forward-transitive', 'full', 'full-transitive'] as const;

/** One of {@link COMPATIBILITY_MODES}. */
export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

/** Which way a change breaks: new readers of old events (`backward`) or old readers of new events (`forward`). */
export type CompatibilityDirection = 'backward' | 'forward';

/** The directions `mode` checks, and whether it checks every previous version. */
export function modeParts(mode: CompatibilityMode): { readonly directions: readonly CompatibilityDirection[]; readonly transitive: boolean } {
  const base = mode.replace(/-transitive$/, '');
  return { directions: base === 'full' ? ['backward', 'forward'] : [base as CompatibilityDirection], transitive: mode.endsWith('-transitive') };
}

/** Whether `value` is one of {@link COMPATIBILITY_MODES}. */
export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return (COMPATIBILITY_MODES as readonly unknown[]).includes(value);
}
