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

/**
 * A reader of one dotted path of an event, built once: `undefined` where the path leaves the
 * objects of the event.
 *
 * @remarks No own-property check: the keys that reach the prototype chain's internals are refused
 * here, and every other inherited property is a function, which callers treat as absent (they
 * want strings, numbers or booleans). That keeps a read to plain property loads on the hot path.
 * @throws {@link InvalidOptionError} for an empty segment or a forbidden key.
 */
export function pathReader(option: string, path: string): (event: AnyBusEvent) => unknown {
  const segments = path.split('.');
  for (const s of segments) {
    if (s === '' || FORBIDDEN.has(s)) {
      throw new InvalidOptionError(option, `${JSON.stringify(path)} is no field path: use dotted field names such as 'data.operation'`);
    }
  }
  // Paths are read once per event: the usual `data.<field>` gets a reader whose first load is a
  // constant property (fast), and one- and two-segment paths get loop-free readers.
  const [a, b] = segments as [string, string];
  if (segments.length === 2 && a === 'data') return (event) => prop(event.data, b);
  if (segments.length === 1) return (event) => prop(event, a);
  if (segments.length === 2) return (event) => prop(prop(event, a), b);
  return (event) => {
    let value: unknown = event;
    for (let i = 0; i < segments.length && value !== undefined; i++) value = prop(value, segments[i]!);
    return value;
  };
}

/** `value[key]` if `value` is an object, else `undefined`. */
function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
