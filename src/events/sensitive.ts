import { InvalidOptionError } from '../errors.js';

/** What a sensitive value is shown as wherever dotbus shows event data to people. */
export const SENSITIVE_MASK = '***';

/** Deepest data path {@link SensitivePath} spells out; deeper fields are marked through a `*` or written untyped. */
type Depth = [never, 0, 1, 2, 3, 4, 5, 6, 7];

type EscapeTilde<K extends string> = K extends `${infer A}~${infer B}` ? `${A}~0${EscapeTilde<B>}` : K;
type EscapeSlash<K extends string> = K extends `${infer A}/${infer B}` ? `${A}~1${EscapeSlash<B>}` : K;
/** An object key as a JSON-pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`). */
type Segment<K extends string> = EscapeSlash<EscapeTilde<K>>;

type PathsOf<D, N extends number> = [N] extends [never]
  ? never
  : D extends readonly (infer E)[]
    ? '/*' | `/*${PathsOf<E, Depth[N]>}`
    : D extends object
      ? { [K in keyof D & string]-?: `/${Segment<K>}` | `/${Segment<K>}${PathsOf<NonNullable<D[K]>, Depth[N]>}` }[keyof D & string]
      : never;

/**
 * A JSON pointer (RFC 6901) to a field of event data `D`, with `*` standing for every element
 * of an array (or every key of a record): `/card/number`, `/payments/*\/iban`. Checked against the
 * schema's static type, so a typo is a compile error.
 */
export type SensitivePath<D> = PathsOf<D, 7>;

/** The compiled form of a definition's sensitive paths: each one's segments. */
export type SensitivePaths = readonly (readonly string[])[];

/**
 * Parses the `sensitive` option of `defineEvent`.
 * @throws {@link InvalidOptionError} for a path that is not a JSON pointer to a field (`''`, no leading `/`).
 */
export function compileSensitive(paths: readonly string[] | undefined): SensitivePaths {
  if (paths === undefined) return [];
  if (!Array.isArray(paths)) throw new InvalidOptionError('sensitive', 'must be an array of JSON pointers such as "/card/number"');
  return paths.map((path: unknown) => {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new InvalidOptionError('sensitive', `${JSON.stringify(path)} is not a JSON pointer to a field; write e.g. "/card/number" or "/items/*/pan"`);
    }
    return Object.freeze(path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));
  });
}

/**
 * A copy of `data` with every field at `paths` replaced by {@link SENSITIVE_MASK}; only the
 * branches on the way are copied, the rest is shared. A path that leads nowhere (an optional
 * field left out, an index past the end, a string where an object was expected) masks nothing
 * and adds nothing.
 */
export function maskPaths(data: unknown, paths: SensitivePaths): unknown {
  let out = data;
  for (const segments of paths) out = maskAt(out, segments, 0);
  return out;
}

function maskAt(value: unknown, segments: readonly string[], i: number): unknown {
  if (i === segments.length) return SENSITIVE_MASK;
  if (typeof value !== 'object' || value === null) return value;
  const segment = segments[i]!;
  const keys = segment === '*' ? Object.keys(value) : Object.hasOwn(value, segment) && (!Array.isArray(value) || /^(0|[1-9]\d*)$/.test(segment)) ? [segment] : [];
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const k of keys) {
    const masked = maskAt(source[k], segments, i + 1);
    if (masked === source[k]) continue;
    // Copied once, on the first field that changes: a path to nothing leaves `value` itself.
    copy ??= Array.isArray(value) ? [...(value as unknown[])] : { ...source };
    (copy as Record<string, unknown>)[k] = masked;
  }
  return copy ?? value;
}

/** Shortest sensitive value {@link scrubText} removes from text: shorter ones would mask digits of unrelated numbers. */
const MIN_SCRUBBED = 3;

/**
 * `text` with every sensitive value of `data` (at `paths`, as text and as JSON) replaced by
 * {@link SENSITIVE_MASK}: for messages that may quote data, such as a handler's error. Values
 * shorter than 3 characters are left, so `0` never masks every zero of a message.
 */
export function scrubText(text: string, data: unknown, paths: SensitivePaths): string {
  if (paths.length === 0) return text;
  const values = new Set<string>();
  for (const segments of paths) collect(data, segments, 0, values);
  let out = text;
  // Longest first, so a value that contains another is masked whole.
  for (const v of [...values].sort((a, b) => b.length - a.length)) if (v.length >= MIN_SCRUBBED) out = out.split(v).join(SENSITIVE_MASK);
  return out;
}

function collect(value: unknown, segments: readonly string[], i: number, into: Set<string>): void {
  if (i === segments.length) {
    if (value === undefined) return;
    if (typeof value !== 'object' || value === null) into.add(String(value));
    const json = JSON.stringify(value);
    if (json !== undefined) into.add(json);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const segment = segments[i]!;
  const record = value as Record<string, unknown>;
  const keys = segment === '*' ? Object.keys(record) : Object.hasOwn(record, segment) ? [segment] : [];
  for (const k of keys) collect(record[k], segments, i + 1, into);
}

/** The compiled sensitive paths of each definition seen, by definition identity. */
const pathsByDefinition = new WeakMap<object, SensitivePaths>();

/**
 * The sensitive paths of `definition` (the object that vouched for an event), read from its
 * `sensitive` list and compiled once; none for `null`, or for a definition without the list.
 *
 * @remarks Read from the property rather than kept aside when defined: a definition made by
 * another copy of dotbus (an application's own install, loaded by the CLI's `--events`) is masked too.
 */
export function sensitivePathsOfDefinition(definition: object | null | undefined): SensitivePaths {
  if (definition === null || definition === undefined) return [];
  let paths = pathsByDefinition.get(definition);
  if (paths === undefined) {
    const list = (definition as { readonly sensitive?: unknown }).sensitive;
    paths = Array.isArray(list) && list.every((p) => typeof p === 'string' && p.startsWith('/')) ? compileSensitive(list as string[]) : [];
    pathsByDefinition.set(definition, paths);
  }
  return paths;
}
