import type { WireMessage } from '../codec/wire.js';
import type { BusEvent } from './bus-event.js';
import { EventRecord } from './event-record.js';
import { maskPaths, scrubText, sensitivePathsOfDefinition, type SensitivePaths } from './sensitive.js';

/** The sensitive paths of the definition that vouched for `event`; none for an untyped event or one dotbus did not build. */
export function sensitivePathsOf(event: BusEvent): SensitivePaths {
  return sensitivePathsOfDefinition(EventRecord.vouchOf(event));
}

/**
 * The event's CloudEvents JSON (as `JSON.stringify(event)` writes it) with every field its
 * definition marks `sensitive` replaced by `'***'`: what to show, log or send to a dashboard.
 *
 * @remarks The definition is the one that validated the event (at `create`, or when a codec
 * with that definition decoded it). An event decoded without a definition (untyped) or an object
 * dotbus did not build has no known sensitive fields and comes back unmasked. Handlers get
 * events unmasked; mask only what leaves the application.
 * @example
 * ```ts
 * const Paid = defineEvent({ type: 'order.paid', version: '1.0.0', sensitive: ['/card/number'],
 *   schema: Type.Object({ orderId: Type.String(), card: Type.Object({ number: Type.String() }) }) });
 * maskEvent(Paid.create({ orderId: 'o-1', card: { number: '4111111111111111' } })).data;
 * // { orderId: 'o-1', card: { number: '***' } }
 * ```
 */
export function maskEvent(event: BusEvent): WireMessage {
  const record = event instanceof EventRecord ? event : new EventRecord({ ...event, trace: event.trace }, null);
  const json = record.toJSON();
  const paths = sensitivePathsOf(event);
  return paths.length === 0 ? json : { ...json, data: maskPaths(json.data, paths) };
}

/** `text` with the sensitive values of `event` masked (see `scrubText`); as is when it has none or there is no event. */
export function scrubEventText(text: string, event: BusEvent | undefined): string {
  return event === undefined ? text : scrubText(text, event.data, sensitivePathsOf(event));
}
