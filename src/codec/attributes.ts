/**
 * Checks of CloudEvents context attributes from the network: names, text, producer ids, W3C
 * `tracestate`. Shared by the codec and by the Redis Pub/Sub heartbeats, so that both refuse
 * exactly the same producer ids.
 */

/**
 * Longest producer id (`producerid` of an event, `producerid` of a heartbeat), in UTF-16 code
 * units. A consumer keeps the ids it tracks in memory, so they are short: a UUID is 36.
 */
export const MAX_PRODUCER_ID_LENGTH = 200;

/** Longest `tracestate`, in characters: what OpenTelemetry propagates (W3C asks for at least 512). */
export const MAX_TRACESTATE_LENGTH = 512;

/**
 * Characters that could make an attribute's text something other than what it shows: C0 controls,
 * DEL and C1 controls, and noncharacters (all of which a CloudEvents String may not hold), the
 * line and paragraph separators (which start lines in logs), the bidirectional formatting
 * characters (text that reads differently from what it is), and surrogates (allowed only in pairs;
 * checked one by one when present).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * What is wrong with `text` as the value of a String attribute, or `undefined`: it may not hold
 * control characters (C0, DEL, C1), noncharacters or unpaired surrogates (the CloudEvents 1.0
 * String type), nor line or paragraph separators (U+2028, U+2029), nor bidirectional formatting
 * characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
 */
export function textIssue(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return `an unpaired surrogate at index ${i}`;
      // U+1FFFE, U+1FFFF, … U+10FFFF are noncharacters too.
      if ((c & 0x3f) === 0x3f && low >= 0xdffe) return `a noncharacter at index ${i}`;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return `an unpaired surrogate at index ${i}`;
    else if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return `control character ${codePoint(c)} at index ${i}`;
    else if (c === 0x2028 || c === 0x2029) return `line or paragraph separator ${codePoint(c)} at index ${i}`;
    else if (c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      return `bidirectional formatting character ${codePoint(c)} at index ${i}`;
    } else if ((c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffe) return `noncharacter ${codePoint(c)} at index ${i}`;
  }
  return undefined;
}

/** What is wrong with `id` as a producer id, or `undefined`: 1–{@link MAX_PRODUCER_ID_LENGTH} characters of {@link textIssue}-clean text. */
export function producerIdIssue(id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '' || id.length > MAX_PRODUCER_ID_LENGTH) {
    return `must be a string of 1–${MAX_PRODUCER_ID_LENGTH} characters`;
  }
  const issue = textIssue(id);
  return issue === undefined ? undefined : `holds ${issue}`;
}

/**
 * What is wrong with `state` as a W3C `tracestate`, or `undefined`: printable ASCII, at most
 * {@link MAX_TRACESTATE_LENGTH} characters. Its list syntax is left to the tracer that reads it.
 */
export function traceStateIssue(state: string): string | undefined {
  if (state.length > MAX_TRACESTATE_LENGTH) return `is ${state.length} characters long; at most ${MAX_TRACESTATE_LENGTH} are allowed`;
  return PRINTABLE_ASCII.test(state) ? undefined : 'may only hold printable ASCII';
}

/** The members dotbus writes, in the order it writes them (`encode`): their names need no check. */
const WRITTEN_ORDER = ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'dataschema', 'schemaversion', 'traceparent', 'tracestate', 'producerid', 'producerseq', 'data'];

/**
 * What is wrong with the member names of a structured-mode message, or `undefined`: each must be
 * a CloudEvents attribute name ({@link isAttributeName}) or `data`; `data_base64` is refused too.
 *
 * @remarks Keys parsed from JSON are interned strings, so a message laid out as dotbus writes it
 * costs one pointer comparison a key; only other names are checked character by character.
 * `for…in` allocates nothing; an enumerable property someone added to `Object.prototype` is not
 * the message's and is skipped.
 */
export function memberNamesIssue(message: object): string | undefined {
  let next = 0;
  for (const key in message) {
    let at = next;
    while (at < WRITTEN_ORDER.length && WRITTEN_ORDER[at] !== key) at++;
    if (at < WRITTEN_ORDER.length) {
      next = at + 1;
      continue;
    }
    if (key === 'data' || isAttributeName(key) || !Object.hasOwn(message, key)) continue;
    if (key === 'data_base64') return '`data_base64` (binary data) is not supported: dotbus data is JSON, under `data`';
    return `${JSON.stringify(key.slice(0, 80))} is not a CloudEvents attribute name (lower-case letters and digits only)`;
  }
  return undefined;
}

/** Whether `key` is a CloudEvents attribute name: lower-case ASCII letters and digits (CloudEvents 1.0, "Attribute Naming Convention"). */
export function isAttributeName(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return false;
  }
  return true;
}

function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}
