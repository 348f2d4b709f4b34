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

/** Freezes `value` and everything reachable from it. Returns `value`. */
export function deepFreeze<T>(value: T): T {
  // No early exit for frozen objects: a caller's shallowly frozen object may hold mutable ones.
  // Data is schema-checked JSON, so there are no cycles to guard against.
  if (typeof value !== 'object' || value === null) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}
