/**
 * The canonical JSON text of a value, as RFC 8785 (JSON Canonicalization Scheme) defines it:
 * members sorted by the UTF-16 code units of their names, no whitespace, numbers written as
 * ECMAScript writes them (`1`, not `1.0`; `1e+21`; `-0` as `0`), strings escaped as
 * `JSON.stringify` escapes them. Signatures are computed over the UTF-8 bytes of this text, so a
 * consumer in any language with a JCS library can recompute them.
 *
 * @remarks Written here rather than taken from a package: it is short, on the path of every
 * signed event, and it must behave exactly like `JSON.stringify` on what the codec writes
 * (`toJSON`, `undefined` members skipped, `undefined` array items as `null`) while refusing what
 * JCS refuses (non-finite numbers). `omit` leaves one member of the top-level object out: the
 * signature itself.
 * @throws TypeError for a non-finite number or a value JSON can't carry (a bigint).
 */
export function canonicalJson(value: unknown, omit?: string): string {
  if (omit === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return write(value);
  const record = value as Record<string, unknown>;
  return writeMembers(record, Object.keys(record).filter((name) => name !== omit));
}

/** Text that needs no escaping: short, no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** Member names seen before, quoted and followed by `:`: an event type's few names recur on every event. Bounded. */
const memberNames = new Map<string, string>();
const MAX_MEMBER_NAMES = 1024;

function memberName(name: string): string {
  let written = memberNames.get(name);
  if (written === undefined) {
    written = `${text(name)}:`;
    if (memberNames.size < MAX_MEMBER_NAMES) memberNames.set(name, written);
  }
  return written;
}

function text(value: string): string {
  // JSON.stringify is exact but a call per string; most names and values need no escaping at all.
  return value.length <= 64 && PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`JSON can't carry ${String(value)}`);
      return String(value); // ECMAScript Number::toString, which JCS prescribes (and -0 → "0")
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? writeItems(value) : writeObject(value);
    default:
      throw new TypeError(`JSON can't carry a ${typeof value}`);
  }
}

function writeItems(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) out += ',';
    out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : write(item);
  }
  return `${out}]`;
}

function writeObject(value: object): string {
  // Parsed JSON and plain data have no toJSON; only other objects (a Date) are asked, as JSON.stringify does.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const toJson: unknown = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') return write((toJson as () => unknown).call(value));
  }
  return writeMembers(value as Record<string, unknown>, Object.keys(value));
}

function writeMembers(record: Readonly<Record<string, unknown>>, names: string[]): string {
  sortNames(names);
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const member = record[name];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    if (out.length > 1) out += ',';
    out += memberName(name);
    out += write(member);
  }
  return `${out}}`;
}

/**
 * Sorts member names by their UTF-16 code units, the order JCS prescribes (as do the default sort
 * and `<` on strings). An insertion sort for the few names of a typical object: it costs a third of
 * `Array.prototype.sort`'s call, which was a quarter of canonicalizing an event's data.
 */
function sortNames(names: string[]): void {
  if (names.length > 16) {
    names.sort();
    return;
  }
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    let j = i - 1;
    while (j >= 0 && names[j]! > name) {
      names[j + 1] = names[j]!;
      j--;
    }
    names[j + 1] = name;
  }
}
