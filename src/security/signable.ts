import { dataSchemaUri } from '../events/data-schema.js';
import type { BusEvent } from '../events/bus-event.js';
import { formatIsoTime } from '../codec/iso-time.js';
import type { ProducerStamp } from '../codec/wire.js';
import { canonicalJson } from './canonical-json.js';

/**
 * The canonical JSON (RFC 8785) of the CloudEvent of `event` with `signaturekeyid` set to `keyId`:
 * the text a signature covers.
 *
 * @remarks Written attribute by attribute in sorted order rather than canonicalizing an envelope
 * object: the attribute names are fixed, so only `data` needs the canonical walk, and the rest
 * costs what the unsigned encoding costs. `JSON.stringify` quotes a string exactly as RFC 8785 does.
 * The attributes are those the unsigned encoding writes; a test holds the two to each other.
 */
export function signableText(event: BusEvent, stamp: ProducerStamp | undefined, keyId: string): string {
  const typed = event.version !== '';
  let json = `{"data":${canonicalJson(event.data)},"datacontenttype":"application/json"`;
  if (typed) json += `,"dataschema":${JSON.stringify(dataSchemaUri(event.eventType, event.version))}`;
  json += `,"id":${JSON.stringify(event.eventId)}`;
  if (stamp !== undefined) json += `,"producerid":${JSON.stringify(stamp.producerId)},"producerseq":"${stamp.sequence}"`;
  if (event.replayOf !== undefined) json += `,"replayof":${JSON.stringify(event.replayOf)}`;
  if (typed) json += `,"schemaversion":${JSON.stringify(event.version)}`;
  json += `,"signaturekeyid":${JSON.stringify(keyId)},"source":${JSON.stringify(event.source)},"specversion":"1.0"`;
  json += `,"time":"${formatIsoTime(event.timestamp.getTime())}"`;
  const trace = event.trace;
  if (trace !== undefined) {
    json += `,"traceparent":${JSON.stringify(trace.traceparent)}`;
    if (trace.tracestate !== undefined) json += `,"tracestate":${JSON.stringify(trace.tracestate)}`;
  }
  // The type grammar allows [A-Za-z0-9_.-] only: nothing to escape.
  return `${json},"type":"${event.eventType}"}`;
}
