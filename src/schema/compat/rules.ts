import { isObject, type JsonSchema } from '../json-schema.js';

/**
 * The rules `checkCompatibility` applies. Each names a change that lets a writer produce data a
 * reader refuses; the same change in the other direction is compatible.
 *
 * | rule | breaks when the reader's schema … |
 * |---|---|
 * | `type-narrowed` | accepts fewer JSON types (`number` → `integer`, a type dropped, a type set where there was none) |
 * | `enum-narrowed` | accepts fewer values (`enum`, `const`, a union of literals), or a fixed set where any value was allowed |
 * | `required-added` | requires a property the writer's schema lets writers leave out |
 * | `property-removed` | no longer declares a property the writer's declares, and allows no additional properties |
 * | `additional-properties-closed` | sets `additionalProperties: false` where the writer's allowed them |
 * | `minimum-raised` / `maximum-lowered` | has a tighter numeric bound (`minimum`, `exclusiveMinimum`, `maximum`, `exclusiveMaximum`) |
 * | `min-length-raised` / `max-length-lowered` | has a tighter string length bound |
 * | `pattern-changed` | has a `pattern` the writer's schema does not have (an equivalent regular expression can't be told apart) |
 * | `min-items-raised` / `max-items-lowered` | has a tighter array length bound |
 * | `union-narrowed` | lacks a branch of the writer's `anyOf`/`oneOf` that no other branch covers |
 * | `reference-changed` | has a `$ref` other than the writer's (references are compared, not followed) |
 *
 * Properties the reader does not declare are assumed ignored, unless it closes them: writers
 * write the properties their schema declares, so adding an optional property is compatible (as
 * adding a field with a default is in Avro), though JSON Schema alone would allow a writer to
 * have put anything under that name.
 */
export type SchemaRule =
  | 'type-narrowed'
  | 'enum-narrowed'
  | 'required-added'
  | 'property-removed'
  | 'additional-properties-closed'
  | 'minimum-raised'
  | 'maximum-lowered'
  | 'min-length-raised'
  | 'max-length-lowered'
  | 'pattern-changed'
  | 'min-items-raised'
  | 'max-items-lowered'
  | 'union-narrowed'
  | 'reference-changed';

/** One place where data valid under the writer's schema may be invalid under the reader's. */
export interface SchemaIssue {
  readonly rule: SchemaRule;
  /** JSON pointer of the place, in the reader's schema. */
  readonly pointer: string;
  /** What differs, naming the reader's and the writer's versions. */
  readonly detail: string;
}

/** The version labels used in the details, e.g. `{ reader: '2.0.0', writer: '1.0.0' }`. */
export interface Sides {
  readonly reader: string;
  readonly writer: string;
}

/**
 * Every place where data valid under `writer` may fail `reader`, under the rules of
 * {@link SchemaRule}. Empty when every such data is readable.
 */
export function readerIssues(reader: unknown, writer: unknown, pointer: string, sides: Sides): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  compare(asSchema(reader), asSchema(writer), pointer, sides, out);
  return out;
}

/** `true` accepts anything (`{}`); `false` nothing. */
function asSchema(value: unknown): JsonSchema | false {
  if (value === false) return false;
  return isObject(value) ? value : {};
}

function compare(r: JsonSchema | false, w: JsonSchema | false, p: string, s: Sides, out: SchemaIssue[]): void {
  if (w === false) return; // the writer writes nothing here
  if (r === false) {
    out.push({ rule: 'property-removed', pointer: p, detail: `${s.reader} allows nothing here; ${s.writer} allows a value` });
    return;
  }
  if (r['$ref'] !== undefined || w['$ref'] !== undefined) {
    if (r['$ref'] !== w['$ref']) out.push({ rule: 'reference-changed', pointer: `${p}/$ref`, detail: `${s.reader} refers to ${String(r['$ref'] ?? '(none)')}, ${s.writer} to ${String(w['$ref'] ?? '(none)')}` });
    return;
  }
  const rValues = valuesOf(r);
  const wValues = valuesOf(w);
  if (rValues !== undefined) {
    if (wValues === undefined) out.push({ rule: 'enum-narrowed', pointer: p, detail: `${s.reader} allows only ${list(rValues)}; ${s.writer} allows other values` });
    else {
      const missing = wValues.filter((v) => !rValues.some((x) => sameJson(x, v)));
      if (missing.length > 0) out.push({ rule: 'enum-narrowed', pointer: p, detail: `${s.reader} does not allow ${list(missing)}, which ${s.writer} allows` });
    }
    return;
  }
  const rBranches = branchesOf(r);
  const wBranches = wValues === undefined ? branchesOf(w) : undefined;
  if (wBranches !== undefined && (rBranches.length > 1 || wBranches.length > 1)) {
    compareUnions(rBranches, wBranches, r, p, s, out);
    return;
  }
  compareTypes(r, w, wValues, p, s, out);
  compareBounds(r, w, p, s, out);
  compareObjects(r, w, p, s, out);
  if (isObject(r['items']) || r['items'] === false) compare(asSchema(r['items']), asSchema(w['items']), `${p}/items`, s, out);
}

/** Each writer branch must fit some reader branch as a whole; with one reader branch, say exactly where it doesn't. */
function compareUnions(rBranches: JsonSchema[], wBranches: JsonSchema[], r: JsonSchema, p: string, s: Sides, out: SchemaIssue[]): void {
  const key = Array.isArray(r['anyOf']) ? 'anyOf' : 'oneOf';
  wBranches.forEach((w, i) => {
    const attempts = rBranches.map((rb, j) => {
      const found: SchemaIssue[] = [];
      compare(rb, w, rBranches.length > 1 ? `${p}/${key}/${j}` : p, s, found);
      return found;
    });
    if (attempts.some((a) => a.length === 0)) return;
    if (rBranches.length === 1) out.push(...attempts[0]!);
    else out.push({ rule: 'union-narrowed', pointer: `${p}/${key}`, detail: `no branch of ${s.reader} accepts branch ${i} of ${s.writer} (${JSON.stringify(w).slice(0, 120)})` });
  });
}

function compareTypes(r: JsonSchema, w: JsonSchema, wValues: readonly unknown[] | undefined, p: string, s: Sides, out: SchemaIssue[]): void {
  const rTypes = typesOf(r);
  if (rTypes === undefined) return;
  const wTypes = typesOf(w) ?? (wValues === undefined ? undefined : wValues.map(jsonTypeOf));
  if (wTypes === undefined) {
    out.push({ rule: 'type-narrowed', pointer: `${p}/type`, detail: `${s.reader} requires ${rTypes.join(' or ')}; ${s.writer} allows any type` });
    return;
  }
  const lost = wTypes.filter((t) => !rTypes.includes(t) && !(t === 'integer' && rTypes.includes('number')));
  if (lost.length > 0) out.push({ rule: 'type-narrowed', pointer: `${p}/type`, detail: `${s.reader} requires ${rTypes.join(' or ')}; ${s.writer} allows ${[...new Set(lost)].join(' and ')}` });
}

function compareBounds(r: JsonSchema, w: JsonSchema, p: string, s: Sides, out: SchemaIssue[]): void {
  const rLow = lowerOf(r);
  const wLow = lowerOf(w);
  if (rLow !== undefined && (wLow === undefined || rLow.value > wLow.value || (rLow.value === wLow.value && rLow.exclusive && !wLow.exclusive))) {
    out.push({ rule: 'minimum-raised', pointer: `${p}/${rLow.keyword}`, detail: `${s.reader} requires ${rLow.exclusive ? '>' : '≥'} ${rLow.value}; ${s.writer} ${bound(wLow, '>')}` });
  }
  const rHigh = upperOf(r);
  const wHigh = upperOf(w);
  if (rHigh !== undefined && (wHigh === undefined || rHigh.value < wHigh.value || (rHigh.value === wHigh.value && rHigh.exclusive && !wHigh.exclusive))) {
    out.push({ rule: 'maximum-lowered', pointer: `${p}/${rHigh.keyword}`, detail: `${s.reader} requires ${rHigh.exclusive ? '<' : '≤'} ${rHigh.value}; ${s.writer} ${bound(wHigh, '<')}` });
  }
  const tighter = (keyword: string, rule: SchemaRule, raise: boolean, what: string): void => {
    const rv = r[keyword];
    const wv = w[keyword];
    if (typeof rv !== 'number') return;
    if (typeof wv !== 'number' || (raise ? rv > wv : rv < wv)) {
      out.push({ rule, pointer: `${p}/${keyword}`, detail: `${s.reader} requires ${what} ${raise ? '≥' : '≤'} ${rv}; ${s.writer} ${typeof wv === 'number' ? `${raise ? '≥' : '≤'} ${wv}` : 'has no such bound'}` });
    }
  };
  tighter('minLength', 'min-length-raised', true, 'a length');
  tighter('maxLength', 'max-length-lowered', false, 'a length');
  tighter('minItems', 'min-items-raised', true, 'an item count');
  tighter('maxItems', 'max-items-lowered', false, 'an item count');
  if (typeof r['pattern'] === 'string' && r['pattern'] !== w['pattern']) {
    out.push({ rule: 'pattern-changed', pointer: `${p}/pattern`, detail: `${s.reader} requires /${r['pattern']}/; ${s.writer} ${typeof w['pattern'] === 'string' ? `/${w['pattern']}/` : 'no pattern'}` });
  }
}

function compareObjects(r: JsonSchema, w: JsonSchema, p: string, s: Sides, out: SchemaIssue[]): void {
  const rProps = isObject(r['properties']) ? r['properties'] : {};
  const wProps = isObject(w['properties']) ? w['properties'] : {};
  const wRequired = new Set(stringsOf(w['required']));
  for (const name of stringsOf(r['required'])) {
    if (!wRequired.has(name)) {
      out.push({ rule: 'required-added', pointer: `${p}/properties/${escapePointer(name)}`, detail: `${s.reader} requires \`${name}\`; ${s.writer} ${name in wProps ? 'lets writers leave it out' : 'does not declare it'}` });
    }
  }
  const closed = r['additionalProperties'] === false;
  for (const [name, schema] of Object.entries(wProps)) {
    const at = `${p}/properties/${escapePointer(name)}`;
    if (name in rProps) compare(asSchema(rProps[name]), asSchema(schema), at, s, out);
    else if (closed) out.push({ rule: 'property-removed', pointer: at, detail: `${s.reader} does not allow \`${name}\` (additionalProperties: false); ${s.writer} declares it` });
    else if (isObject(r['additionalProperties'])) compare(r['additionalProperties'], asSchema(schema), `${p}/additionalProperties`, s, out);
  }
  if (closed && w['additionalProperties'] !== false && (isObject(w['properties']) || w['type'] === 'object')) {
    out.push({ rule: 'additional-properties-closed', pointer: `${p}/additionalProperties`, detail: `${s.reader} allows no properties it doesn't declare; ${s.writer} allows them` });
  }
  const rPatterns = isObject(r['patternProperties']) ? r['patternProperties'] : {};
  const wPatterns = isObject(w['patternProperties']) ? w['patternProperties'] : {};
  for (const [key, schema] of Object.entries(rPatterns)) {
    compare(asSchema(schema), asSchema(wPatterns[key]), `${p}/patternProperties/${escapePointer(key)}`, s, out);
  }
}

/** The values a schema allows when it is a fixed set (`enum`, `const`, or a union of them), else `undefined`. */
function valuesOf(schema: JsonSchema): unknown[] | undefined {
  if (Array.isArray(schema['enum'])) return schema['enum'] as unknown[];
  if ('const' in schema) return [schema['const']];
  const branches = schema['anyOf'] ?? schema['oneOf'];
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const values: unknown[] = [];
  for (const b of branches) {
    const v = isObject(b) ? valuesOf(b) : undefined;
    if (v === undefined) return undefined;
    values.push(...v);
  }
  return values;
}

function branchesOf(schema: JsonSchema): JsonSchema[] {
  const branches = schema['anyOf'] ?? schema['oneOf'];
  return Array.isArray(branches) && branches.length > 0 ? branches.map(asSchema).filter((b): b is JsonSchema => b !== false) : [schema];
}

function typesOf(schema: JsonSchema): string[] | undefined {
  const t = schema['type'];
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : undefined;
}

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
  readonly keyword: string;
}

/** The tightest lower bound, whichever keyword sets it. */
function lowerOf(schema: JsonSchema): Bound | undefined {
  const inclusive = typeof schema['minimum'] === 'number' ? { value: schema['minimum'], exclusive: false, keyword: 'minimum' } : undefined;
  const exclusive = typeof schema['exclusiveMinimum'] === 'number' ? { value: schema['exclusiveMinimum'], exclusive: true, keyword: 'exclusiveMinimum' } : undefined;
  if (inclusive === undefined || exclusive === undefined) return inclusive ?? exclusive;
  return exclusive.value >= inclusive.value ? exclusive : inclusive;
}

/** The tightest upper bound, whichever keyword sets it. */
function upperOf(schema: JsonSchema): Bound | undefined {
  const inclusive = typeof schema['maximum'] === 'number' ? { value: schema['maximum'], exclusive: false, keyword: 'maximum' } : undefined;
  const exclusive = typeof schema['exclusiveMaximum'] === 'number' ? { value: schema['exclusiveMaximum'], exclusive: true, keyword: 'exclusiveMaximum' } : undefined;
  if (inclusive === undefined || exclusive === undefined) return inclusive ?? exclusive;
  return exclusive.value <= inclusive.value ? exclusive : inclusive;
}

function bound(b: Bound | undefined, strict: '>' | '<'): string {
  if (b === undefined) return 'has no such bound';
  return `${b.exclusive ? strict : strict === '>' ? '≥' : '≤'} ${b.value}`;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function list(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** `name` as one JSON pointer token (RFC 6901). */
export function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
