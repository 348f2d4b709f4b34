import type { BusEvent } from '../events/bus-event.js';

/** The key id each verified event was signed with; weak, so events are collected as usual. */
const KEY_IDS = new WeakMap<BusEvent, string>();

/** Records that `event` arrived with a valid signature of key `keyId` (the codec calls it). */
export function markSignedBy(event: BusEvent, keyId: string): void {
  KEY_IDS.set(event, keyId);
}

/**
 * The id of the key whose valid signature `event` carried when this process decoded it, or
 * `undefined`: unsigned, built in this process, or decoded without verification keys.
 *
 * @remarks Kept beside the event rather than on it, so events keep their shape; the audit recorder
 * stores it with each record.
 */
export function signingKeyIdOf(event: BusEvent): string | undefined {
  return KEY_IDS.get(event);
}
