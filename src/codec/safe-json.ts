/** Keys that could reach an object's prototype if a parsed message were merged into another object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The outcome of {@link parseUntrustedJson}. */
export type SafeParseResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'malformed-json' | 'forbidden-key'; readonly detail: string };

/**
 * `JSON.parse` for input from the network: refuses prototype-pollution keys anywhere in the tree.
 *
 * @remarks The common case pays one substring scan: the reviver (which is several times slower
 * than a plain parse) only runs when the text could hold a forbidden key, spelled out or behind a
 * `\u` escape.
 */
export function parseUntrustedJson(text: string): SafeParseResult {
  const suspicious =
    text.includes('__proto__') || text.includes('constructor') || text.includes('prototype') || text.includes('\\u');
  try {
    if (!suspicious) return { ok: true, value: JSON.parse(text) };
    let found: string | undefined;
    const value: unknown = JSON.parse(text, (key, v: unknown) => {
      if (found === undefined && FORBIDDEN_KEYS.has(key)) found = key;
      return v;
    });
    if (found !== undefined) {
      return { ok: false, reason: 'forbidden-key', detail: `key ${JSON.stringify(found)} is not allowed anywhere in a message` };
    }
    return { ok: true, value };
  } catch (e) {
    return { ok: false, reason: 'malformed-json', detail: e instanceof Error ? e.message : 'not JSON' };
  }
}
