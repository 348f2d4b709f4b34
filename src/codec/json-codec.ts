import type { BusEvent, TraceContext } from '../events/bus-event.js';
import { EventRecord } from '../events/event-record.js';
import { deepFreezeParsed, FrozenDate, freezeData } from '../events/freeze.js';
import type { AnyEventDefinition } from '../events/define-event.js';
import type { EventRegistry } from '../events/registry.js';
import { dataSchemaUri } from '../events/data-schema.js';
import { majorOf } from '../events/version.js';
import { DecodeError, describe, InvalidEventError, InvalidOptionError, UnknownEventTypeError, type DecodeFailure } from '../errors.js';
import { memberNamesIssue, producerIdIssue, textIssue, traceStateIssue } from './attributes.js';
import { formatIsoTime, parseIsoTime } from './iso-time.js';
import { parseUntrustedJson, strictUtf8 } from './safe-json.js';
import type { EventSecurity } from '../security/event-security.js';
import { signableText } from '../security/signable.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type ProducerStamp, type WireMessage } from './wire.js';

/** Options of {@link JsonCodec}. */
export interface JsonCodecOptions {
  /** Largest message `decode` accepts, in bytes. @default 4 MiB */
  readonly maxMessageBytes?: number | undefined;
  /**
   * Decode a well-formed CloudEvent of a type no definition is registered for as an untyped event
   * (`isUntyped(event)`, `data` unchecked but frozen) instead of failing with `unknown-type`; and
   * encode such an untyped event as it is (without `dataschema` / `schemaversion` when it came
   * without a version) instead of throwing {@link UnknownEventTypeError}.
   * @default false
   */
  readonly untyped?: boolean | undefined;
  /** Sign what `encode` writes and verify what `decode` reads (see {@link EventSecurity}). @default none */
  readonly security?: EventSecurity | undefined;
}

/** A decoded message: the event, and the producer stamp when the message carried one. */
export interface Decoded {
  readonly ok: true;
  readonly event: BusEvent;
  readonly stamp?: ProducerStamp;
  /** The key id of the valid signature it carried, when the codec verifies. */
  readonly keyId?: string;
}

/** Result of {@link JsonCodec.decode}: check `ok` before using it. */
export type DecodeResult = Decoded | { readonly ok: false; readonly error: DecodeError };

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Encodes events as CloudEvents 1.0 JSON and decodes them back, through a registry of definitions.
 *
 * @remarks `decode` never throws and never trusts its input (DESIGN §4): every failure is a
 * {@link DecodeError} with a reason. Besides the data's schema it refuses bytes that are not
 * UTF-8; attribute names other than lower-case letters and digits (a misspelt `Type` is not
 * ignored) and `data_base64`; `id`, `source` and `producerid` holding control characters (C0, DEL,
 * C1), noncharacters, unpaired surrogates or bidirectional formatting characters; a `producerid`
 * longer than `MAX_PRODUCER_ID_LENGTH` (200, the limit heartbeats have); a `tracestate` that is
 * not printable ASCII of at most 512 characters; and a `time` that is not a real RFC 3339
 * instant of the years 0000–9999 (see {@link parseIsoTime}: no 30 February, no hour 24, no leap
 * second). Strings inside `data` are the application's: any text JSON can carry is kept.
 * `encode` refuses to write a `source`, `tracestate` or producer id that `decode` would refuse.
 */
export class JsonCodec {
  readonly #registry: EventRegistry;
  readonly #maxBytes: number;
  readonly #untyped: boolean;
  readonly #security: EventSecurity | undefined;
  /**
   * The last `source` and producer id that passed their checks: a bus encodes the same ones again
   * and again. None at first: a start value of `''` let an empty one through unchecked.
   */
  #checkedSource: string | undefined;
  #checkedProducer: string | undefined;
  /** The JSON text of the last source written, and of the producer id with the members around it: written again and again. */
  #sourceJson = '""';
  #producerJson = ',"producerid":"","producerseq":"';
  /** Per event type, the last version written and its `dataschema` and `schemaversion` members. */
  readonly #schemaMembers = new Map<string, { readonly version: string; readonly json: string }>();
  /** The last `schemaversion` decoded and its major: a consumer reads the same few versions over and over. */
  #lastVersion: string | undefined;
  #lastMajor: number | undefined;

  constructor(registry: EventRegistry, options: JsonCodecOptions = {}) {
    this.#registry = registry;
    this.#untyped = options.untyped === true;
    this.#security = options.security;
    this.#maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!(this.#maxBytes > 0)) throw new InvalidOptionError('maxMessageBytes', 'must be a positive number of bytes');
  }

  /** What signs and verifies, if anything (heartbeats are signed with it too). */
  get security(): EventSecurity | undefined {
    return this.#security;
  }

  /** Largest message `decode` takes, in bytes. */
  get maxMessageBytes(): number {
    return this.#maxBytes;
  }

  /** Whether `decode` verifies signatures (and so whether a producer stamp can be trusted only when signed). */
  get verifies(): boolean {
    return this.#security?.verifies === true;
  }

  /**
   * The wire message of `event`, stamped with `stamp` when given.
   * @throws {@link UnknownEventTypeError} for an unregistered type, {@link InvalidEventError} for data
   * that breaks its schema (possible only for events not built by a definition).
   */
  encode(event: BusEvent, stamp?: ProducerStamp): string {
    this.#check(event);
    this.#checkText(event, stamp);
    const security = this.#security;
    const keyId = security?.signingKeyId;
    if (security !== undefined && keyId !== undefined) return security.seal(signableText(event, stamp, keyId));
    // Written by hand rather than stringifying an envelope object: no intermediate object, and
    // only the fields that can hold arbitrary text go through JSON.stringify. The type and the
    // time can't need escaping (the type grammar allows [A-Za-z0-9_.-] only).
    // The source and producer id are the ones #checkText just saw: their JSON text is kept with them.
    let json = `{"specversion":"1.0","id":${JSON.stringify(event.eventId)},"source":${this.#sourceJson},"type":"${event.eventType}","time":"${formatIsoTime(event.timestamp.getTime())}","datacontenttype":"application/json"`;
    // An untyped event from a producer that wrote no schemaversion has none to write back.
    if (event.version !== '') json += this.#schemaJson(event.eventType, event.version);
    const trace = event.trace;
    if (trace !== undefined) {
      json += `,"traceparent":${JSON.stringify(trace.traceparent)}`;
      if (trace.tracestate !== undefined) json += `,"tracestate":${JSON.stringify(trace.tracestate)}`;
    }
    if (stamp !== undefined) json += `${this.#producerJson}${stamp.sequence}"`;
    if (event.replayOf !== undefined) json += `,"replayof":${JSON.stringify(event.replayOf)}`;
    return `${json},"data":${JSON.stringify(event.data)}}`;
  }

  /** The `dataschema` and `schemaversion` members of `type` at `version`, kept per type. */
  #schemaJson(type: string, version: string): string {
    const kept = this.#schemaMembers.get(type);
    if (kept !== undefined && kept.version === version) return kept.json;
    const json = `,"dataschema":${JSON.stringify(dataSchemaUri(type, version))},"schemaversion":${JSON.stringify(version)}`;
    // Types are registered, so the map is as big as the registry (plus untyped types re-encoded, bounded too).
    if (this.#schemaMembers.size < 10_000 || kept !== undefined) this.#schemaMembers.set(type, { version, json });
    return json;
  }

  /** The envelope object of `event` (what {@link encode} serializes). */
  toWire(event: BusEvent, stamp?: ProducerStamp): WireMessage {
    this.#check(event);
    this.#checkText(event, stamp);
    return {
      specversion: '1.0',
      id: event.eventId,
      source: event.source,
      type: event.eventType,
      time: event.timestamp.toISOString(),
      datacontenttype: 'application/json',
      ...(event.version === '' ? {} : { dataschema: dataSchemaUri(event.eventType, event.version), schemaversion: event.version }),
      ...(event.trace === undefined ? {} : traceAttributes(event.trace)),
      ...(stamp === undefined ? {} : { producerid: stamp.producerId, producerseq: String(stamp.sequence) }),
      ...(event.replayOf === undefined ? {} : { replayof: event.replayOf }),
      data: event.data,
    };
  }

  #check(event: BusEvent): void {
    const def = this.#registry.get(event.eventType);
    const vouch = EventRecord.vouchOf(event);
    // Built (or decoded) and validated by this very definition: nothing left to check.
    if (def !== undefined && vouch === def) return;
    // Decoded untyped (no definition anywhere on its way): an untyped codec writes it as it came.
    if (def === undefined && vouch === null && this.#untyped) return;
    if (event.data === undefined) throw new InvalidEventError(event.eventType, [{ path: '', message: 'data is missing' }]);
    if (def === undefined) throw new UnknownEventTypeError(event.eventType);
    if (!def.check(event.data)) throw new InvalidEventError(event.eventType, def.issues(event.data));
  }

  /**
   * Refuses envelope text that {@link decode} would refuse: `create` lets any non-empty source and
   * any tracestate through, and a transport's producer id comes from its options.
   */
  #checkText(event: BusEvent, stamp: ProducerStamp | undefined): void {
    const source = event.source;
    if (source !== this.#checkedSource) {
      if (source === '') throw new InvalidEventError(event.eventType, [{ path: '/source', message: 'A CloudEvents source may not be empty' }]);
      const issue = textIssue(source);
      if (issue !== undefined) throw new InvalidEventError(event.eventType, [{ path: '/source', message: `A CloudEvents source may not hold ${issue}` }]);
      this.#checkedSource = source;
      this.#sourceJson = JSON.stringify(source);
    }
    const state = event.trace?.tracestate;
    if (state !== undefined) {
      const issue = traceStateIssue(state);
      if (issue !== undefined) throw new InvalidEventError(event.eventType, [{ path: '/trace/tracestate', message: `A W3C tracestate ${issue}` }]);
    }
    if (stamp !== undefined && stamp.producerId !== this.#checkedProducer) {
      const issue = producerIdIssue(stamp.producerId);
      if (issue !== undefined) throw new InvalidOptionError('producerId', `${issue} (consumers refuse such ids)`);
      this.#checkedProducer = stamp.producerId;
      this.#producerJson = `,"producerid":${JSON.stringify(stamp.producerId)},"producerseq":"`;
    }
  }

  /**
   * Decodes a wire message; never throws. With verification on, the signature is checked first;
   * `redelivered` (a Streams entry delivered again) exempts the event from the replay check of its id.
   */
  decode(raw: string | Uint8Array, redelivered = false): DecodeResult {
    if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) return fail('malformed-json', 'a message is a string or bytes');
    const size = typeof raw === 'string' ? utf8Length(raw, this.#maxBytes) : raw.byteLength;
    if (size > this.#maxBytes) return fail('oversize', `message is ${size} bytes; the limit is ${this.#maxBytes}`);
    const text = typeof raw === 'string' ? raw : strictUtf8(raw);
    if (text === undefined) return fail('malformed-json', 'message is not valid UTF-8');
    const parsed = parseUntrustedJson(text);
    if (!parsed.ok) return fail(parsed.reason, parsed.detail);
    return this.#verifiedFromWire(parsed.value, redelivered, text);
  }

  /** Decodes an already-parsed envelope (for example one read from a Redis stream entry); never throws. */
  fromWire(value: unknown, redelivered = false): DecodeResult {
    return this.#verifiedFromWire(value, redelivered, undefined);
  }

  /** {@link fromWire}, with the text `value` was parsed from when there is one (see `EventSecurity.verify`). */
  #verifiedFromWire(value: unknown, redelivered: boolean, text: string | undefined): DecodeResult {
    try {
      const security = this.#security;
      if (security?.verifies !== true) return this.#fromWire(value);
      // Before anything else: an event that fails verification is not looked at any further.
      const verdict = security.verify(value, redelivered, text);
      if (!verdict.ok) return verdict;
      return this.#fromWire(value, verdict.keyId);
    } catch (e) {
      // Upcasters are user code and schemas may recurse: whatever they throw is this message's failure.
      return fail('schema-violation', `decoding threw: ${describe(e)}`);
    }
  }

  /** `keyId`: the key of the signature verified just before, which the event and the result carry. */
  #fromWire(value: unknown, keyId?: string): DecodeResult {
    const shape = checkEnvelope(value);
    if (typeof shape === 'string') return fail('not-a-cloudevent', shape);
    const def = this.#registry.get(shape.type);
    if (def === undefined) {
      if (!this.#untyped) return fail('unknown-type', `no definition is registered for ${JSON.stringify(shape.type)}`);
      return decoded(shape, shape.schemaversion ?? '', shape.data, null, keyId);
    }
    const major = shape.schemaversion === undefined ? undefined : this.#majorOf(shape.schemaversion);
    const data = upcast(def, shape.schemaversion, major, shape.data);
    if (data instanceof DecodeError) return { ok: false, error: data };
    if (!def.check(data)) {
      const issues = def.issues(data);
      return { ok: false, error: new DecodeError('schema-violation', `data does not match ${def.name}@${def.version}`, issues) };
    }
    // Upcast data is data of the definition's version: re-encoding it must not upcast it again.
    const version = shape.schemaversion === undefined || major !== def.major ? def.version : shape.schemaversion;
    return decoded(shape, version, data, def, keyId);
  }

  /** {@link majorOf}, remembered for the last version seen (a regular expression costs more than a comparison). */
  #majorOf(version: string): number | undefined {
    if (version === this.#lastVersion) return this.#lastMajor;
    const major = majorOf(version);
    if (version.length <= 64) {
      this.#lastVersion = version;
      this.#lastMajor = major;
    }
    return major;
  }
}

/** The decoded event around `data`, frozen and vouched for by `def` (`null`: untyped). */
function decoded(shape: Envelope, version: string, data: unknown, def: AnyEventDefinition | null, keyId: string | undefined): DecodeResult {
  // The text's nesting was bounded before parsing; upcast data (user code) gets the full check.
  if (data === shape.data) deepFreezeParsed(data);
  else {
    const structure = freezeData(data);
    if (structure !== undefined) return fail('too-deep', structure);
  }
  const event = new EventRecord(
    { eventId: shape.id, eventType: shape.type, timestamp: new FrozenDate(shape.timeMs), version, source: shape.source, trace: shape.trace, data, replayOf: shape.replayOf },
    def,
    keyId,
  );
  if (keyId !== undefined) return shape.stamp === undefined ? { ok: true, event, keyId } : { ok: true, event, stamp: shape.stamp, keyId };
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
  readonly replayOf: string | undefined;
  readonly data: unknown;
}

const REQUIRED_STRINGS = ['id', 'type', 'source', 'time'] as const;

/**
 * The last `source` and `producerid` that passed their checks: the messages of one producer repeat
 * them, and comparing is cheaper than checking again. Only short ones are kept.
 */
const NOTHING_YET = Symbol('nothing checked yet');
let lastSource: unknown = NOTHING_YET;
let lastProducerId: unknown = NOTHING_YET;
const MAX_REMEMBERED_LENGTH = 256;

/** The envelope's fields, or a sentence saying which one is wrong. */
function checkEnvelope(value: unknown): Envelope | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a message must be a JSON object';
  const m = value as Record<string, unknown>;
  if (m['specversion'] !== '1.0') return '`specversion` must be "1.0"';
  const names = memberNamesIssue(m);
  if (names !== undefined) return names;
  for (const key of REQUIRED_STRINGS) {
    if (typeof m[key] !== 'string' || m[key] === '') return `\`${key}\` must be a non-empty string`;
  }
  const idIssue = textIssue(m['id'] as string);
  if (idIssue !== undefined) return `\`id\` may not hold ${idIssue}`;
  const source = m['source'] as string;
  if (source !== lastSource) {
    const issue = textIssue(source);
    if (issue !== undefined) return `\`source\` may not hold ${issue}`;
    if (source.length <= MAX_REMEMBERED_LENGTH) lastSource = source;
  }
  const timeMs = parseIsoTime(m['time'] as string);
  if (Number.isNaN(timeMs)) return '`time` must be an RFC 3339 date-time (a real date and time of day, Z or an offset up to ±23:59, no leap second) within the years 0000–9999 UTC';
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
  const replayOf = m['replayof'];
  if (replayOf !== undefined && (typeof replayOf !== 'string' || replayOf === '' || textIssue(replayOf) !== undefined)) return '`replayof` must be a non-empty event id';
  return {
    id: m['id'] as string,
    type: m['type'] as string,
    source: m['source'] as string,
    timeMs,
    schemaversion: version,
    trace,
    stamp,
    replayOf: replayOf as string | undefined,
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
  const issue = traceStateIssue(state);
  if (issue !== undefined) return `\`tracestate\` ${issue}`;
  return Object.freeze({ traceparent: parent, tracestate: state });
}

function readStamp(m: Record<string, unknown>): ProducerStamp | undefined | string {
  const id = m['producerid'];
  const seq = m['producerseq'];
  if (id === undefined && seq === undefined) return undefined;
  if (id !== lastProducerId) {
    const idIssue = producerIdIssue(id);
    if (idIssue !== undefined) return `\`producerid\` ${idIssue}`;
    lastProducerId = id;
  }
  const sequence = typeof seq === 'string' ? sequenceOf(seq) : undefined;
  if (sequence === undefined) return '`producerseq` must be a positive decimal integer string of at most 15 digits';
  return { producerId: id as string, sequence };
}

/** The value of `1`–`999999999999999` (no leading zero; always a safe integer), or `undefined`. */
function sequenceOf(text: string): number | undefined {
  if (text.length === 0 || text.length > 15 || text.charCodeAt(0) === 48 /* 0 */) return undefined;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n;
}

/** `data` brought up to the definition's major through its upcasters, or why that is impossible. */
function upcast(def: AnyEventDefinition, version: string | undefined, major: number | undefined, data: unknown): unknown {
  // A message without `schemaversion` (another producer than dotbus) is read as the current major.
  if (version === undefined) return data;
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

/** UTF-8 size of `text`, computed exactly only when it could exceed `limit`. */
function utf8Length(text: string, limit: number): number {
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text, 'utf8');
}

function fail(reason: DecodeFailure, detail: string): { ok: false; error: DecodeError } {
  return { ok: false, error: new DecodeError(reason, detail) };
}
