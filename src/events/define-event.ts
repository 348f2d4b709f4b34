import { randomUUID } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { JsonCodec } from '../codec/json-codec.js';
import { type DecodeError, InvalidEventError, InvalidOptionError, type ValidationIssue } from '../errors.js';
import type { BusEvent, DeepReadonly, EventMeta } from './bus-event.js';
import { assertEventType } from './event-type.js';
import { envelopeIssue } from './envelope.js';
import { EventRecord } from './event-record.js';
import { FrozenDate, freezeData } from './freeze.js';
import { EventRegistry } from './registry.js';
import { compileSensitive, scrubText, type SensitivePath } from './sensitive.js';
import { checkSensitivePaths } from './sensitive-schema.js';
import { requireMajor } from './version.js';

/** Source used when neither the event nor its publisher names one. */
export const DEFAULT_SOURCE = '/dotbus';

/**
 * Turns data written under an older major version into data of the next major.
 * Receives data that has not been validated: check what you read.
 */
export type Upcaster = (data: unknown) => unknown;

/** What {@link defineEvent} takes. */
export interface EventDefinitionOptions<T extends string, S extends TSchema> {
  /** A readable name for docs and errors, e.g. `PerformanceEvent`. @default the first type */
  readonly name?: string;
  /** The event type, or the family of types, this definition binds. */
  readonly type: T | readonly [T, ...T[]];
  /** Semantic version of the schema, e.g. `1.0.0`. */
  readonly version: string;
  /** The runtime schema (TypeBox); the static type is inferred from it. */
  readonly schema: S;
  /**
   * Upcasters from older majors, keyed by the major they read: `{ 1: v1ToV2 }` lets a consumer
   * of 2.x decode 1.x messages. Chained: `{ 1: a, 2: b }` reads 1.x as `b(a(data))`.
   */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  /**
   * Fields that hold secrets or personal data, as JSON pointers into the data (`*` for every
   * element of an array): `['/card/number', '/contacts/*\/email']`. Handlers get them as sent;
   * everything that shows events to people masks them as `***`: `dotbus tail` and `replay`,
   * {@link maskEvent}, and the text of validation errors and `system.error.*` events.
   * Typed against the schema: a path to no field is a compile error, and an {@link InvalidOptionError}
   * when defined from JavaScript.
   * @default []
   */
  readonly sensitive?: readonly SensitivePath<Static<S>>[];
}

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** `create` of a single-type definition: `Def.create(data, meta?)`. */
export interface SingleTypeFactory<T extends string, D> {
  /**
   * Validates `data`, fills in id, time and source, and returns a frozen event.
   * `data` is frozen in place (the event takes ownership of it).
   * @throws {@link InvalidEventError} naming the field and what was expected.
   */
  create(data: DeepReadonly<D>, meta?: EventMeta): BusEvent<T, D>;
}

/** `create` of a family definition: `Def.create(type, data, meta?)`. */
export interface FamilyFactory<T extends string, D> {
  /**
   * Validates `data`, fills in id, time and source, and returns a frozen event of type `type`.
   * `data` is frozen in place (the event takes ownership of it).
   * @throws {@link InvalidEventError} naming the field and what was expected.
   */
  create<K extends T>(type: K, data: DeepReadonly<D>, meta?: EventMeta): BusEvent<K, D>;
}

/** Shared, non-generic surface of every definition. */
export interface EventDefinitionBase {
  /** Readable name, e.g. `PerformanceEvent`. */
  readonly name: string;
  /** The types this definition binds. */
  readonly types: readonly string[];
  /** Semantic version of the schema. */
  readonly version: string;
  /** Major number of {@link version}. */
  readonly major: number;
  /** The runtime schema, a JSON Schema document (export it for other languages). */
  readonly schema: TSchema;
  /** Upcasters from older majors. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  /** JSON pointers of the fields masked wherever events are shown to people (see {@link EventDefinitionOptions.sensitive}). */
  readonly sensitive: readonly string[];
  /** Whether `data` satisfies the schema (compiled check, no allocation). */
  check(data: unknown): boolean;
  /** Every schema violation of `data`, empty when valid. */
  issues(data: unknown): ValidationIssue[];
  /**
   * Untyped form of `create` for code that holds a type name at run time (publishers, CLIs).
   * @throws {@link InvalidEventError} for bad data, {@link InvalidOptionError} for a type it doesn't bind.
   */
  createOf(type: string, data: unknown, meta?: EventMeta): BusEvent;
  /**
   * Reads an event of this definition from its CloudEvents JSON (what `JSON.stringify(event)`
   * and the codec write): validated, upcast from older majors, frozen. Never throws.
   * @remarks Spec: `IEvent.from_json()`.
   */
  fromJSON(text: string | Uint8Array): { readonly ok: true; readonly event: BusEvent } | { readonly ok: false; readonly error: DecodeError };
}

/**
 * Binds an event type (or a family of types), a semantic version and a runtime schema.
 *
 * @typeParam T - the literal event type(s)
 * @typeParam D - the payload type, inferred from the schema
 */
export type EventDefinition<T extends string = string, D = unknown> = Omit<EventDefinitionBase, 'types' | 'fromJSON'> & {
  readonly types: readonly T[];
  /** Phantom member carrying the payload type; `undefined` at run time. */
  readonly _data?: D;
  /** Whether `event` is one of this definition's types. */
  is(event: BusEvent): event is EventOfDefinition<EventDefinition<T, D>>;
  /** @see {@link EventDefinitionBase.fromJSON}; the event is typed, and an event of another type is a `DecodeError`. */
  fromJSON(text: string | Uint8Array): { readonly ok: true; readonly event: EventOfDefinition<EventDefinition<T, D>> } | { readonly ok: false; readonly error: DecodeError };
} & (IsUnion<T> extends true ? FamilyFactory<T, D> : SingleTypeFactory<T, D>);

/** Any event definition. */
export type AnyEventDefinition = EventDefinitionBase & { readonly _data?: unknown; is(event: BusEvent): boolean };

/** The event union a definition produces: one `BusEvent` per type, so `eventType` narrows. */
export type EventOfDefinition<Def> = Def extends { readonly types: readonly (infer T extends string)[]; readonly _data?: infer D }
  ? T extends string
    ? BusEvent<T, D>
    : never
  : never;

/** The event union of a list of definitions. */
export type EventsOf<Defs extends readonly AnyEventDefinition[]> = EventOfDefinition<Defs[number]>;

/**
 * Defines an event type (or family) with a version and a schema.
 *
 * @example
 * ```ts
 * const OrderPlaced = defineEvent({
 *   type: 'order.placed',
 *   version: '1.0.0',
 *   schema: Type.Object({ orderId: Type.String(), total: Type.Number() }),
 * });
 * const e = OrderPlaced.create({ orderId: 'o-1', total: 42 }); // BusEvent<'order.placed', {...}>
 * ```
 * @throws {@link InvalidEventTypeError} for a malformed type, {@link InvalidOptionError} for a non-semver version.
 */
export function defineEvent<const T extends string, S extends TSchema>(
  options: EventDefinitionOptions<T, S>,
): EventDefinition<T, Static<S>> {
  const types: readonly T[] = typeof options.type === 'string' ? [options.type] : [...(options.type as readonly T[])];
  if (types.length === 0) throw new InvalidOptionError('type', 'a definition needs at least one event type');
  for (const t of types) assertEventType(t);
  const name = options.name ?? types[0]!;
  const major = requireMajor(options.version, name);
  const compiled = TypeCompiler.Compile(options.schema);
  const typeSet = new Set<string>(types);
  const sensitive = compileSensitive(options.sensitive);
  checkSensitivePaths(options.schema, sensitive, options.sensitive ?? [], name);
  // Messages that quote a sensitive value (none of TypeBox's do today) still never show it.
  const issues = (data: unknown): ValidationIssue[] => [...compiled.Errors(data)].map((e) => ({ path: e.path, message: scrubText(e.message, data, sensitive) }));
  const build = (type: string, data: unknown, meta: EventMeta | undefined): BusEvent => {
    const envelope = envelopeIssue(meta);
    if (envelope !== undefined) throw new InvalidEventError(type, [envelope]);
    // Structure first: it bounds depth and size, so the schema check never meets a cycle.
    const structure = freezeData(data);
    if (structure !== undefined) throw new InvalidEventError(type, [{ path: '', message: structure }]);
    if (!compiled.Check(data)) throw new InvalidEventError(type, issues(data));
    return recordOf(definition, type, options.version, data, meta);
  };
  const createOf = (type: string, data: unknown, meta?: EventMeta): BusEvent => {
    if (!typeSet.has(type)) {
      throw new InvalidOptionError('type', `${JSON.stringify(type)} is not one of ${name}'s types (${types.join(', ')})`);
    }
    return build(type, data, meta);
  };
  const definition = {
    name,
    types,
    version: options.version,
    major,
    schema: options.schema,
    upcasters: Object.freeze({ ...options.upcasters }),
    sensitive: Object.freeze([...(options.sensitive ?? [])]) as readonly string[],
    check: (data: unknown) => compiled.Check(data),
    issues,
    is: (event: BusEvent) => typeSet.has(event.eventType),
    create: types.length > 1 ? createOf : (data: unknown, meta?: EventMeta) => build(types[0]!, data, meta),
    createOf,
    fromJSON: (text: string | Uint8Array) => {
      const result = (codec ??= new JsonCodec(new EventRegistry([definition as unknown as AnyEventDefinition]))).decode(text);
      return result.ok ? { ok: true as const, event: result.event } : result;
    },
  };
  let codec: JsonCodec | undefined;
  return Object.freeze(definition) as unknown as EventDefinition<T, Static<S>>;
}

/** A frozen event of `type` around already-validated and frozen `data`, with the envelope filled in. */
function recordOf(definition: object, type: string, version: string, data: unknown, meta: EventMeta | undefined): BusEvent {
  const trace = meta?.trace;
  return new EventRecord(
    {
      eventId: meta?.eventId ?? randomUUID(),
      eventType: type,
      timestamp: new FrozenDate(meta?.timestamp?.getTime() ?? Date.now()),
      version,
      source: meta?.source ?? DEFAULT_SOURCE,
      trace: trace === undefined ? undefined : Object.freeze(trace.tracestate === undefined ? { traceparent: trace.traceparent } : { traceparent: trace.traceparent, tracestate: trace.tracestate }),
      data,
    },
    definition,
  );
}
