import type { BusEvent, TraceContext } from '../events/bus-event.js';
import { EventRecord } from '../events/event-record.js';
import { deepFreezeParsed, FrozenDate, freezeData } from '../events/freeze.js';
import type { AnyEventDefinition } from '../events/define-event.js';
import type { EventRegistry } from '../events/registry.js';
import { majorOf } from '../events/version.js';
import { DecodeError, describe, InvalidEventError, InvalidOptionError, UnknownEventTypeError, type DecodeFailure } from '../errors.js';
import { formatIsoTime, parseIsoTime } from './iso-time.js';
import { parseUntrustedJson } from './safe-json.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type ProducerStamp, type WireMessage } from './wire.js';

/** Options of {@link JsonCodec}. */
export interface JsonCodecOptions {
  /** Largest message `decode` accepts, in bytes. @default 4 MiB */
  readonly maxMessageBytes?: number | undefined;
  /**
   * Decode a well-formed CloudEvent of a type no definition is registered for as an untyped event
   * (`isUntyped(event)`, `data` unchecked but frozen) instead of failing with `unknown-type`.
   * @default false
   */
  readonly untyped?: boolean | undefined;
}

/** A decoded message: the event, and the producer stamp when the message carried one. */
export interface Decoded {
  readonly ok: true;
  readonly event: BusEvent;
  readonly stamp?: ProducerStamp;
}

/** Result of {@link JsonCodec.decode}: check `ok` before using it. */
export type DecodeResult = Decoded | { readonly ok: false; readonly error: DecodeError };

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const SEQUENCE = /^[1-9]\d{0,14}$/;

/**
 * Encodes events as CloudEvents 1.0 JSON and decodes them back, through a registry of definitions.
 *
 * @remarks `decode` never throws and never trusts its input (DESIGN §4): every failure is a
 * {@link DecodeError} with a reason.
 */
export class JsonCodec {
  readonly #registry: EventRegistry;
  readonly #maxBytes: number;
  readonly #untyped: boolean;

  constructor(registry: EventRegistry, options: JsonCodecOptions = {}) {
    this.#registry = registry;
    this.#untyped = options.untyped === true;
    this.#maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!(this.#maxBytes > 0)) throw new InvalidOptionError('maxMessageBytes', 'must be a positive number of bytes');
  }

  /**
   * The wire message of `event`, stamped with `stamp` when given.
   * @throws {@link UnknownEventTypeError} for an unregistered type, {@link InvalidEventError} for data
   * that breaks its schema (possible only for events not built by a definition).
   */
  encode(event: BusEvent, stamp?: ProducerStamp): string {
    this.#check(event);
    // Written by hand rather than stringifying an envelope object: no intermediate object, and
    // only the fields that can hold arbitrary text go through JSON.stringify. The type and the
    // time can't need escaping (the type grammar allows [A-Za-z0-9_.-] only).
    let json = `{"specversion":"1.0","id":${JSON.stringify(event.eventId)},"source":${JSON.stringify(event.source)},"type":"${event.eventType}","time":"${formatIsoTime(event.timestamp.getTime())}","datacontenttype":"application/json","schemaversion":${JSON.stringify(event.version)}`;
    const trace = event.trace;
    if (trace !== undefined) {
      json += `,"traceparent":${JSON.stringify(trace.traceparent)}`;
      if (trace.tracestate !== undefined) json += `,"tracestate":${JSON.stringify(trace.tracestate)}`;
    }
    if (stamp !== undefined) json += `,"producerid":${JSON.stringify(stamp.producerId)},"producerseq":"${stamp.sequence}"`;
    return `${json},"data":${JSON.stringify(event.data)}}`;
  }

  /** The envelope object of `event` (what {@link encode} serializes). */
  toWire(event: BusEvent, stamp?: ProducerStamp): WireMessage {
    this.#check(event);
    return {
      specversion: '1.0',
      id: event.eventId,
      source: event.source,
      type: event.eventType,
      time: event.timestamp.toISOString(),
      datacontenttype: 'application/json',
      schemaversion: event.version,
      ...(event.trace === undefined ? {} : traceAttributes(event.trace)),
      ...(stamp === undefined ? {} : { producerid: stamp.producerId, producerseq: String(stamp.sequence) }),
      data: event.data,
    };
  }

  #check(event: BusEvent): void {
    const def = this.#registry.get(event.eventType);
    // Built (or decoded) and validated by this very definition: nothing left to check.
    if (def !== undefined && EventRecord.vouchOf(event) === def) return;
    if (event.data === undefined) throw new InvalidEventError(event.eventType, [{ path: '', message: 'data is missing' }]);
    if (def === undefined) throw new UnknownEventTypeError(event.eventType);
    if (!def.check(event.data)) throw new InvalidEventError(event.eventType, def.issues(event.data));
  }

  /** Decodes a wire message; never throws. */
  decode(raw: string | Uint8Array): DecodeResult {
    if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) return fail('malformed-json', 'a message is a string or bytes');
    const size = typeof raw === 'string' ? utf8Length(raw, this.#maxBytes) : raw.byteLength;
    if (size > this.#maxBytes) return fail('oversize', `message is ${size} bytes; the limit is ${this.#maxBytes}`);
    const text = typeof raw === 'string' ? raw : utf8Of(raw);
    const parsed = parseUntrustedJson(text);
    if (!parsed.ok) return fail(parsed.reason, parsed.detail);
    return this.fromWire(parsed.value);
  }

  /** Decodes an already-parsed envelope (for example one read from a Redis stream entry); never throws. */
  fromWire(value: unknown): DecodeResult {
    try {
      return this.#fromWire(value);
    } catch (e) {
      // Upcasters are user code and schemas may recurse: whatever they throw is this message's failure.
      return fail('schema-violation', `decoding threw: ${describe(e)}`);
    }
  }

  #fromWire(value: unknown): DecodeResult {
    const shape = checkEnvelope(value);
    if (typeof shape === 'string') return fail('not-a-cloudevent', shape);
    const def = this.#registry.get(shape.type);
    if (def === undefined) {
      if (!this.#untyped) return fail('unknown-type', `no definition is registered for ${JSON.stringify(shape.type)}`);
      return decoded(shape, shape.schemaversion ?? '', shape.data, null);
    }
    const data = upcast(def, shape.schemaversion, shape.data);
    if (data instanceof DecodeError) return { ok: false, error: data };
    if (!def.check(data)) {
      const issues = def.issues(data);
      return { ok: false, error: new DecodeError('schema-violation', `data does not match ${def.name}@${def.version}`, issues) };
    }
    // Upcast data is data of the definition's version: re-encoding it must not upcast it again.
    const version = shape.schemaversion === undefined || majorOf(shape.schemaversion) !== def.major ? def.version : shape.schemaversion;
    return decoded(shape, version, data, def);
  }
}

/** The decoded event around `data`, frozen and vouched for by `def` (`null`: untyped). */
function decoded(shape: Envelope, version: string, data: unknown, def: AnyEventDefinition | null): DecodeResult {
  // The text's nesting was bounded before parsing; upcast data (user code) gets the full check.
  if (data === shape.data) deepFreezeParsed(data);
  else {
    const structure = freezeData(data);
    if (structure !== undefined) return fail('too-deep', structure);
  }
  const event = new EventRecord(
    { eventId: shape.id, eventType: shape.type, timestamp: new FrozenDate(shape.timeMs), version, source: shape.source, trace: shape.trace, data },
    def,
  );
  return shape.stamp === undefined ? { ok: true, event } : { ok: true, event, stamp: shape.stamp };
}

interface Envelope {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly timeMs: number;
  readonly schemaversion: string | undefined;
  readonly trace: TraceContext | undefined;
  readonly stamp: ProducerStamp | undefined;
  readonly data: unknown;
}

/** The envelope's fields, or a sentence saying which one is wrong. */
function checkEnvelope(value: unknown): Envelope | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a message must be a JSON object';
  const m = value as Record<string, unknown>;
  if (m['specversion'] !== '1.0') return '`specversion` must be "1.0"';
  for (const key of ['id', 'type', 'source', 'time'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') return `\`${key}\` must be a non-empty string`;
  }
  const timeMs = parseIsoTime(m['time'] as string);
  if (Number.isNaN(timeMs)) return '`time` must be an RFC 3339 timestamp with Z or an offset';
  if (m['datacontenttype'] !== undefined && m['datacontenttype'] !== 'application/json') {
    return '`datacontenttype` must be application/json';
  }
  if (!('data' in m)) return 'a message must carry `data`';
  const version = m['schemaversion'];
  if (version !== undefined && typeof version !== 'string') return '`schemaversion` must be a string';
  const trace = readTrace(m);
  if (typeof trace === 'string') return trace;
  const stamp = readStamp(m);
  if (typeof stamp === 'string') return stamp;
  return {
    id: m['id'] as string,
    type: m['type'] as string,
    source: m['source'] as string,
    timeMs,
    schemaversion: version,
    trace,
    stamp,
    data: m['data'],
  };
}

function readTrace(m: Record<string, unknown>): TraceContext | undefined | string {
  const parent = m['traceparent'];
  if (parent === undefined) return undefined;
  if (typeof parent !== 'string' || !TRACEPARENT.test(parent)) return '`traceparent` must be a W3C traceparent';
  const state = m['tracestate'];
  if (state === undefined) return Object.freeze({ traceparent: parent });
  if (typeof state !== 'string') return '`tracestate` must be a string';
  return Object.freeze({ traceparent: parent, tracestate: state });
}

function readStamp(m: Record<string, unknown>): ProducerStamp | undefined | string {
  const id = m['producerid'];
  const seq = m['producerseq'];
  if (id === undefined && seq === undefined) return undefined;
  if (typeof id !== 'string' || id === '') return '`producerid` must be a non-empty string';
  if (typeof seq !== 'string' || !SEQUENCE.test(seq)) return '`producerseq` must be a positive decimal integer string';
  const sequence = Number(seq);
  if (!Number.isSafeInteger(sequence)) return '`producerseq` is out of range';
  return { producerId: id, sequence };
}

/** `data` brought up to the definition's major through its upcasters, or why that is impossible. */
function upcast(def: AnyEventDefinition, version: string | undefined, data: unknown): unknown {
  // A message without `schemaversion` (another producer than dotbus) is read as the current major.
  if (version === undefined) return data;
  const major = majorOf(version);
  if (major === undefined) return new DecodeError('not-a-cloudevent', `\`schemaversion\` ${JSON.stringify(version)} is not semver`);
  if (major > def.major) {
    return new DecodeError('unsupported-version', `${def.name} ${version} is newer than the known ${def.version}; upgrade this consumer`);
  }
  let current = data;
  for (let m = major; m < def.major; m++) {
    const step = def.upcasters[m];
    if (step === undefined) {
      return new DecodeError('unsupported-version', `${def.name} ${version} is older than ${def.version} and no upcaster from major ${m} is registered`);
    }
    try {
      current = step(current);
    } catch (e) {
      return new DecodeError('unsupported-version', `upcaster from major ${m} of ${def.name} failed`, [], { cause: e });
    }
  }
  return current;
}

function traceAttributes(trace: TraceContext): { traceparent: string; tracestate?: string } {
  return trace.tracestate === undefined ? { traceparent: trace.traceparent } : { ...trace };
}

/** `bytes` as text; a Buffer (what the Redis clients hand over) converts without a new view. */
function utf8Of(bytes: Uint8Array): string {
  return Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** UTF-8 size of `text`, computed exactly only when it could exceed `limit`. */
function utf8Length(text: string, limit: number): number {
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text, 'utf8');
}

function fail(reason: DecodeFailure, detail: string): { ok: false; error: DecodeError } {
  return { ok: false, error: new DecodeError(reason, detail) };
}
