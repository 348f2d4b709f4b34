/**
 * The CloudEvents JSON batch format (CloudEvents JSON Event Format 1.0, §4): a JSON array of
 * structured-mode events, content type `application/cloudevents-batch+json`. The Redis Pub/Sub
 * transport sends one when batching is on; every dotbus consumer of that transport reads both a
 * single event and a batch.
 *
 * @remarks A batch is never decoded as a whole. {@link splitBatch} checks the array's bounds and
 * structure and cuts it into the text of each element; each element then goes through the same
 * per-event decode as a message on its own ({@link JsonCodec.decode}: size, UTF-8, forbidden keys,
 * envelope, schema, and any per-event check added there), so a malformed element fails alone and
 * the others are delivered.
 */
import { DecodeError } from '../errors.js';
import type { DecodeResult, JsonCodec } from './json-codec.js';
import { closingQuote, isSafeParsed, strictUtf8 } from './safe-json.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './wire.js';

/** Content type of a CloudEvents JSON batch. */
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';

/** Default most elements a batch may hold on decode (1,000). */
export const DEFAULT_MAX_BATCH_EVENTS = 1_000;

/** Deepest nesting a batch may have: the array itself plus the bound of one message (256). */
const MAX_BATCH_DEPTH = 257;

/** Limits of {@link splitBatch}. */
export interface BatchLimits {
  /** Largest batch message, in bytes (the same limit as a single message). @default 4 MiB */
  readonly maxMessageBytes?: number | undefined;
  /** Most elements a batch may hold; more is refused as a whole (`oversize`). @default 1_000 */
  readonly maxEvents?: number | undefined;
}

/** The elements of a batch as text, or why the batch as a whole is refused. */
export type BatchSplit = { readonly ok: true; readonly elements: readonly string[] } | { readonly ok: false; readonly error: DecodeError };

/**
 * The batch of already encoded structured-mode events: `[e1,e2,…]`. A batch of one is written as
 * that event on its own (any consumer reads it, whether it knows batches or not).
 */
export function encodeBatch(messages: readonly string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(',')}]`;
}

/** Whether `raw` is a batch (its first non-whitespace character is `[`) rather than a single event. */
export function isBatch(raw: string | Uint8Array): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = typeof raw === 'string' ? raw.charCodeAt(i) : raw[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c === 0x5b;
  }
  return false;
}

/**
 * Cuts a batch into the text of its elements without parsing them, refusing a batch over
 * `maxMessageBytes`, with more than `maxEvents` elements, nested too deep, not UTF-8, or not one
 * well-bracketed JSON array. The scan stops at the first bound crossed, so hostile input costs at
 * most one pass over an already size-bounded message. An empty array has no elements.
 */
export function splitBatch(raw: string | Uint8Array, limits: BatchLimits = {}): BatchSplit {
  const maxBytes = limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const maxEvents = limits.maxEvents ?? DEFAULT_MAX_BATCH_EVENTS;
  const size = byteSize(raw, maxBytes);
  if (size > maxBytes) return refuse('oversize', `batch is ${size} bytes; the limit is ${maxBytes}`);
  const text = typeof raw === 'string' ? raw : strictUtf8(raw);
  if (text === undefined) return refuse('malformed-json', 'batch is not valid UTF-8');
  const elements: string[] = [];
  let depth = 0;
  let start = -1;
  let end = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      if (depth === 0) return refuse('malformed-json', 'a batch is one JSON array');
      // Most of an event's text is inside strings: jump to the closing quote instead of walking to it.
      i = closingQuote(text, i);
      if (i === -1) return refuse('malformed-json', 'unterminated string');
    } else if (c === 0x5b || c === 0x7b) {
      if (depth === 0) {
        // The first bracket at depth 0 (the scan stops where its array closes).
        if (c !== 0x5b) return refuse('malformed-json', 'a batch is one JSON array');
        start = i + 1;
      }
      if (++depth > MAX_BATCH_DEPTH) return refuse('too-deep', `batch nested more than ${MAX_BATCH_DEPTH} levels deep`);
    } else if (c === 0x5d || c === 0x7d) {
      if (--depth < 0) return refuse('malformed-json', 'unbalanced brackets');
      if (depth === 0) {
        end = i;
        if (!blank(text, i + 1, text.length)) return refuse('malformed-json', 'text after the batch array');
        break;
      }
    } else if (c === 0x2c && depth === 1) {
      if (elements.length + 1 >= maxEvents) return tooMany(maxEvents);
      elements.push(text.slice(start, i));
      start = i + 1;
    } else if (depth === 0 && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      return refuse('malformed-json', 'a batch is one JSON array');
    }
  }
  if (end === -1) return refuse('malformed-json', 'unterminated batch array');
  // `[]` (or `[ ]`) is an empty batch; otherwise the text after the last comma is the last element.
  if (elements.length > 0 || !blank(text, start, end)) elements.push(text.slice(start, end));
  return { ok: true, elements };
}

/**
 * Largest batch {@link parseWholeBatch} takes, in bytes (256 KiB; a default batch of 100 events
 * is about 60 kB). It parses before it checks nesting, so this bounds what a hostile batch of
 * brackets nested as deep as they go costs before it is handed on (about 25 ms).
 */
export const ONE_PASS_MAX_BYTES = 256 * 1024;

/**
 * The elements of a batch parsed in one pass, or `undefined` when the batch must take the
 * element-by-element path ({@link splitBatch}): over `maxMessageBytes` or
 * {@link ONE_PASS_MAX_BYTES}, not UTF-8, not one JSON array, more than `maxEvents` elements, or an
 * element that `parseUntrustedJson` would refuse as a message of its own (a forbidden key,
 * nested too deep). That path refuses the batch, or reports the one bad element with its reason
 * and delivers the others; this one is the common case's shortcut (one parse and a walk of the
 * values, instead of a scan of the text and a parse per element), so it gives up rather than judge.
 */
export function parseWholeBatch(raw: string | Uint8Array, limits: BatchLimits = {}): readonly unknown[] | undefined {
  const maxBytes = Math.min(limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, ONE_PASS_MAX_BYTES);
  const size = byteSize(raw, maxBytes);
  if (size > maxBytes) return undefined;
  const text = typeof raw === 'string' ? raw : strictUtf8(raw);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length > (limits.maxEvents ?? DEFAULT_MAX_BATCH_EVENTS)) return undefined;
  for (let i = 0; i < value.length; i++) if (!isSafeParsed(value[i])) return undefined;
  return value as unknown[];
}

/**
 * Decodes a batch element by element through `codec`: `ok: false` when the batch as a whole is
 * refused (see {@link splitBatch}), otherwise one {@link DecodeResult} per element, in order.
 */
export function decodeBatch(codec: JsonCodec, raw: string | Uint8Array, limits: BatchLimits = {}): { readonly ok: true; readonly results: readonly DecodeResult[] } | { readonly ok: false; readonly error: DecodeError } {
  const split = splitBatch(raw, limits);
  if (!split.ok) return split;
  return { ok: true, results: split.elements.map((e) => codec.decode(e)) };
}

/** UTF-8 size of `raw`; a string that can't exceed `maxBytes` even at 3 bytes a unit isn't counted (its length stands in). */
function byteSize(raw: string | Uint8Array, maxBytes: number): number {
  if (typeof raw !== 'string') return raw.byteLength;
  return raw.length * 3 <= maxBytes ? raw.length : Buffer.byteLength(raw, 'utf8');
}

function blank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

function tooMany(maxEvents: number): BatchSplit {
  return refuse('oversize', `batch holds more than ${maxEvents} events; raise maxBatchEvents of the consumer or lower batch.maxEvents of the producer`);
}

function refuse(reason: 'oversize' | 'malformed-json' | 'too-deep', detail: string): BatchSplit {
  return { ok: false, error: new DecodeError(reason, detail) };
}
