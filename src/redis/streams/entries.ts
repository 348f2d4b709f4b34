import { isUtf8 } from 'node:buffer';
import { isEventType, MAX_EVENT_TYPE_LENGTH } from '../../index.js';
import { FIELD_EVENT_ID, FIELD_MESSAGE, FIELD_TYPE } from './keys.js';

/** One stream entry as dotbus stores it. `message` is `undefined` when the entry was trimmed away. */
export interface StreamEntry {
  /** The Redis stream id, `<ms>-<seq>`. */
  readonly id: string;
  /** The event type field, or `''` when the entry is foreign or trimmed. */
  readonly type: string;
  /** The wire message (CloudEvents JSON). */
  readonly message: string | undefined;
  /** The event id field, when the producer wrote one (dotbus does). */
  readonly eventId?: string;
}

/** Turns the `[id, [field, value, …]]` pairs of `XRANGE` into entries (replay; consumers read {@link RawEntry}s). */
export function parseEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
    out.push(toEntry(item[0], item[1]));
  }
  return out;
}

function toEntry(id: string, fields: unknown): StreamEntry {
  // A pending entry trimmed by retention comes back with nil fields.
  if (!Array.isArray(fields)) return { id, type: '', message: undefined };
  let type = '';
  let message: string | undefined;
  let eventId: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name: unknown = fields[i];
    const value: unknown = fields[i + 1];
    if (typeof value !== 'string') continue;
    if (name === FIELD_TYPE) type = value;
    else if (name === FIELD_MESSAGE) message = value;
    else if (name === FIELD_EVENT_ID) eventId = value;
  }
  return eventId === undefined ? { id, type, message } : { id, type, message, eventId };
}

/** The stream id at or after `time` (`<ms>-0`), or `'-'`/`'+'` for the open ends. */
export function idAt(time: Date | string | undefined, end: 'start' | 'end'): string {
  if (time === undefined) return end === 'start' ? '-' : '+';
  if (typeof time === 'string') return time;
  return end === 'start' ? `${time.getTime()}-0` : `${time.getTime()}`;
}

/**
 * One stream entry as a consumer reads it: its bytes, nothing decoded or trusted yet. Read with
 * ioredis's `callBuffer`, so a value that is not UTF-8 arrives intact instead of as U+FFFD.
 */
export interface RawEntry {
  /** The Redis stream id, `<ms>-<seq>`. */
  readonly id: string;
  /** Names and values in stored order (`name, value, name, value, …`); `undefined` for a pending entry trimmed by retention. */
  readonly fields: readonly Buffer[] | undefined;
  /** Bytes of every name and value together: what holding the entry costs. */
  readonly size: number;
}

/** Turns a Buffer-mode `[id, [field, value, …]]` list into raw entries. */
export function parseRawEntries(raw: unknown): RawEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: RawEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || !Buffer.isBuffer(item[0])) continue;
    const id = item[0].toString('latin1');
    const flat: unknown = item[1];
    // A pending entry trimmed by retention comes back with nil fields (XAUTOCLAIM before Redis 7).
    if (!Array.isArray(flat)) {
      out.push({ id, fields: undefined, size: 0 });
      continue;
    }
    out.push(rawEntry(id, flat));
  }
  return out;
}

/** The entry of `id` with the Buffer values of `flat`; `flat` itself when it holds nothing else (every reply of Redis): no copy per entry. */
function rawEntry(id: string, flat: readonly unknown[]): RawEntry {
  let size = 0;
  for (const f of flat) {
    if (!Buffer.isBuffer(f)) {
      const fields = flat.filter((x): x is Buffer => Buffer.isBuffer(x));
      return { id, fields, size: fields.reduce((n, x) => n + x.length, 0) };
    }
    size += f.length;
  }
  return { id, fields: flat as readonly Buffer[], size };
}

/** The raw entries of a one-stream Buffer-mode `XREADGROUP` reply (`[[key, entries]]` or nil). */
export function parseRawReadReply(raw: unknown): RawEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first: unknown = raw[0];
  return Array.isArray(first) ? parseRawEntries(first[1]) : [];
}

/** A Buffer-mode `XAUTOCLAIM` reply: the next cursor, the claimed entries and the ids that no longer exist. */
export interface RawAutoClaimReply {
  readonly cursor: string;
  readonly entries: RawEntry[];
  readonly deleted: string[];
}

/** Parses a Buffer-mode `XAUTOCLAIM` reply (Redis ≥ 6.2; the deleted-ids part since 7.0). */
export function parseRawAutoClaim(raw: unknown): RawAutoClaimReply {
  if (!Array.isArray(raw)) return { cursor: '0-0', entries: [], deleted: [] };
  const cursor = Buffer.isBuffer(raw[0]) ? raw[0].toString('latin1') : '0-0';
  const deleted = Array.isArray(raw[2]) ? raw[2].filter((x): x is Buffer => Buffer.isBuffer(x)).map((x) => x.toString('latin1')) : [];
  return { cursor, entries: parseRawEntries(raw[1]), deleted };
}

/**
 * Why an entry is not a dotbus event before anything is parsed: no message field (`m`), no type
 * field (`t`), a type that is no event type, a field that is not UTF-8, a message over
 * `maxMessageBytes` (or other fields over {@link MAX_OTHER_FIELD_BYTES}), or one of dotbus's
 * fields twice.
 */
export type MalformedReason = 'missing-message' | 'missing-type' | 'invalid-type' | 'not-utf8' | 'oversize' | 'duplicate-field';

/** Most bytes an entry may carry besides its message (type, id, foreign fields, names included). */
export const MAX_OTHER_FIELD_BYTES = 64 * 1024;

/** What {@link inspectEntry} makes of an entry's fields. */
export type EntryView =
  | { readonly ok: true; readonly type: string; readonly message: Buffer; readonly eventId: string | undefined }
  | { readonly ok: false; readonly reason: MalformedReason; readonly detail: string; readonly type: string | undefined; readonly eventId: string | undefined };

/**
 * Checks the shape of an entry without parsing its message: cheap (one pass over the field
 * names, a length check, a UTF-8 check of at most `maxMessageBytes`), so it can run before
 * anything that could fail on a hostile entry. Fields other than `t`, `i` and `m` are ignored
 * (a foreign producer may add its own).
 */
export function inspectEntry(fields: readonly Buffer[], maxMessageBytes: number): EntryView {
  let type: Buffer | undefined;
  let id: Buffer | undefined;
  let message: Buffer | undefined;
  let size = 0;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    const which = name.length === 1 ? String.fromCharCode(name[0]!) : '';
    if (which !== FIELD_MESSAGE) size += name.length + value.length;
    if (which !== FIELD_TYPE && which !== FIELD_EVENT_ID && which !== FIELD_MESSAGE) continue;
    const seen = which === FIELD_TYPE ? type : which === FIELD_EVENT_ID ? id : message;
    if (seen !== undefined) return malformed('duplicate-field', `the entry has two \`${which}\` fields`, undefined, undefined);
    if (which === FIELD_TYPE) type = value;
    else if (which === FIELD_EVENT_ID) id = value;
    else message = value;
  }
  // Known for the report only when readable: a hint, never trusted.
  const typeText = type !== undefined && type.length <= MAX_EVENT_TYPE_LENGTH && isUtf8(type) ? type.toString('utf8') : undefined;
  const idText = id !== undefined && id.length <= 200 && isUtf8(id) ? id.toString('utf8') : undefined;
  if (message === undefined) return malformed('missing-message', `the entry has no \`${FIELD_MESSAGE}\` (message) field`, typeText, idText);
  if (type === undefined) return malformed('missing-type', `the entry has no \`${FIELD_TYPE}\` (event type) field`, typeText, idText);
  if (message.length > maxMessageBytes) return malformed('oversize', `the message is ${message.length} bytes; the limit (maxMessageBytes) is ${maxMessageBytes}`, typeText, idText);
  if (size > MAX_OTHER_FIELD_BYTES) return malformed('oversize', `the fields besides the message take ${size} bytes; at most ${MAX_OTHER_FIELD_BYTES} are allowed`, typeText, idText);
  // Checked one by one, in this order, rather than through a list: this runs for every entry read.
  // The hints above already decoded the type and id when they were short enough.
  const typeBad = typeText === undefined && !isUtf8(type);
  const idBad = idText === undefined && id !== undefined && !isUtf8(id);
  const notUtf8 = typeBad ? FIELD_TYPE : idBad ? FIELD_EVENT_ID : !isUtf8(message) ? FIELD_MESSAGE : undefined;
  if (notUtf8 !== undefined) return malformed('not-utf8', `the \`${notUtf8}\` field is not UTF-8`, typeText, idText);
  const typeString = typeText ?? type.toString('utf8');
  if (!isEventType(typeString)) return malformed('invalid-type', `the \`${FIELD_TYPE}\` field ${JSON.stringify(typeString.slice(0, 80))} is not an event type`, undefined, idText);
  return { ok: true, type: typeString, message, eventId: idText ?? id?.toString('utf8') };
}

function malformed(reason: MalformedReason, detail: string, type: string | undefined, eventId: string | undefined): EntryView {
  return { ok: false, reason, detail, type, eventId };
}
