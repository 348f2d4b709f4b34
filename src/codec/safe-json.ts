/** Keys that could reach an object's prototype if a parsed message were merged into another object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The outcome of {@link parseUntrustedJson}. */
export type SafeParseResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'malformed-json' | 'forbidden-key' | 'too-deep'; readonly detail: string };

/** Decodes bytes as UTF-8 and throws on anything that isn't (rather than writing U+FFFD); keeps a BOM, which JSON refuses. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `bytes` as text, or `undefined` if they are not UTF-8: replacing what doesn't decode with U+FFFD
 * would deliver a changed message as if it were intact.
 */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Deepest nesting a message may have (the same bound events' data has). */
export const MAX_JSON_DEPTH = 256;

/**
 * `JSON.parse` for input from the network: refuses prototype-pollution keys anywhere in the tree,
 * and nesting deeper than {@link MAX_JSON_DEPTH} levels.
 *
 * @remarks The common case pays one substring scan: the reviver (which is several times slower
 * than a plain parse) only runs when the text could hold a forbidden key, spelled out or behind a
 * `\u` escape.
 */
export function parseUntrustedJson(text: string): SafeParseResult {
  // Nesting deeper than the bound needs two characters a level, so short messages can't have it,
  // nor can a message with fewer opening brackets than the bound (counted natively, far cheaper
  // than walking every character).
  if (text.length > 2 * MAX_JSON_DEPTH && opensMoreThan(text, MAX_JSON_DEPTH) && nestingExceeds(text, MAX_JSON_DEPTH)) {
    return { ok: false, reason: 'too-deep', detail: `nested more than ${MAX_JSON_DEPTH} levels deep` };
  }
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

/**
 * Whether already-parsed JSON `value` is what {@link parseUntrustedJson} accepts: no key that
 * could reach a prototype, anywhere, and at most `maxDepth` levels of objects and arrays (`value`
 * itself being the first). For a caller that parses with a plain `JSON.parse` (which doesn't
 * recurse) and checks what it parsed: walking the values costs far less than scanning a long
 * text (a batch) for keys and brackets first. Recursion stops at `maxDepth`.
 */
export function isSafeParsed(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (maxDepth <= 0) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isSafeParsed(value[i], maxDepth - 1)) return false;
    return true;
  }
  for (const key in value) {
    // Property keys are internalized strings: these are pointer comparisons, cheaper than a Set.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return false;
    if (!isSafeParsed((value as Record<string, unknown>)[key], maxDepth - 1)) return false;
  }
  return true;
}

/** Whether `text` holds more than `max` opening brackets (`{` and `[`, strings included). */
function opensMoreThan(text: string, max: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) {
      if (++count > max) return true;
    }
  }
  return false;
}

/** Whether the brackets of JSON `text` nest deeper than `max` (outside strings). */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Most of a message is inside strings: jump to the closing quote rather than walk to it.
      i = closingQuote(text, i);
      // Unterminated: not JSON, which the parse reports.
      if (i === -1) return false;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open` (one not escaped by an odd run of backslashes), or -1. */
export function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
