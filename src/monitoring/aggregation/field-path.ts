import type { AnyBusEvent } from '../../index.js';
import { InvalidOptionError } from '../../internal.js';

/** What a group can be keyed by: values that print as they are. */
type Scalar = string | number | boolean;

/** Depth budget of {@link PathsTo}: deep enough for event payloads, shallow enough for the compiler. */
type Deeper = [never, 0, 1, 2, 3, 4, 5];

/**
 * The dotted paths into `T` whose value (optional fields included) is a `V`: `'operation'`,
 * `'resourceUsage.cpuUserMs'`, … Arrays and dates are leaves that no path enters.
 */
export type PathsTo<T, V, Depth extends number = 6> = [Depth] extends [never]
  ? never
  : T extends readonly unknown[] | Date
    ? never
    : T extends object
      ? {
          [K in keyof T & string]-?:
            | (NonNullable<T[K]> extends V ? K : never)
            | (NonNullable<T[K]> extends object ? `${K}.${PathsTo<NonNullable<T[K]>, V, Deeper[Depth]>}` : never);
        }[keyof T & string]
      : never;

/**
 * A path an aggregation can group by: `eventType`, `source`, or `data.<path>` to a string, number
 * or boolean of any of the events `E` (any string when their data is untyped).
 *
 * @example `'data.operation'`, `'data.phase'`, `'eventType'`
 */
export type GroupPath<E extends AnyBusEvent> = E extends AnyBusEvent
  ? unknown extends E['data']
    ? string
    : 'eventType' | 'source' | `data.${PathsTo<E['data'], Scalar>}`
  : never;

/**
 * A path to a number of any of the events `E` that an aggregation can aggregate (any string when
 * their data is untyped).
 *
 * @example `'data.durationMs'`, `'data.resourceUsage.cpuUserMs'`
 */
export type ValuePath<E extends AnyBusEvent> = E extends AnyBusEvent
  ? unknown extends E['data']
    ? string
    : `data.${PathsTo<E['data'], number>}`
  : never;

/** Keys no path may name: reading them would reach the prototype chain, not the event. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Reads one field of an event; `undefined` where the path leaves the event's objects. */
export type FieldReader = (event: AnyBusEvent) => unknown;

/**
 * The reader of the `value` path.
 *
 * @remarks `valueReader` and {@link groupReader} are the same but for their `data.<field>`
 * reader, written twice on purpose: each literal is its own property-load site in V8, so the one
 * sees only value fields and the other only group fields, and both stay fast (a single shared
 * site would see every key and turn megamorphic). That read is the hot path of an aggregation.
 * @throws {@link InvalidOptionError} for an empty segment or a forbidden key.
 */
export function valueReader(path: string): FieldReader {
  const segments = checkedSegments('value', path);
  const key = segments[1]!;
  if (segments.length === 2 && segments[0] === 'data') {
    return (event) => {
      const data = event.data;
      return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
    };
  }
  return genericReader(segments);
}

/** The reader of one `groupBy` path (see {@link valueReader}). */
export function groupReader(path: string): FieldReader {
  const segments = checkedSegments('groupBy', path);
  const key = segments[1]!;
  if (segments.length === 2 && segments[0] === 'data') {
    return (event) => {
      const data = event.data;
      return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
    };
  }
  return genericReader(segments);
}

/**
 * The segments of a dotted path, checked.
 *
 * @remarks Readers make no own-property check: the keys that reach the prototype chain's
 * internals are refused here, and every other inherited property is a function, which callers
 * treat as absent (they want strings, numbers or booleans).
 */
function checkedSegments(option: string, path: string): string[] {
  const segments = path.split('.');
  for (const s of segments) {
    if (s === '' || FORBIDDEN.has(s)) {
      throw new InvalidOptionError(option, `${JSON.stringify(path)} is no field path: use dotted field names such as 'data.operation'`);
    }
  }
  return segments;
}

function genericReader(segments: readonly string[]): FieldReader {
  return (event) => {
    let value: unknown = event;
    for (let i = 0; i < segments.length; i++) {
      if (typeof value !== 'object' || value === null) return undefined;
      value = (value as Record<string, unknown>)[segments[i]!];
    }
    return value;
  };
}
