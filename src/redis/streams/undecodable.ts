import type { MalformedReason, RawEntry } from './entries.js';
import { FIELD_MESSAGE } from './keys.js';

/** Why an entry is handed to `onUndecodable`: its shape is wrong, its signature is refused, or its message is no event of its fields. */
export type UndecodableReason = 'decode-failed' | 'signature-rejected' | 'type-mismatch' | 'id-mismatch' | MalformedReason;

/**
 * An entry of the event stream that is no event this member can decode, as handed to the
 * `onUndecodable` option instead of the dead-letter stream.
 */
export interface UndecodableEntry {
  /** The event stream's key, `{<namespace>}:events`. */
  readonly stream: string;
  /** The entry's stream id, `<ms>-<seq>`: with `stream`, a key unique to this entry for good. */
  readonly id: string;
  /** When Redis stored the entry: the `<ms>` of its id, epoch ms. */
  readonly time: number;
  readonly reason: UndecodableReason;
  /** What is wrong, in a sentence. */
  readonly error: string;
  /** The message field's bytes exactly as stored (the first `m` field); `undefined` when there is none. */
  readonly message: Buffer | undefined;
  /** Every field name and value exactly as stored (`name, value, …`). */
  readonly fields: readonly Buffer[];
  /** The entry's event id field (`i`) when it is readable: a hint, never trusted. */
  readonly eventId: string | undefined;
}

/**
 * Takes undecodable entries instead of the dead-letter stream. The entry is acknowledged once the
 * returned promise resolves; while it rejects (or the function throws) the entry stays pending and
 * is claimed and handed over again after `claimIdleMs`.
 */
export type UndecodableHandler = (entry: UndecodableEntry) => Promise<void> | void;

/** The {@link UndecodableEntry} of `entry` (whose fields were read). */
export function undecodableEntry(stream: string, entry: RawEntry, reason: UndecodableReason, error: string, eventId: string | undefined): UndecodableEntry {
  const fields = entry.fields ?? [];
  let message: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length && message === undefined; i += 2) {
    const name = fields[i]!;
    if (name.length === 1 && String.fromCharCode(name[0]!) === FIELD_MESSAGE) message = fields[i + 1]!;
  }
  const ms = Number(entry.id.slice(0, entry.id.indexOf('-')));
  return { stream, id: entry.id, time: Number.isSafeInteger(ms) ? ms : Date.now(), reason, error, message, fields, eventId };
}
