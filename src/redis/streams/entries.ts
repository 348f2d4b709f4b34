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

/** Turns the `[id, [field, value, …]]` pairs of `XRANGE`/`XREADGROUP`/`XAUTOCLAIM` into entries. */
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

/** The entries of a one-stream `XREADGROUP` reply (`[[key, entries]]` or nil). */
export function parseReadReply(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first: unknown = raw[0];
  return Array.isArray(first) ? parseEntries(first[1]) : [];
}

/** An `XAUTOCLAIM` reply: the next cursor, the claimed entries and the ids that no longer exist. */
export interface AutoClaimReply {
  readonly cursor: string;
  readonly entries: StreamEntry[];
  readonly deleted: string[];
}

/** Parses an `XAUTOCLAIM` reply (Redis ≥ 6.2; the deleted-ids part since 7.0). */
export function parseAutoClaim(raw: unknown): AutoClaimReply {
  if (!Array.isArray(raw)) return { cursor: '0-0', entries: [], deleted: [] };
  const cursor = typeof raw[0] === 'string' ? raw[0] : '0-0';
  const deleted = Array.isArray(raw[2]) ? raw[2].filter((x): x is string => typeof x === 'string') : [];
  return { cursor, entries: parseEntries(raw[1]), deleted };
}

/** The stream id at or after `time` (`<ms>-0`), or `'-'`/`'+'` for the open ends. */
export function idAt(time: Date | string | undefined, end: 'start' | 'end'): string {
  if (time === undefined) return end === 'start' ? '-' : '+';
  if (typeof time === 'string') return time;
  return end === 'start' ? `${time.getTime()}-0` : `${time.getTime()}`;
}
