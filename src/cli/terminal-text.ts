/**
 * What a terminal acts on instead of showing: C0 controls (ESC starts colour, title and
 * clear-screen sequences; CR and LF start lines), DEL, C1 controls (U+009B is a one-character
 * ESC [), the line and paragraph separators, and the bidi marks, embeddings, overrides and
 * isolates that reorder what follows them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ACTED_ON = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every character a terminal would act on written as `\uXXXX`, so that it is shown,
 * not obeyed: the one escaping of the CLI, for everything it prints from events, Redis or
 * arguments. Applied to JSON it keeps it valid JSON with the same value.
 */
export function escapeControls(text: string): string {
  return text.replace(ACTED_ON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `value` as one line of JSON that is safe on a terminal and in line-based tools: nothing of it
 * can start a line or move the cursor, and `JSON.parse` gives `value` back.
 */
export function jsonLine(value: unknown): string {
  return escapeControls(JSON.stringify(value));
}

/** `text` cut to `max` characters with an ellipsis, then escaped. */
export function shortened(text: string, max: number): string {
  return escapeControls(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}
