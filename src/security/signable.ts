import { dataSchemaUri } from '../events/data-schema.js';
import type { BusEvent } from '../events/bus-event.js';
import { formatIsoTime } from '../codec/iso-time.js';
import type { ProducerStamp } from '../codec/wire.js';

/**
 * The attributes of `event` as a fresh object for signing, built member by member (no spreads,
 * which make objects slow to read) and mostly in the sorted order the canonical form needs.
 */
export function signable(event: BusEvent, stamp: ProducerStamp | undefined): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    data: event.data,
    datacontenttype: 'application/json',
    dataschema: dataSchemaUri(event.eventType, event.version),
    id: event.eventId,
    schemaversion: event.version,
    source: event.source,
    specversion: '1.0',
    time: formatIsoTime(event.timestamp.getTime()),
    type: event.eventType,
  };
  if (stamp !== undefined) {
    wire['producerid'] = stamp.producerId;
    wire['producerseq'] = String(stamp.sequence);
  }
  if (event.replayOf !== undefined) wire['replayof'] = event.replayOf;
  const trace = event.trace;
  if (trace !== undefined) {
    wire['traceparent'] = trace.traceparent;
    if (trace.tracestate !== undefined) wire['tracestate'] = trace.tracestate;
  }
  return wire;
}
