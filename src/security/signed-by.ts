import type { BusEvent } from '../events/bus-event.js';
import { EventRecord } from '../events/event-record.js';

/**
 * The id of the key whose valid signature `event` carried when this process decoded it, or
 * `undefined`: unsigned, built in this process, or decoded without verification keys.
 *
 * @remarks Kept in the event record itself (a private field, not a property), so events keep
 * their shape; the audit recorder stores it with each record.
 */
export function signingKeyIdOf(event: BusEvent): string | undefined {
  return EventRecord.signedByOf(event);
}
