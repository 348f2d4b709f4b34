import type { BusEvent, EventMeta } from '../events/bus-event.js';
import { EventRecord } from '../events/event-record.js';
import type { EventRegistry } from '../events/registry.js';
import { majorOf } from '../events/version.js';
import { describe, InvalidEventError, UnknownEventTypeError } from '../errors.js';

/** What `publish` was given instead of an event object, in a few words (never its content). */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * `value` as an event this registry vouches for, checked exactly as a definition's `create`
 * checks (and as a broker's codec would): events built by the registered definition pass at the
 * cost of one brand test; anything else is read once, field by field, and rebuilt through its
 * definition, so a hand-written or copied event gets the same checks on every transport. With
 * `untyped`, an untyped event (`isUntyped`) of a type the registry does not know passes as it is.
 * @throws {@link InvalidEventError} or {@link UnknownEventTypeError}; never anything else.
 */
export function requireEvent(value: unknown, registry: EventRegistry, untyped = false): BusEvent {
  const vouch = EventRecord.vouchOf(value);
  if (vouch !== undefined && vouch !== null && registry.get((value as BusEvent).eventType) === vouch) return value as BusEvent;
  // An untyped event (decoded by an untyped codec) of a type this registry does not know either
  // goes out as it came in: there is no schema to check it against. Only an untyped bus sends it.
  if (untyped && vouch === null && registry.get((value as BusEvent).eventType) === undefined) return value as BusEvent;
  let fields: Record<'eventType' | 'version' | 'data' | 'eventId' | 'timestamp' | 'source' | 'trace', unknown>;
  try {
    // Even Array.isArray throws for a revoked proxy: every look at the value happens in here.
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidEventError('(none)', [{ path: '', message: `Expected an event object, got ${kindOf(value)}` }]);
    }
    const { eventType, version, data, eventId, timestamp, source, trace } = value as Record<string, unknown>;
    fields = { eventType, version, data, eventId, timestamp, source, trace };
  } catch (e) {
    if (e instanceof InvalidEventError) throw e;
    throw new InvalidEventError('(unreadable)', [{ path: '', message: `reading the event threw: ${describe(e)}` }]);
  }
  const type = fields.eventType;
  if (typeof type !== 'string') throw new InvalidEventError('(none)', [{ path: '/eventType', message: 'Expected a string' }]);
  const definition = registry.get(type);
  if (definition === undefined) throw new UnknownEventTypeError(type);
  if (typeof fields.version !== 'string' || majorOf(fields.version) !== definition.major) {
    throw new InvalidEventError(type, [{ path: '/version', message: `Expected a version of major ${definition.major} (${definition.version})` }]);
  }
  const meta = { eventId: fields.eventId, timestamp: fields.timestamp, source: fields.source, trace: fields.trace } as EventMeta;
  for (const key of ['eventId', 'timestamp', 'source'] as const) {
    if (meta[key] === undefined) throw new InvalidEventError(type, [{ path: `/${key}`, message: 'is missing' }]);
  }
  try {
    return definition.createOf(type, fields.data, meta);
  } catch (e) {
    if (e instanceof InvalidEventError) throw e;
    throw new InvalidEventError(type, [{ path: '/data', message: `checking the data threw: ${describe(e)}` }]);
  }
}
