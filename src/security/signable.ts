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
 * object: the attribute names are fixed, so only `data` needs the canonical walk. The runs of
 * attributes that depend only on the type, version, source, producer and key are kept from the
 * event before (a publisher writes the same ones again and again). `JSON.stringify` quotes a string
 * exactly as RFC 8785 does. The attributes are those the unsigned encoding writes; a test holds the
 * two to each other.
 */
export function signableText(event: BusEvent, stamp: ProducerStamp | undefined, keyId: string): string {
  let json = `{"data":${canonicalJson(event.data)}${schemaRun(event.eventType, event.version)},"id":${JSON.stringify(event.eventId)}`;
  if (stamp !== undefined) json += `${producerRun(stamp.producerId)}${stamp.sequence}"`;
  if (event.replayOf !== undefined) json += `,"replayof":${JSON.stringify(event.replayOf)}`;
  json += `${identityRun(event.version, keyId, event.source)}${formatIsoTime(event.timestamp.getTime())}"`;
  const trace = event.trace;
  if (trace !== undefined) {
    json += `,"traceparent":${JSON.stringify(trace.traceparent)}`;
    if (trace.tracestate !== undefined) json += `,"tracestate":${JSON.stringify(trace.tracestate)}`;
  }
  // The type grammar allows [A-Za-z0-9_.-] only: nothing to escape.
  return `${json},"type":"${event.eventType}"}`;
}

/** One remembered run of attribute text and what it was written from. */
interface Run {
  key: string;
  key2: string;
  key3: string;
  text: string;
}

const schema: Run = { key: '', key2: '', key3: '', text: '' };
const producer: Run = { key: '', key2: '', key3: '', text: '' };
const identity: Run = { key: '', key2: '', key3: '', text: '' };

/** `datacontenttype` and (for a typed event) `dataschema`, each with its leading comma. */
function schemaRun(type: string, version: string): string {
  if (schema.key !== type || schema.key2 !== version || schema.text === '') {
    const uri = version === '' ? '' : `,"dataschema":${JSON.stringify(dataSchemaUri(type, version))}`;
    remember(schema, type, version, '', `,"datacontenttype":"application/json"${uri}`);
  }
  return schema.text;
}

/** `producerid`, then `producerseq` up to its value. */
function producerRun(producerId: string): string {
  if (producer.key !== producerId || producer.text === '') remember(producer, producerId, '', '', `,"producerid":${JSON.stringify(producerId)},"producerseq":"`);
  return producer.text;
}

/** `schemaversion` (typed events), `signaturekeyid`, `source`, `specversion`, then `time` up to its value. */
function identityRun(version: string, keyId: string, source: string): string {
  if (identity.key !== version || identity.key2 !== keyId || identity.key3 !== source || identity.text === '') {
    const schemaVersion = version === '' ? '' : `,"schemaversion":${JSON.stringify(version)}`;
    remember(identity, version, keyId, source, `${schemaVersion},"signaturekeyid":${JSON.stringify(keyId)},"source":${JSON.stringify(source)},"specversion":"1.0","time":"`);
  }
  return identity.text;
}

function remember(run: Run, key: string, key2: string, key3: string, text: string): void {
  run.key = key;
  run.key2 = key2;
  run.key3 = key3;
  run.text = text;
}
