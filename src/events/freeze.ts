/**
 * A `Date` whose setters throw, so that a frozen event's timestamp is immutable too
 * (`Object.freeze` does not protect a Date's internal time value).
 */
export class FrozenDate extends Date {
  constructor(ms: number) {
    super(ms);
    Object.freeze(this);
  }
}

const mutators = Object.getOwnPropertyNames(Date.prototype).filter((name) => name.startsWith('set'));
for (const name of mutators) {
  Object.defineProperty(FrozenDate.prototype, name, {
    value(): never {
      throw new TypeError(`event timestamps are immutable: Date.${name} is not allowed; create a new Date instead`);
    },
  });
}

/**
 * Freezes parsed JSON in place, everything reachable included. Only for what `JSON.parse` made,
 * with its nesting already bounded (the codec refuses deeper text first): plain objects, arrays
 * and primitives, no cycles, so the recursion is shallow and nothing needs checking.
 */
export function deepFreezeParsed<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreezeParsed(value[i]);
  } else {
    for (const key in value) deepFreezeParsed(value[key]);
  }
  return value;
}

/** Deepest nesting of event data (objects and arrays inside each other). */
export const MAX_DATA_DEPTH = 256;
/** Most values (of any kind) in one event's data. */
export const MAX_DATA_VALUES = 10_000_000;

// One walk runs at a time (it never calls out), so its stacks are reused instead of allocated per event.
const pending: unknown[] = [];
const depths: number[] = [];

/**
 * Freezes `data` and everything reachable from it, in place, checking on the way that it is
 * JSON data the wire can carry unchanged: plain objects and arrays, strings, finite numbers,
 * booleans and null, at most {@link MAX_DATA_DEPTH} levels deep and {@link MAX_DATA_VALUES}
 * values in all (which also stops cycles). Returns `undefined` when it is, else what is wrong.
 *
 * @remarks Iterative, so hostile nesting can't overflow the stack. Frozen objects are walked too:
 * a caller's shallowly frozen object may hold mutable ones.
 */
export function freezeData(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return primitiveIssue(data, '');
  pending.length = 0;
  depths.length = 0;
  pending.push(data);
  depths.push(1);
  let seen = 0;
  while (pending.length > 0) {
    const value = pending.pop() as object;
    const depth = depths.pop()!;
    if (++seen > MAX_DATA_VALUES) return clear(`data has more than ${MAX_DATA_VALUES} values (or is cyclic)`);
    if (depth > MAX_DATA_DEPTH) return clear(`data is nested more than ${MAX_DATA_DEPTH} levels deep (or is cyclic)`);
    const proto: unknown = Object.getPrototypeOf(value);
    const isArray = Array.isArray(value);
    if (!isArray && proto !== Object.prototype && proto !== null) return clear(`data holds a ${describeKind(value)}, which JSON can't carry; use plain objects`);
    Object.freeze(value);
    if (isArray) {
      const items = value as unknown[];
      for (let i = 0; i < items.length; i++) {
        const issue = visit(items[i], depth, ` at index ${i}`);
        if (issue !== undefined) return clear(issue);
      }
    } else {
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        // An undefined property is left out by JSON (an optional field); an undefined item would become null.
        if (item === undefined) continue;
        const issue = visit(item, depth, '');
        if (issue !== undefined) return clear(issue);
      }
    }
  }
  return undefined;
}

/** Queues an object for the walk, or checks a primitive; returns what is wrong with it. */
function visit(item: unknown, depth: number, where: string): string | undefined {
  if (typeof item === 'object' && item !== null) {
    pending.push(item);
    depths.push(depth + 1);
    return undefined;
  }
  return primitiveIssue(item, where);
}

function clear(issue: string): string {
  pending.length = 0;
  depths.length = 0;
  return issue;
}

function primitiveIssue(value: unknown, where: string): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `data holds ${String(value)}${where}, which JSON can't carry`;
    case 'object':
      return undefined; // null
    case 'undefined':
      return `data holds undefined${where}, which JSON can't carry`;
    default:
      return `data holds a ${typeof value}${where}, which JSON can't carry`;
  }
}

function describeKind(value: object): string {
  const name: unknown = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'non-plain object';
}
