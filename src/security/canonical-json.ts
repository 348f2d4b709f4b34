/**
 * The canonical JSON text of a value, as RFC 8785 (JSON Canonicalization Scheme) defines it:
 * members sorted by the UTF-16 code units of their names, no whitespace, numbers written as
 * ECMAScript writes them (`1`, not `1.0`; `1e+21`; `-0` as `0`), strings escaped as
 * `JSON.stringify` escapes them. Signatures are computed over the UTF-8 bytes of this text, so a
 * consumer in any language with a JCS library can recompute them.
 *
 * @remarks Written here rather than taken from a package: it is thirty lines on the path of every
 * signed event, and it must behave exactly like `JSON.stringify` on what the codec writes
 * (`toJSON`, `undefined` members skipped, `undefined` array items as `null`) while refusing what
 * JCS refuses (non-finite numbers). `omit` leaves one member of the top-level object out: the
 * signature itself.
 * @throws TypeError for a non-finite number or a value JSON can't carry (a bigint).
 */
export function canonicalJson(value: unknown, omit?: string): string {
  return write(value, omit);
}

function write(value: unknown, omit: string | undefined): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`JSON can't carry ${String(value)}`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`JSON can't carry a ${typeof value}`);
  }
  const toJson: unknown = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return write((toJson as () => unknown).call(value), undefined);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (i > 0) out += ',';
      out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : write(item, undefined);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, which is the order JCS prescribes.
  const names = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const name of names) {
    if (name === omit) continue;
    const member = record[name];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    out += `${first ? '' : ','}${JSON.stringify(name)}:${write(member, undefined)}`;
    first = false;
  }
  return `${out}}`;
}
